"""A small Graph API client for sending messages. I/O goes through an injectable httpx client.

Every failure is translated at this boundary into the `GraphError` tree (`errors.py`), so
callers decide on `retryable`, `refresh_token` or the class (e.g. `WindowClosed`) alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from channels.whatsapp.errors import GraphError, GraphUnreachable, MediaError, MediaTooLarge
from channels.whatsapp.graph_errors import TRANSIENT_CODES, graph_error
from channels.whatsapp.render import Body, render_mark_read

__all__ = ["TRANSIENT_CODES", "GraphClient", "Media", "graph_error"]


@dataclass(frozen=True, slots=True)
class Media:
    media_id: str
    mime_type: str
    content: bytes


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class GraphClient:
    def __init__(self, base_url: str, version: str, http: httpx.AsyncClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.version = version
        self.http = http

    async def send(self, phone_number_id: str, token: str, body: Body) -> str:
        """Send one message body (from `render`) and return its `wamid`.

        A 200 means Meta *accepted* the message; delivery or failure arrives later as a
        status webhook. Raises a `GraphError` subclass.
        """
        status, payload = await self._post(phone_number_id, token, body)
        try:
            return str(payload["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            raise GraphError(
                f"Graph API answered 200 without a message id: {payload!r}",
                code=0,
                retryable=False,  # it was probably sent: a retry could deliver it twice
                status=status,
            ) from exc

    async def mark_read(
        self, phone_number_id: str, token: str, message_id: str, *, typing: bool = True
    ) -> None:
        """Mark the shopper's message read (blue ticks), with a typing bubble if `typing`.

        The bubble shows until we reply or for about 25 seconds. Raises a `GraphError` subclass.
        """
        await self._post(phone_number_id, token, render_mark_read(message_id, typing=typing))

    async def download_media(self, media_id: str, token: str, *, max_bytes: int) -> Media:
        """Fetch an inbound message's media: the media id gives a short-lived URL (5 minutes),
        which is fetched with the same bearer token. Refuses anything over `max_bytes`
        without reading it whole (the declared size first, then while streaming)."""
        headers = {"Authorization": f"Bearer {token}"}
        try:
            response = await self.http.get(
                f"{self.base_url}/{self.version}/{media_id}", headers=headers
            )
        except httpx.HTTPError as exc:
            raise GraphUnreachable(f"Graph API unreachable: {exc!r}", code=0) from exc
        if response.status_code != 200:
            raise graph_error(response.status_code, _json(response))
        info = _json(response) or {}
        url, declared = info.get("url"), int(info.get("file_size") or 0)
        if not url:
            raise MediaError(f"media {media_id} has no download URL", code=131052)
        if declared > max_bytes:
            raise MediaTooLarge(f"media is {declared} bytes, over {max_bytes}", code=131052)
        content = await self._stream(str(url), headers, max_bytes)
        return Media(media_id, str(info.get("mime_type") or ""), content)

    async def _stream(self, url: str, headers: dict[str, str], max_bytes: int) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            async with self.http.stream(
                "GET", url, headers=headers, follow_redirects=True
            ) as response:
                if response.status_code != 200:
                    raise MediaError(f"media download answered {response.status_code}", code=131052)
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise MediaTooLarge(f"media is over {max_bytes} bytes", code=131052)
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise GraphUnreachable(f"media download failed: {exc!r}", code=0) from exc
        return b"".join(chunks)

    async def _post(self, phone_number_id: str, token: str, body: Body) -> tuple[int, Any]:
        url = f"{self.base_url}/{self.version}/{phone_number_id}/messages"
        try:
            response = await self.http.post(
                url, json=body, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise GraphUnreachable(f"Graph API unreachable: {exc!r}", code=0) from exc
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code != 200:
            raise graph_error(response.status_code, payload)
        return response.status_code, payload
