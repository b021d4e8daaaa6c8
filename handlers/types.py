"""The typed request and reply every front end speaks.

A handler never sees Discord, Slack or a terminal: it gets a :class:`Request` and
returns a :class:`Reply`. Each front end renders the reply its own way (an embed, Block
Kit, rich text, JSON), so the structure here carries what a renderer needs to paginate
and cite, not pre-formatted strings.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class Privilege(enum.IntEnum):
    """Ordered so a check is a comparison: member < moderator < admin < owner."""

    MEMBER = 0
    MODERATOR = 1
    ADMIN = 2
    OWNER = 3


class UserError(Exception):
    """A request the bot understood but cannot do; the message is shown to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(UserError):
    """The person's privilege is below what the command needs."""


@dataclass(slots=True, frozen=True)
class User:
    id: str
    name: str


@dataclass(slots=True)
class Request:
    """One command invocation, already parsed by the front end."""

    command: str
    args: dict[str, Any] = field(default_factory=dict)
    user: User = field(default_factory=lambda: User("console", "console"))
    privilege: Privilege = Privilege.MEMBER
    channel: str = "console"
    text: str = ""  # the raw text the person typed, for logging and echo
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class Attachment:
    """A file sent with a command (Discord attachment, Slack file); bytes already checked."""

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass(slots=True, frozen=True)
class Citation:
    article_id: int
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    sentence: str

    def label(self) -> str:
        """Short source label such as ``[3] The Daily Beast, 2023-05-12``."""
        bits = [b for b in (self.outlet, self.published) if b]
        return f"[{self.article_id}] " + (", ".join(bits) if bits else self.title)


@dataclass(slots=True, frozen=True)
class Field:
    """A named block of evidence (an embed field on Discord, a section elsewhere)."""

    name: str
    value: str


@dataclass(slots=True, frozen=True)
class Image:
    filename: str
    data: bytes
    description: str = ""


#: The first line of every reply is the answer, short enough to read in a chat.
MAX_ANSWER_LINE = 200


def lead_line(line: str, limit: int = MAX_ANSWER_LINE) -> str:
    """``line`` cut to ``limit`` characters on a word boundary, keeping a trailing
    " · source" label whole: "Olaf Scholz said: “We will send …” · RFE/RL, 2023-01-25"."""
    if len(line) <= limit:
        return line
    head, sep, source = line.rpartition(" · ")
    if not sep or len(source) > limit // 3:
        head, source, sep = line, "", ""
    room = limit - len(sep) - len(source) - 2
    cut = head[:room].rsplit(" ", 1)[0].rstrip(" ,;:—-")
    if cut.count("“") > cut.count("”"):
        cut += "…”"
        return (cut + sep + source) if len(cut + sep + source) <= limit else lead_line(cut[:-2], limit)
    return cut + " …" + sep + source


def with_lead_line(text: str, limit: int = MAX_ANSWER_LINE) -> str:
    """A reply text whose first line is at most ``limit`` characters: a longer one is
    shortened, and the whole of it follows on the next line as evidence."""
    first, nl, rest = text.partition("\n")
    if len(first) <= limit:
        return text
    return lead_line(first, limit) + "\n" + first + (nl + rest if nl else "")


@dataclass(slots=True)
class Reply:
    """A command's answer.

    ``answered`` is False when the corpus does not support an answer (or the request
    failed); the text then says so plainly. ``table`` rows are lists of cells under
    ``columns``. Every fact in ``text``/``fields``/``table`` should be backed by one of
    ``citations``.
    """

    command: str
    answered: bool
    text: str
    title: str | None = None
    fields: list[Field] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    image: Image | None = None
    error: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # machine-readable extras for --json

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "command": self.command,
            "answered": self.answered,
            "title": self.title,
            "text": self.text,
            "fields": [asdict(f) for f in self.fields],
            "columns": list(self.columns),
            "table": [list(r) for r in self.table],
            "citations": [asdict(c) for c in self.citations],
            "image": self.image.filename if self.image else None,
            "error": self.error,
        }
        out.update(self.data)
        return out

    @classmethod
    def failure(cls, command: str, message: str) -> Reply:
        return cls(command=command, answered=False, text=message, error=True)
