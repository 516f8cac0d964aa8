"""Every conversation in tests/conversations/*.yml, through the real pipeline: real PostgreSQL,
Redis and RabbitMQ, the trained NLU model, the action server, the worker and the sender, with
the Graph API fake recording what the shopper would get. One test per file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.convtest.format import conversation_files, load_file
from bot.convtest.report import data_use, failure_lines, outcome_lines
from bot.convtest.runner import Session, open_session
from bot.convtest.shops import load_shops
from bot.convtest.suite import check_suite
from bot.settings import Settings
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

CONVERSATIONS = ROOT / "tests" / "conversations"
SHOPS = CONVERSATIONS / "shops.yml"
FILES = conversation_files([CONVERSATIONS], exclude=[SHOPS])


@pytest.fixture(scope="module")
async def session(settings: Settings) -> AsyncIterator[Session]:
    async with open_session(settings, load_shops(SHOPS)) as running:
        yield running


def test_there_are_conversations_in_every_language() -> None:
    cases = [case for path in FILES for case in load_file(path)]
    languages = {case.conversation.language for case in cases}
    assert len(cases) >= 8
    assert {"en", "zu", "st"} <= languages


@pytest.mark.parametrize("path", FILES, ids=lambda path: Path(path).stem)
async def test_conversations(session: Session, path: Path) -> None:
    cases = load_file(path)
    check_suite(cases, load_shops(SHOPS), session.responses)
    outcomes = await session.run(cases)
    for outcome in outcomes:
        print("\n".join(outcome_lines(outcome)))
    use = data_use(outcomes)
    print(f"{path.name}: {use.turns} turns with replies, average {use.average} B per turn")
    failures = [
        f"{outcome.case.name!r} ({path.name}:{outcome.case.line})\n"
        + "\n".join(failure_lines(turn))
        for outcome in outcomes
        if (turn := outcome.failed_turn) is not None
    ]
    assert not failures, "\n\n".join(failures)
