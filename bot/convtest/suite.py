"""Checks across files: shops exist, staff flags are right, every number has one owner.

Conversations run concurrently, so each must own the numbers that write in it: two
conversations writing from the same number to the same shop would share one conversation
state and trip over each other.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from bot.convtest.format import FENCE_NUMBER, Case
from bot.convtest.loading import FormatError, at
from bot.convtest.responses import ResponseTexts
from bot.convtest.shops import ShopsFixture


def check_suite(
    cases: Sequence[Case], shops: ShopsFixture, responses: ResponseTexts | None
) -> None:
    problems: list[str] = []
    owners: dict[tuple[str, str], Case] = {}
    for case in cases:
        conversation = case.conversation
        where = f"conversation {case.index + 1} {case.name!r}"

        def problem(message: str, *, case: Case = case, where: str = where) -> None:
            problems.append(at(case.path, case.line, where, message))

        shop = shops.get(conversation.tenant)
        if shop is None:
            problem(
                f"unknown tenant {conversation.tenant!r}; the shops are {', '.join(shops.codes)}"
            )
            continue
        is_staff = conversation.sender in shop.staff
        if conversation.staff and not is_staff:
            problem(f"`staff: true` but {conversation.sender} is not a staff number of {shop.code}")
        elif is_staff and not conversation.staff:
            problem(f"{conversation.sender} is a staff number of {shop.code}; add `staff: true`")
        for number in case.numbers():
            if number == FENCE_NUMBER:
                problem(f"{FENCE_NUMBER} is reserved for the runner; use another number")
            other = owners.setdefault((shop.phone_number_id, number), case)
            if other is not case:
                problem(
                    f"{number} also writes to {shop.code} in {other.name!r} ({other.path}); "
                    "give each conversation its own numbers (a shop may list several staff)"
                )
        for turn_number, turn in enumerate(conversation.turns, 1):
            for reply, expected in enumerate(turn.bot, 1):
                name = expected.response
                if responses is None or name is None or name in responses.names:
                    continue
                close = difflib.get_close_matches(name, sorted(responses.names), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                place = f"turn {turn_number}, reply {reply}"
                problem(f"{place}: response {name!r} is not in the domain{hint}")
    if problems:
        raise FormatError(problems)
