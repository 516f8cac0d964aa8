"""The one exception tree of the WhatsApp channel.

Everything this package raises on purpose derives from `WhatsAppError`, so a caller can catch
the whole channel in one clause and still tell the cases apart::

    WhatsAppError
    ├── SignatureError          the POST did not prove it came from Meta: refuse it
    │   ├── MissingSignature        no X-Hub-Signature-256 header
    │   └── InvalidSignature        header malformed or HMAC does not match the raw body
    ├── PayloadError            the body is not a WhatsApp webhook at all: answer 400
    └── GraphError              the Graph API did not take a request (code, subcode, details,
        │                       fbtrace_id, status; `retryable`, `refresh_token`)
        ├── GraphTransient          retry the same request later, with backoff   retryable
        │   ├── RateLimited             4, 80007, 130429, HTTP 429
        │   │   └── PairRateLimited         131056: too fast to one user; pace that chat
        │   ├── GraphUnavailable        131000, 131016, HTTP 5xx
        │   └── GraphUnreachable        no HTTP answer (connect, read, timeout)
        ├── TokenInvalid            190: refresh the token, then resend          refresh_token
        └── GraphRejected           permanent: the same request can never succeed
            ├── InvalidRequest          100, 131008, 131009: our body is wrong (a bug here)
            ├── WindowClosed            131047: 24 h window closed; hold or send a template
            ├── TemplateError           132000-132999: template missing, paused, params...
            ├── Undeliverable           131026, 131049, 131050, 130472: this user, not now
            ├── MediaError              131051, 131052, 131053
            │   └── MediaTooLarge           a download over our size cap (never fetched whole)
            ├── NotPermitted            0, 3, 10, 200-299: auth or permission
            └── AccountRestricted       368, 131031, 130497, 131048: the number is restricted

Codes not in the table are `GraphRejected` unless Meta answered 5xx (`GraphUnavailable`).
`graph_errors.graph_error(status, body)` builds the right class from a Graph answer.
A plain `GraphError` is raised only for a 200 without a message id: Meta probably accepted
the message, so it is not retryable (a retry could deliver it twice).

Webhook bodies that are WhatsApp webhooks but hold kinds we do not know never raise: they
become `UnknownEvent`s with a logged warning (see `parse.py`).
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AccountRestricted",
    "GraphError",
    "GraphRejected",
    "GraphTransient",
    "GraphUnavailable",
    "GraphUnreachable",
    "InvalidRequest",
    "InvalidSignature",
    "MediaError",
    "MissingSignature",
    "NotPermitted",
    "PairRateLimited",
    "PayloadError",
    "RateLimited",
    "SignatureError",
    "TemplateError",
    "TokenInvalid",
    "Undeliverable",
    "WhatsAppError",
    "WindowClosed",
]


class WhatsAppError(Exception):
    """Base of every error the WhatsApp channel raises."""


class SignatureError(WhatsAppError):
    """The request is not proven to come from Meta; the webhook must refuse it."""


# The names are part of the agreed API (they read as verdicts, like httpx's `ReadTimeout`).
class MissingSignature(SignatureError):
    """The X-Hub-Signature-256 header is absent or empty."""


class InvalidSignature(SignatureError):
    """The header is malformed or its HMAC does not match the raw body."""


class PayloadError(WhatsAppError):
    """The body is not a WhatsApp Cloud API webhook (not an object, or no `entry` list)."""


class GraphError(WhatsAppError):
    """The Graph API did not take a request.

    `code` is Meta's numeric error code (0 when Meta gave none; build logic on it, not on
    titles, which Meta deprecates); `status` the HTTP status (None when nothing answered).
    `retryable`: sending the same request again later can succeed. `refresh_token`: it can
    succeed with a fresh access token. `min_delay`: seconds to wait at least before a retry.
    """

    retryable_by_default: ClassVar[bool] = False
    refresh_token_by_default: ClassVar[bool] = False
    min_delay: ClassVar[float] = 0.0

    def __init__(
        self,
        message: str,
        *,
        code: int,
        retryable: bool | None = None,
        subcode: int | None = None,
        details: str | None = None,
        fbtrace_id: str | None = None,
        status: int | None = None,
        refresh_token: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.subcode = subcode
        self.details = details
        self.fbtrace_id = fbtrace_id
        self.status = status
        self.retryable = self.retryable_by_default if retryable is None else retryable
        self.refresh_token = (
            self.refresh_token_by_default if refresh_token is None else refresh_token
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({str(self)!r}, code={self.code}, subcode={self.subcode}, "
            f"status={self.status}, fbtrace_id={self.fbtrace_id!r})"
        )


class GraphTransient(GraphError):
    """Meta is busy or unreachable: the same request can succeed later (back off)."""

    retryable_by_default: ClassVar[bool] = True


class RateLimited(GraphTransient):
    """A throughput limit was hit (app, WABA or phone number): slow down and retry."""


class PairRateLimited(RateLimited):
    """Too many messages to this one user in a short time (131056): pace that conversation."""

    min_delay: ClassVar[float] = (
        6.0  # about one message every 6 s per user (FACTS.md §6, approximate)
    )


class GraphUnavailable(GraphTransient):
    """Meta failed on its side (131000, 131016, HTTP 5xx): retry a few times."""


class GraphUnreachable(GraphTransient):
    """No answer from the Graph API (connection, TLS, timeout): retry."""


class TokenInvalid(GraphError):
    """The access token expired or is invalid (190): refresh it, then resend."""

    refresh_token_by_default: ClassVar[bool] = True


class GraphRejected(GraphError):
    """Meta refused the request for good: resending the same request cannot help."""


class InvalidRequest(GraphRejected):
    """Our body is malformed or over a limit (100, 131008, 131009): a bug on our side."""


class WindowClosed(GraphRejected):
    """The 24-hour customer-service window is closed (131047): hold the message until the
    shopper writes again, or send an approved template instead."""


class TemplateError(GraphRejected):
    """The template does not exist, is paused or disabled, or its parameters do not fit."""


class Undeliverable(GraphRejected):
    """This user cannot get this message (not on WhatsApp, opted out, per-user limits)."""


class MediaError(GraphRejected):
    """Meta could not download, upload or handle the media."""


class MediaTooLarge(MediaError):
    """The media is bigger than we accept; it was not (fully) downloaded."""


class NotPermitted(GraphRejected):
    """The app or token lacks a permission or capability (0, 3, 10, 200-299)."""


class AccountRestricted(GraphRejected):
    """The business number or account is restricted, blocked or flagged for spam."""
