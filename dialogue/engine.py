"""The dialogue engine: one `transitions` machine, built once, stepping many conversations.

A conversation is not a machine object but a `ConversationState` record. Each step wraps the
record in a throwaway `_Turn` model, fires the trigger on the shared machine and collects the
effects the transition's callbacks recorded. Callbacks do no I/O: the worker runs the effects
(actions, responses) after the step, which keeps a step at microseconds and fully testable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

from transitions import EventData, Machine

from dialogue.errors import FlowError
from dialogue.flows import Flows, FlowSpec, StateSpec, TransitionSpec
from dialogue.state import ConversationState


@dataclass(frozen=True, slots=True)
class TurnFacts:
    """What guards may look at: the trigger and facts the worker gathered before the step."""

    trigger: str
    is_staff: bool = False
    entities: Mapping[str, Any] = field(default_factory=dict)
    slots: Mapping[str, Any] = field(default_factory=dict)
    text: str | None = None


Guard = Callable[[TurnFacts], bool]


@dataclass(slots=True)
class _Turn:
    state: str
    facts: TurnFacts
    effects: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StepResult:
    state: ConversationState
    effects: tuple[str, ...]  # names, in order: `action_…` to run, `utter_…` to send
    matched: bool  # False when no transition took the trigger and a fallback answered
    slots: Mapping[str, Any] = field(default_factory=dict)  # to set before the effects run;
    # a None value forgets the slot


_ABSENT = object()


def _resolve(value: str | int | bool | None, facts: TurnFacts) -> Any:
    """A slot value from a flow: a literal, "$text" or "$<entity>" of this message; `_ABSENT`
    when the message does not carry it."""
    if not isinstance(value, str) or not value.startswith("$"):
        return value
    name = value[1:]
    found = facts.text if name == "text" else facts.entities.get(name)
    return _ABSENT if found is None else found


def _guard(guard: Guard, negate: bool, event: EventData) -> bool:
    return guard(cast(_Turn, event.model).facts) != negate


class Engine:
    def __init__(
        self, flows: FlowSpec | Sequence[FlowSpec], guards: Mapping[str, Guard] | None = None
    ) -> None:
        self.flows = Flows.merge([flows] if isinstance(flows, FlowSpec) else list(flows))
        self._guards = dict(guards or {})
        self._machine = Machine(
            model=None,
            states=list(self.flows.states),
            initial=self.flows.initial,
            send_event=True,
            auto_transitions=False,
            ignore_invalid_triggers=True,
        )
        for spec in self.flows.transitions:
            self._add(spec)
        self.triggers = frozenset(t for spec in self.flows.transitions for t in spec.triggers)

    def _add(self, spec: TransitionSpec) -> None:
        conditions: list[Callable[..., bool | None] | str] = []
        for name in spec.conditions:
            negate = name.startswith("!")
            conditions.append(partial(_guard, self._guard_named(name.lstrip("!")), negate))
        source: Any = self._sources(spec)
        for trigger in spec.triggers:
            self._machine.add_transition(
                trigger,
                source,
                spec.dest,
                conditions=conditions,
                after=[partial(self._effects, spec)],
            )

    def _sources(self, spec: TransitionSpec) -> list[str]:
        """ "*" means every state that is not locked; locked ones must be named."""
        states = self.flows.states
        names: list[str] = []
        for source in spec.sources:
            if source == "*":
                names.extend(name for name, state in states.items() if not state.locked)
            else:
                names.append(source)
        return list(dict.fromkeys(names))

    def _effects(self, spec: TransitionSpec, event: EventData) -> None:
        turn = cast(_Turn, event.model)
        for name in spec.clear:
            turn.slots[name] = None
        for name, value in spec.set.items():
            resolved = _resolve(value, turn.facts)
            if resolved is not _ABSENT:  # "$product_id" with no product named leaves the slot
                turn.slots[name] = resolved
        turn.effects.extend(spec.do)
        if spec.resume:
            # A digression: answer, then ask again where the shopper was (the state is unchanged).
            prompt = self.flows.states[turn.state].prompt
            if prompt:
                turn.effects.append(prompt)

    def _guard_named(self, name: str) -> Guard:
        try:
            return self._guards[name]
        except KeyError:
            raise FlowError(f"a flow uses guard {name!r}, which the engine was not given") from None

    @property
    def initial(self) -> str:
        return self.flows.initial

    def state_spec(self, name: str) -> StateSpec:
        return self.flows.states.get(name) or self.flows.states[self.flows.initial]

    def initial_state(self) -> ConversationState:
        return ConversationState(state=self.flows.initial)

    def step(self, record: ConversationState, facts: TurnFacts) -> StepResult:
        state = record.state if record.state in self.flows.states else self.flows.initial
        turn = _Turn(state=state, facts=facts)
        event = self._machine.events.get(facts.trigger)
        if event is not None and event.trigger(turn):
            return StepResult(
                state=record.model_copy(update={"state": turn.state, "fallbacks": 0}),
                effects=tuple(turn.effects),
                matched=True,
                slots=turn.slots,
            )
        return self._fallback(record.model_copy(update={"state": state}))

    def _fallback(self, record: ConversationState) -> StepResult:
        spec = self.state_spec(record.state)
        if spec.silent:
            return StepResult(state=record, effects=(), matched=False)
        if spec.fallback is not None:
            return StepResult(state=record, effects=tuple(spec.fallback), matched=False)
        fallback = self.flows.fallback
        second = record.fallbacks >= 1 and fallback.then is not None
        effects = fallback.then if second and fallback.then is not None else fallback.do
        # After the second stage the count starts over: the next miss clarifies again.
        count = 0 if second else record.fallbacks + 1
        return StepResult(
            state=record.model_copy(update={"fallbacks": count}),
            effects=tuple(effects),
            matched=False,
        )
