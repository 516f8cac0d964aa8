"""Errors of the dialogue package.

DialogueError
├── FlowError          a flow file is malformed; names the file, the item and the fix
└── ResponseError      a response is missing or malformed in the domain
"""

from __future__ import annotations


class DialogueError(Exception):
    """Base of every error raised by `dialogue`."""


class FlowError(DialogueError):
    pass


class ResponseError(DialogueError):
    pass
