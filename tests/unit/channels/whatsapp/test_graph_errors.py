"""Meta's error codes map to classes that say whether to retry, refresh the token or give up."""

from __future__ import annotations

from typing import Any

import pytest

from channels.whatsapp.errors import (
    AccountRestricted,
    GraphError,
    GraphRejected,
    GraphTransient,
    GraphUnavailable,
    InvalidRequest,
    MediaError,
    NotPermitted,
    PairRateLimited,
    RateLimited,
    TemplateError,
    TokenInvalid,
    Undeliverable,
    WhatsAppError,
    WindowClosed,
)
from channels.whatsapp.graph import TRANSIENT_CODES
from channels.whatsapp.graph import graph_error as graph_error_from_graph
from channels.whatsapp.graph_errors import error_class, graph_error


def meta_body(code: int, **extra: Any) -> dict[str, Any]:
    return {
        "error": {
            "message": f"(#{code}) something",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": "what went wrong"},
            "fbtrace_id": "AbC123",
            **extra,
        }
    }


TRANSIENT = [
    (4, RateLimited),
    (80007, RateLimited),
    (130429, RateLimited),
    (131056, PairRateLimited),
    (131000, GraphUnavailable),
    (131016, GraphUnavailable),
]
PERMANENT = [
    (100, InvalidRequest),
    (131008, InvalidRequest),
    (131009, InvalidRequest),
    (131047, WindowClosed),
    (131026, Undeliverable),
    (131049, Undeliverable),
    (131050, Undeliverable),
    (130472, Undeliverable),
    (131051, MediaError),
    (131052, MediaError),
    (131053, MediaError),
    (131048, AccountRestricted),
    (368, AccountRestricted),
    (131031, AccountRestricted),
    (130497, AccountRestricted),
    (0, NotPermitted),
    (3, NotPermitted),
    (10, NotPermitted),
    (200, NotPermitted),
    (250, NotPermitted),
    (299, NotPermitted),
    *[(code, TemplateError) for code in range(132000, 132017)],
    (987654, GraphRejected),  # unknown: permanent
]


@pytest.mark.parametrize(("code", "cls"), TRANSIENT)
def test_transient_codes_retry_with_backoff(code: int, cls: type[GraphError]) -> None:
    error = graph_error(400, meta_body(code))
    assert type(error) is cls
    assert isinstance(error, GraphTransient)
    assert error.retryable
    assert not error.refresh_token
    assert code in TRANSIENT_CODES


@pytest.mark.parametrize(("code", "cls"), PERMANENT)
def test_permanent_codes_do_not_retry(code: int, cls: type[GraphError]) -> None:
    error = graph_error(400, meta_body(code))
    assert type(error) is cls
    assert isinstance(error, GraphRejected)
    assert not error.retryable
    assert not error.refresh_token
    assert code not in TRANSIENT_CODES


def test_an_expired_token_asks_for_a_refresh_not_a_plain_retry() -> None:
    body = {
        "error": {
            "message": "Error validating access token: Session has expired",
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 463,
            "fbtrace_id": "ACEyrTehk6IAd0lm05Ixogh",
        }
    }
    error = graph_error(401, body)
    assert type(error) is TokenInvalid
    assert error.refresh_token
    assert not error.retryable
    assert (error.code, error.subcode, error.fbtrace_id) == (190, 463, "ACEyrTehk6IAd0lm05Ixogh")
    assert error.details is None


def test_every_field_of_meta_s_error_is_kept() -> None:
    error = graph_error(400, meta_body(131047, error_subcode=2494010))
    assert isinstance(error, WindowClosed)
    assert isinstance(error, WhatsAppError)
    assert str(error) == "(#131047) something"
    assert error.code == 131047
    assert error.subcode == 2494010
    assert error.details == "what went wrong"
    assert error.fbtrace_id == "AbC123"
    assert error.status == 400
    assert "WindowClosed" in repr(error)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_an_unknown_code_on_a_5xx_is_transient(status: int) -> None:
    error = graph_error(status, meta_body(987654))
    assert type(error) is GraphUnavailable
    assert error.retryable


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (500, None, GraphUnavailable),
        (503, "<html>Service Unavailable</html>", GraphUnavailable),
        (429, None, RateLimited),
        (400, None, GraphRejected),
        (404, {"unexpected": True}, GraphRejected),
        (400, {"error": "not an object"}, GraphRejected),
        (400, {"error": {"code": "131047"}}, WindowClosed),
        (400, {"error": {"code": True}}, GraphRejected),
    ],
)
def test_odd_answers_fall_back_on_the_status(status: int, body: Any, cls: type[GraphError]) -> None:
    error = graph_error(status, body)
    assert type(error) is cls
    assert str(error)


def test_a_known_code_wins_over_the_status() -> None:
    assert type(graph_error(500, meta_body(131047))) is WindowClosed
    assert type(graph_error(400, meta_body(130429))) is RateLimited


def test_meta_s_is_transient_flag_makes_an_unknown_code_transient() -> None:
    assert type(graph_error(400, meta_body(555555, is_transient=True))) is GraphUnavailable
    assert type(graph_error(400, meta_body(131047, is_transient=True))) is WindowClosed


def test_error_class_serves_status_webhook_errors_too() -> None:
    assert error_class(131047) is WindowClosed
    assert error_class(131026) is Undeliverable
    assert error_class(None) is GraphRejected


def test_pair_rate_limit_asks_for_a_pause_per_user() -> None:
    error = graph_error(400, meta_body(131056))
    assert error.min_delay >= 6.0
    assert graph_error(400, meta_body(130429)).min_delay == 0.0


def test_graph_error_keeps_its_original_signature() -> None:
    error = GraphError("boom", code=42, retryable=True)
    assert (error.code, error.retryable, error.refresh_token, error.subcode) == (
        42,
        True,
        False,
        None,
    )
    assert GraphError("boom", code=1).retryable is False
    assert graph_error_from_graph is graph_error
