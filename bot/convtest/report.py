"""What a run says: a line per conversation, a diff for a failing turn, and the data report.

Bytes are the JSON bodies the Graph API received for a turn's replies, as sent on the wire:
what the shopper's data bundle pays for (plus WhatsApp's own overhead, the same for all).
Averages count the turns that sent something; a silent turn costs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.convtest.runner import Outcome, TurnOutcome


@dataclass(frozen=True, slots=True)
class Heaviest:
    conversation: str
    turn: int
    bytes: int


@dataclass(frozen=True, slots=True)
class DataUse:
    turns: int  # turns that sent something
    total: int
    heaviest: Heaviest | None

    @property
    def average(self) -> int:
        return round(self.total / self.turns) if self.turns else 0

    def as_json(self) -> dict[str, Any]:
        largest = None
        if self.heaviest is not None:
            largest = {
                "conversation": self.heaviest.conversation,
                "turn": self.heaviest.turn,
                "bytes": self.heaviest.bytes,
            }
        return {
            "turns_with_replies": self.turns,
            "total_bytes": self.total,
            "average_bytes_per_turn": self.average,
            "largest_turn": largest,
        }


def data_use(outcomes: Sequence[Outcome]) -> DataUse:
    turns = [(o.case.name, t) for o in outcomes for t in o.turns if t.bytes]
    heaviest = max(turns, key=lambda item: item[1].bytes, default=None)
    return DataUse(
        len(turns),
        sum(t.bytes for _, t in turns),
        Heaviest(heaviest[0], heaviest[1].number, heaviest[1].bytes) if heaviest else None,
    )


def shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def size(count: int) -> str:
    return f"{count:,} B"


def outcome_lines(outcome: Outcome) -> list[str]:
    """`PASS  name  file:line  2 turns, avg 480 B, max 590 B (turn 2)`, and a failure's diff."""
    case = outcome.case
    where = shown_path(case.path) + (f":{case.line}" if case.line else "")
    use = data_use([outcome])
    data = f"{len(outcome.turns)} turns"
    if use.heaviest is not None:
        data += (
            f", avg {size(use.average)}, max {size(use.heaviest.bytes)} (turn {use.heaviest.turn})"
        )
    verdict = "PASS" if outcome.passed else "FAIL"
    lines = [f"{verdict}  {case.name}  [{where}]  {data}"]
    failed = outcome.failed_turn
    if failed is not None:
        lines += ["      " + line for line in failure_lines(failed)]
    return lines


def failure_lines(turn: TurnOutcome) -> list[str]:
    lines = [f"turn {turn.number} ({turn.summary}):"]
    if turn.error is not None:
        lines.append(f"  {turn.error}")
    for problem in turn.problems:
        lines += ["  " + line for line in problem.lines()]
    if turn.received:
        lines.append("  the bot sent:")
        several = len({message.to for message in turn.received}) > 1
        for index, message in enumerate(turn.received, 1):
            to = f" to {message.to}" if several else ""
            lines.append(f"    {index}.{to} {message.describe()}  ({size(message.bytes)})")
    elif turn.error is None:
        lines.append("  the bot sent nothing")
    return lines


def summary_lines(outcomes: Sequence[Outcome], seconds: float) -> list[str]:
    use = data_use(outcomes)
    passed = sum(1 for o in outcomes if o.passed)
    lines = ["", "Data sent per turn (JSON bodies the Graph API received):"]
    if use.heaviest is None:
        lines.append("  nothing was sent")
    else:
        lines.append(
            f"  average {size(use.average)}, largest {size(use.heaviest.bytes)} "
            f"({use.heaviest.conversation!r}, turn {use.heaviest.turn}); "
            f"{use.turns} turns with replies, {size(use.total)} in all"
        )
    lines.append(f"{passed} passed, {len(outcomes) - passed} failed in {seconds:.1f} s")
    return lines


def report_json(outcomes: Sequence[Outcome], seconds: float) -> dict[str, Any]:
    return {
        "passed": sum(1 for o in outcomes if o.passed),
        "failed": sum(1 for o in outcomes if not o.passed),
        "seconds": round(seconds, 2),
        "data": data_use(outcomes).as_json(),
        "conversations": [_conversation_json(o) for o in outcomes],
    }


def _conversation_json(outcome: Outcome) -> dict[str, Any]:
    case = outcome.case
    failed = outcome.failed_turn
    return {
        "name": case.name,
        "file": shown_path(case.path),
        "line": case.line,
        "tenant": case.conversation.tenant,
        "language": case.conversation.language,
        "passed": outcome.passed,
        "failure": None if failed is None else "\n".join(failure_lines(failed)),
        "seconds": round(outcome.seconds, 2),
        "data": data_use([outcome]).as_json(),
        "turns": [
            {
                "turn": turn.number,
                "action": turn.summary,
                "passed": turn.passed,
                "messages": len(turn.received),
                "bytes": turn.bytes,
                "message_bytes": [message.bytes for message in turn.received],
                "seconds": round(turn.seconds, 3),
                "message_id": turn.message_id,  # to find the turn in the services' log
            }
            for turn in outcome.turns
        ],
    }


def write_report(path: Path, outcomes: Sequence[Outcome], seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report_json(outcomes, seconds), indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
