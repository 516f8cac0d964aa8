"""Run conversations: concurrently across conversations, strictly in order within one.

A turn posts the user's message as a signed webhook, waits until the turn is over (see
`completion`), reads back what the Graph API fake received for it, and compares. The first
failing turn ends its conversation: later turns would only fail in its wake.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.convtest.completion import TurnTimeout, is_fence, open_fence_window, wait_for_turn
from bot.convtest.format import Case, Turn
from bot.convtest.harness import Stack, WebhookRefused, running_stack
from bot.convtest.inbound import Inbound, TapError, inbound
from bot.convtest.matching import Expectations, Mismatch, match_turn
from bot.convtest.received import Received, received
from bot.convtest.responses import ResponseTexts
from bot.convtest.shops import SeededShop, ShopsFixture, seed
from bot.settings import Settings
from channels.whatsapp import simulate
from commerce import consent

TURN_TIMEOUT = 30.0
CONCURRENCY = 8
# A test compresses minutes of chatting into a second; Meta's per-shopper pacing (one message
# per 6 s after a burst) would make long conversations crawl, and is tested on its own.
UNPACED = {"pair_burst": 100_000, "pair_interval": 0.001}


@dataclass(frozen=True, slots=True)
class Exchange:
    message_id: str
    received: tuple[Received, ...]
    failed: tuple[str, ...] = ()  # reply parts the Graph API refused


CONSENT_VERSION = "convtest"


class Driver(Protocol):
    async def prepare(self, case: Case) -> None:
        """Whatever must hold before the first turn (e.g. the shopper's consent)."""
        ...

    async def exchange(self, case: Case, turn: Turn, sender: str, message: Inbound) -> Exchange:
        """Send `message` from `sender`; what the bot sent for it, once the turn is over."""
        ...


@dataclass(frozen=True, slots=True)
class TurnOutcome:
    number: int  # 1-based
    summary: str  # "user: hi"
    received: tuple[Received, ...] = ()
    problems: tuple[Mismatch, ...] = ()
    error: str | None = None  # the turn could not be run to the end (timeout, bad tap)
    seconds: float = 0.0
    message_id: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.problems

    @property
    def bytes(self) -> int:
        return sum(message.bytes for message in self.received)


@dataclass
class Outcome:
    case: Case
    turns: list[TurnOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        ran_all = len(self.turns) == len(self.case.conversation.turns)
        return ran_all and all(turn.passed for turn in self.turns)

    @property
    def failed_turn(self) -> TurnOutcome | None:
        return next((turn for turn in self.turns if not turn.passed), None)


async def run_case(driver: Driver, case: Case, responses: ResponseTexts | None) -> Outcome:
    conversation = case.conversation
    outcome = Outcome(case)
    started = time.monotonic()
    history: list[Received] = []
    language: str = conversation.language
    await driver.prepare(case)
    for number, turn in enumerate(conversation.turns, 1):
        language = turn.language or language
        sender = turn.sender or conversation.sender
        begun = time.monotonic()
        try:
            message = inbound(turn, [m for m in history if m.to == sender])
            exchange = await driver.exchange(case, turn, sender, message)
        except (TapError, TurnTimeout, WebhookRefused) as exc:
            outcome.turns.append(TurnOutcome(number, turn.summary(), error=str(exc)))
            break
        history += exchange.received
        context = Expectations(
            sender=sender,
            shopper=conversation.sender,
            language=None if language == "mixed" else language,
            responses=responses,
        )
        result = TurnOutcome(
            number,
            turn.summary(),
            exchange.received,
            tuple(match_turn(turn, exchange.received, context)),
            "; ".join(exchange.failed) or None,
            time.monotonic() - begun,
            exchange.message_id,
        )
        outcome.turns.append(result)
        if not result.passed:
            break
    outcome.seconds = time.monotonic() - started
    return outcome


async def run_cases(
    driver: Driver,
    cases: Sequence[Case],
    responses: ResponseTexts | None,
    *,
    concurrency: int = CONCURRENCY,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Every case's outcome, in the order given; `on_outcome` sees them in that order too."""
    gate = asyncio.Semaphore(concurrency)

    async def one(case: Case) -> Outcome:
        async with gate:
            return await run_case(driver, case, responses)

    outcomes: list[Outcome] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(case)) for case in cases]
            for task in tasks:
                outcomes.append(await task)
                if on_outcome is not None:
                    on_outcome(outcomes[-1])
    except ExceptionGroup as group:  # the pipeline broke: one reason is enough
        raise group.exceptions[0] from None
    return outcomes


@dataclass
class PipelineDriver:
    """Turns through the running pipeline: signed webhooks in, Graph API bodies out.

    A turn sees what its message caused (reply parts named after it) for the conversation's
    numbers and the numbers the turn names with `to:`, and anything else sent during the
    turn to the conversation's shoppers or to those named numbers (order notices, replies
    released when the shopper wrote). Staff numbers outside `to:` are left out of the second
    kind: other conversations' orders may notify all of a shop's staff at any moment.
    """

    stack: Stack
    shops: dict[str, SeededShop]
    turn_timeout: float = TURN_TIMEOUT

    async def prepare(self, case: Case) -> None:
        conversation = case.conversation
        if conversation.new_shopper or conversation.staff:
            return
        shop = self.shops[conversation.tenant.upper()]
        await consent.record_consent(
            self.stack.runtime.admin_engine,
            shop.tenant_id,
            conversation.sender,
            "messages",
            granted=True,
            text_version=CONSENT_VERSION,
            evidence="conversation test",
        )

    async def exchange(self, case: Case, turn: Turn, sender: str, message: Inbound) -> Exchange:
        shop = self.shops[case.conversation.tenant.upper()]
        named = {expected.to for expected in turn.bot if expected.to}
        ours = set(case.numbers()) | named
        watched = {n for n in case.numbers() if n not in shop.spec.staff} | named
        message_id = simulate.new_message_id()
        if message.media is not None:
            media = message.media
            self.stack.graph.media[media.media_id] = (media.mime_type, media.content)
        body = simulate.message_body(
            phone_number_id=shop.spec.phone_number_id,
            sender=sender,
            message=message.message,
            message_id=message_id,
            display_phone_number=shop.spec.display_phone_number or shop.spec.phone_number_id,
        )
        start = len(self.stack.graph.sent)
        await self.stack.post_webhook(body)
        parts = await wait_for_turn(
            self.stack,
            tenant_id=shop.tenant_id,
            phone_number_id=shop.spec.phone_number_id,
            sender=sender,
            message_id=message_id,
            lanes=sorted(ours),
            timeout=self.turn_timeout,
        )
        caused = {part.wamid for part in parts if part.wamid}
        records = [
            record
            for index, record in enumerate(self.stack.graph.sent)
            if not is_fence(record)
            and record.to in ours
            and (record.wamid in caused or (index >= start and record.to in watched))
        ]
        failed = tuple(
            f"reply part {part.reference} was refused by the Graph API: {part.error}"
            for part in parts
            if part.status == "failed"
        )
        sizes = self.stack.wire_bytes
        return Exchange(
            message_id,
            tuple(received(r.body, sizes.get(r.wamid, 0)) for r in records),
            failed,
        )


@dataclass
class Session:
    stack: Stack
    driver: PipelineDriver
    responses: ResponseTexts

    async def run(
        self,
        cases: Sequence[Case],
        *,
        concurrency: int = CONCURRENCY,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> list[Outcome]:
        return await run_cases(
            self.driver, cases, self.responses, concurrency=concurrency, on_outcome=on_outcome
        )


@contextlib.asynccontextmanager
async def open_session(
    settings: Settings, fixture: ShopsFixture, *, turn_timeout: float = TURN_TIMEOUT
) -> AsyncIterator[Session]:
    """The pipeline running with the fixture's shops seeded, ready for conversations."""
    async with running_stack(settings.model_copy(update=UNPACED)) as stack:
        shops = await seed(stack.runtime.admin_engine, fixture)
        for shop in shops.values():
            stack.graph.register(shop.spec.phone_number_id, shop.spec.token)
            await open_fence_window(stack.runtime.store, shop.spec.phone_number_id)
        responses = ResponseTexts.from_domain(stack.settings.domain_file)
        yield Session(stack, PipelineDriver(stack, shops, turn_timeout), responses)
