"""A terminal chat through the running pipeline, via the simulator. Buttons show as numbers."""

from __future__ import annotations

from typing import Any

import httpx
import typer

Choice = tuple[str, str]  # (id, title)


def describe(body: dict[str, Any]) -> tuple[str, list[Choice]]:
    """The text to show for one sent message, and its choices (buttons or list rows)."""
    if body.get("type") == "text":
        return str(body["text"]["body"]), []
    interactive = body.get("interactive", {})
    text = str(interactive.get("body", {}).get("text", ""))
    action = interactive.get("action", {})
    choices: list[Choice] = [
        (b["reply"]["id"], b["reply"]["title"]) for b in action.get("buttons", [])
    ]
    for section in action.get("sections", []):
        for row in section.get("rows", []):
            title = row["title"] + (f" — {row['description']}" if row.get("description") else "")
            choices.append((row["id"], title))
    return text, choices


def chat_loop(url: str, sender: str, shop: str | None) -> int:
    typer.echo(
        f"Chatting as {sender} through {url}.\n"
        "Type a message; a number picks a choice; Ctrl-D quits."
    )
    choices: list[Choice] = []
    with httpx.Client(timeout=70.0) as http:
        while True:
            try:
                line = input("you> ").strip()
            except EOFError:
                typer.echo()
                return 0
            if not line:
                continue
            request: dict[str, Any] = {"from": sender, "wait": 15, "replies": 1}
            if shop:
                request["phone_number_id"] = shop
            if line.isdigit() and 1 <= int(line) <= len(choices):
                request["button_id"], request["button_title"] = choices[int(line) - 1]
            else:
                request["text"] = line
            try:
                response = http.post(f"{url}/_simulator/send", json=request)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                typer.secho(
                    f"error[WAK002]: the simulator at {url} did not answer ({exc}); "
                    "is `wakala run` running?",
                    fg=typer.colors.RED,
                    err=True,
                )
                return 1
            result = response.json()
            if result["gateway_status"] != 200:
                typer.secho(f"gateway answered {result['gateway_status']}", fg=typer.colors.RED)
            choices = []
            for body in result["replies"]:
                text, new_choices = describe(body)
                typer.secho(f"bot> {text}", fg=typer.colors.CYAN)
                for index, (_, title) in enumerate(new_choices, start=len(choices) + 1):
                    typer.echo(f"     {index}. {title}")
                choices.extend(new_choices)
