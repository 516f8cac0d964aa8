"""The webhook gateway under random bodies, on the real Redis and RabbitMQ.

Signed correctly, a body is either a webhook (200) or not one (400): never a 5xx, which Meta
would retry for days. Signed wrongly or not at all it is refused (403 or 401) and nothing is
published, whatever the body.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from channels.whatsapp.signature import sign
from tests.integration.fuzz.bodies import encoded, nested, text_message, timed_message
from tests.integration.fuzz.conftest import SECRET, Gate
from tests.property.strategies import any_text, json_values, mutated_body

pytestmark = pytest.mark.integration

EXAMPLES = settings(max_examples=60, deadline=None)


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.builds(encoded, json_values(), st.booleans()),
    st.builds(encoded, mutated_body(), st.booleans()),
    any_text().map(text_message),
    st.integers().map(timed_message),
    st.integers(min_value=0).map(str).map(timed_message),
    st.integers(1, 2_000).map(nested),
)


@EXAMPLES
@given(raw=raw_bodies)
@example(raw=b"")
@example(raw=b"null")
@example(raw=b"\xff\xfe{not utf-8")
@example(raw=b'{"object": "whatsapp_business_account", "entry": {}}')
@example(raw=text_message("'; DROP TABLE products; -- <script>alert(1)</script>"))
@example(raw=text_message("👩‍👩‍👧‍👦🇿🇦" * 1_000))
async def test_a_signed_body_is_200_or_400_never_a_server_error(gate: Gate, raw: bytes) -> None:
    response = await gate.post(raw, sign(raw, SECRET))
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        assert response.json()["status"] == "ok"


def wrong_signatures(raw: bytes) -> st.SearchStrategy[str | None]:
    right = sign(raw, SECRET)
    return st.one_of(
        st.none(),
        st.just(""),
        st.builds(sign, st.just(raw), st.text(min_size=1).filter(lambda s: s != SECRET)),
        st.builds(sign, st.binary().filter(lambda other: other != raw), st.just(SECRET)),
        st.just(right[:-1]),
        st.just(right.removeprefix("sha256=")),
        st.just("sha1=" + right.removeprefix("sha256=")),
        st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=80).filter(
            lambda header: header.strip().lower() != right
        ),
    )


@EXAMPLES
@given(data=st.data(), raw=raw_bodies)
async def test_a_wrongly_signed_body_is_refused_and_nothing_is_published(
    gate: Gate, data: st.DataObject, raw: bytes
) -> None:
    signature = data.draw(wrong_signatures(raw), label="signature")
    before = gate.bus.published
    response = await gate.post(raw, signature)
    assert response.status_code == (401 if not signature else 403)
    assert gate.bus.published == before


def half_an_emoji() -> bytes:
    """Text ending in the first half of 😊 (a client cutting UTF-16), as Meta escapes it."""
    return text_message("Ngiyabonga ").replace(b'Ngiyabonga "', b'Ngiyabonga \\ud83d"')


CASES = {
    # json.loads raises RecursionError (not a ValueError) past ~1,000 levels.
    "nested_1000_deep": nested(1_000),
    # The text decodes to a lone surrogate, which no UTF-8 writer takes.
    "lone_surrogate_in_text": half_an_emoji(),
    # The 24 h window's expiry would overflow Redis's PX.
    "timestamp_far_future": timed_message("99999999999999999999"),
    # time.time() - timestamp would raise OverflowError.
    "timestamp_past_float_range": timed_message("9" * 400),
}


@pytest.mark.parametrize("raw", list(CASES.values()), ids=list(CASES))
async def test_a_signed_odd_body_is_not_a_server_error(gate: Gate, raw: bytes) -> None:
    response = await gate.post(raw, sign(raw, SECRET))
    assert response.status_code in (200, 400), response.text


@settings(max_examples=60, deadline=None)
@given(timestamp=st.integers(min_value=0) | st.integers(min_value=0).map(str))
async def test_any_timestamp_signed_correctly_is_200_or_400(
    gate: Gate, timestamp: int | str
) -> None:
    raw = timed_message(timestamp)
    response = await gate.post(raw, sign(raw, SECRET))
    assert response.status_code in (200, 400), response.text
