"""The runner's own logic, against a toy bot: turns in order, taps from history, the first
failing turn ends a conversation, outcomes come back in the order given."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from bot.convtest.completion import TurnTimeout
from bot.convtest.format import Case, Conversation, Turn
from bot.convtest.inbound import Inbound
from bot.convtest.received import Choice, Received
from bot.convtest.report import data_use, outcome_lines, report_json, summary_lines
from bot.convtest.runner import Exchange, Outcome, run_cases

GREETING = (Choice("/browse", "Products"), Choice("/help", "Help"))


class ToyBot:
    """Greets with buttons, lists on /browse, never answers "slow"; remembers every message."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.running = 0
        self.most_running = 0

    async def prepare(self, case: Case) -> None:
        return None

    async def exchange(self, case: Case, turn: Turn, sender: str, message: Inbound) -> Exchange:
        body = message.message
        said = body["text"]["body"] if body["type"] == "text" else json.dumps(body["interactive"])
        self.seen.append((case.name, said))
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        await asyncio.sleep(0)  # let other conversations interleave
        self.running -= 1
        if said == "slow":
            raise TurnTimeout("the worker did not finish message m-1 within 30s")
        if "/browse" in said:
            rows = (Choice("p:1", "Bread"),)
            return Exchange("m", (Received(sender, "list", "Our products:", rows=rows, bytes=300),))
        if said == "hi":
            return Exchange("m", (Received(sender, "buttons", "Hi!", GREETING, bytes=200),))
        return Exchange("m", ())


def case(name: str, turns: list[dict[str, Any]], index: int = 0) -> Case:
    conversation = Conversation.model_validate(
        {
            "name": name,
            "tenant": "SHOP-A",
            "sender": f"2783100000{index}",
            "language": "en",
            "turns": turns,
        }
    )
    return Case(Path("tests/conversations/toy.yml"), index, 3 + index, conversation)


HI = {"user": "hi", "bot": [{"buttons": ["Products", "Help"]}]}
BROWSE = {"tap": "Products", "bot": [{"list": ["Bread"]}]}


async def test_a_conversation_runs_its_turns_in_order() -> None:
    bot = ToyBot()
    [outcome] = await run_cases(bot, [case("Browse", [HI, BROWSE, HI])], None)
    assert outcome.passed
    assert [t.number for t in outcome.turns] == [1, 2, 3]
    assert [said for _, said in bot.seen][0::2] == ["hi", "hi"]
    assert '"id": "/browse"' in bot.seen[1][1]  # the tap found the button's id
    assert [t.bytes for t in outcome.turns] == [200, 300, 200]


async def test_the_first_failing_turn_ends_the_conversation() -> None:
    bot = ToyBot()
    wrong = {"tap": "Products", "bot": [{"list": ["Milk"]}]}
    [outcome] = await run_cases(bot, [case("Wrong", [HI, wrong, HI])], None)
    assert not outcome.passed
    assert len(outcome.turns) == 2
    assert outcome.failed_turn is not None
    assert outcome.failed_turn.number == 2
    lines = outcome_lines(outcome)
    assert lines[0].startswith("FAIL  Wrong  [tests/conversations/toy.yml:3]  2 turns")
    assert "      turn 2 (tap: Products):" in lines
    assert "          - expected: [Milk]" in lines
    assert '          1. list "Our products:" [Bread]  (300 B)' in lines


async def test_a_timeout_or_a_bad_tap_fails_the_turn_with_its_reason() -> None:
    bot = ToyBot()
    slow = case("Slow", [{"user": "slow", "bot": [{"type": "text"}]}], 1)
    lost = case("Lost", [{"tap": "Checkout", "bot": [{"type": "text"}]}], 2)
    first, second = await run_cases(bot, [slow, lost], None)
    assert first.turns[0].error == "the worker did not finish message m-1 within 30s"
    assert "cannot tap 'Checkout'" in (second.turns[0].error or "")
    assert ("Lost", "Checkout") not in bot.seen  # nothing was sent for a bad tap


async def test_conversations_run_together_and_report_in_the_order_given() -> None:
    bot = ToyBot()
    cases = [case(f"C{i}", [HI, BROWSE], i) for i in range(5)]
    shown: list[str] = []
    outcomes = await run_cases(
        bot, cases, None, concurrency=3, on_outcome=lambda o: shown.append(o.case.name)
    )
    assert [o.case.name for o in outcomes] == shown == ["C0", "C1", "C2", "C3", "C4"]
    assert bot.most_running == 3
    for name in shown:  # each conversation's own turns stayed in order
        assert [said[:2] for n, said in bot.seen if n == name] == ["hi", '{"']


async def test_the_data_report_counts_turns_that_sent_something() -> None:
    bot = ToyBot()
    silent = {"user": "ok", "bot": [{"nothing": True}]}
    outcomes: list[Outcome] = await run_cases(
        bot, [case("A", [HI, silent, BROWSE]), case("B", [HI], 1)], None
    )
    use = data_use(outcomes)
    assert (use.turns, use.total, use.average) == (3, 700, 233)
    assert use.heaviest is not None
    assert (use.heaviest.conversation, use.heaviest.turn, use.heaviest.bytes) == ("A", 3, 300)
    report = report_json(outcomes, 1.5)
    assert report["passed"] == 2
    assert report["data"]["largest_turn"] == {"conversation": "A", "turn": 3, "bytes": 300}
    first = report["conversations"][0]
    assert [t["bytes"] for t in first["turns"]] == [200, 0, 300]
    assert first["data"]["average_bytes_per_turn"] == 250
    summary = summary_lines(outcomes, 1.5)
    assert (
        "  average 233 B, largest 300 B ('A', turn 3); 3 turns with replies, 700 B in all"
        in summary
    )
    assert summary[-1] == "2 passed, 0 failed in 1.5 s"
