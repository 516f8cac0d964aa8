"""Flows as data: YAML under `dialogue/flows/`, validated into `FlowSpec`s and merged.

    name: checkout
    initial: start                     # one file (the main flow) names the initial state
    states:
      - start
      - name: checkout_address
        prompt: utter_ask_address      # asked again after a digression (see `resume`)
      - name: handoff
        silent: true                   # anything unmatched here gets no reply at all
        fallback: [utter_x]            # or: this state's own answer to anything unmatched
        locked: true                   # "*" transitions skip this state (consent, STOP, ...)
        capture: address               # free text here fills the slot, trigger `captured`
    transitions:
      - trigger: browse_catalog        # an intent, a button id like /browse_catalog, an event
                                       # (event_voice, event_image, ...), or a list of them
        source: "*"                    # a state, a list of states, or "*" for any
        dest: browsing                 # a state, or "=" to stay
        conditions: [is_staff]         # guards by name, all must hold ("!is_staff" negates)
        do: [action_list_products, utter_more_help]   # actions and responses, in order
        resume: false                  # true: a digression; re-ask the current state's prompt
        set: {fulfilment: delivery}    # slots to set first: a value, "$text" (what the user
                                       # wrote) or "$<entity>" (an entity of the message;
                                       # left as it was when the message has none)
        clear: [product_id]            # slots to forget
    fallback:
      do: [utter_clarify]              # the first time nothing matched
      then: [utter_fallback_help]      # when nothing matched twice in a row

Every file may add states and transitions; transitions may name states of other files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dialogue.errors import FlowError


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_effects(value: list[str]) -> list[str]:
    for name in value:
        if not name.startswith(("utter_", "action_")):
            raise ValueError(f"{name!r} is neither a response (utter_…) nor an action (action_…)")
    return value


class StateSpec(_Spec):
    name: str
    prompt: str | None = None
    silent: bool = False
    fallback: list[str] | None = None
    locked: bool = False  # "*" transitions do not apply here; only ones naming this state
    capture: str | None = None  # free text here fills this slot and fires `captured`

    @field_validator("fallback")
    @classmethod
    def _named_effects(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_effects(value)


class TransitionSpec(_Spec):
    trigger: str | list[str]  # one trigger, or several that do the same thing
    source: str | list[str] = "*"
    dest: str = "="
    conditions: list[str] = Field(default_factory=list)
    do: list[str] = Field(default_factory=list)
    resume: bool = False
    set: dict[str, str | int | bool | None] = Field(default_factory=dict)
    clear: list[str] = Field(default_factory=list)

    @property
    def triggers(self) -> list[str]:
        return [self.trigger] if isinstance(self.trigger, str) else list(self.trigger)

    @property
    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source)

    @field_validator("do")
    @classmethod
    def _named_effects(cls, value: list[str]) -> list[str]:
        return _check_effects(value)


class FallbackSpec(_Spec):
    do: list[str] = Field(default_factory=list)
    then: list[str] | None = None  # the second unmatched message in a row; `do` again if unset

    @field_validator("do", "then")
    @classmethod
    def _named_effects(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_effects(value)


class FlowSpec(_Spec):
    name: str
    initial: str | None = None
    states: list[str | StateSpec] = Field(default_factory=list)
    transitions: list[TransitionSpec] = Field(default_factory=list)
    fallback: FallbackSpec | None = None
    path: str | None = Field(default=None, exclude=True)  # set by load_flow, for messages

    @property
    def origin(self) -> str:
        return self.path or f"flow {self.name!r}"

    @property
    def state_specs(self) -> list[StateSpec]:
        return [StateSpec(name=s) if isinstance(s, str) else s for s in self.states]


@dataclass(frozen=True)
class Flows:
    """All flow files merged: the one machine the engine builds."""

    initial: str
    states: dict[str, StateSpec]
    transitions: tuple[TransitionSpec, ...]
    fallback: FallbackSpec

    @classmethod
    def merge(cls, specs: list[FlowSpec]) -> Flows:
        states: dict[str, StateSpec] = {}
        initials = [spec.initial for spec in specs if spec.initial]
        fallbacks = [spec.fallback for spec in specs if spec.fallback]
        for spec in specs:
            for state in spec.state_specs:
                if state.name in states:
                    raise FlowError(f"{spec.origin}: state {state.name!r} is declared twice")
                states[state.name] = state
        if len(initials) != 1:
            raise FlowError(
                f"exactly one flow must name the initial state; found {len(initials)}: {initials}"
            )
        if len(fallbacks) > 1:
            raise FlowError("only one flow may declare the fallback")
        for spec in specs:
            for transition in spec.transitions:
                for name in [*transition.sources, transition.dest]:
                    if name not in states and name not in {"*", "="}:
                        raise FlowError(
                            f"{spec.origin}: transition {transition.triggers[0]!r} names unknown "
                            f"state {name!r}; add it to states or fix the name"
                        )
        transitions = tuple(t for spec in specs for t in spec.transitions)
        if initials[0] not in states:
            raise FlowError(f"initial state {initials[0]!r} is not among the states")
        return cls(initials[0], states, transitions, fallbacks[0] if fallbacks else FallbackSpec())


def load_flow(path: Path) -> FlowSpec:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return FlowSpec.model_validate(data).model_copy(update={"path": str(path)})
    except (OSError, yaml.YAMLError) as exc:
        raise FlowError(f"{path}: cannot read the flow: {exc}") from exc
    except ValidationError as exc:
        raise FlowError(f"{path}: {_describe(exc)}") from exc


def _describe(exc: ValidationError) -> str:
    """One line per problem: where in the file, and what is wrong (pydantic's text is long)."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "flow"
        problems.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)


def load_flows(directory: Path) -> list[FlowSpec]:
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise FlowError(f"{directory}: no flow files (*.yml); the bot needs at least one")
    return [load_flow(path) for path in files]
