"""The one registry of chat commands that every front end is generated from.

The CLI sub-commands, the console, Discord hybrid commands and Slack commands all read
:data:`REGISTRY`, so a command's name, arguments, help and privilege are declared once
and cannot drift apart between platforms.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import re
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from corpus.errors import CorpusError
from corpus.sources import normalize_text

from .types import PermissionDenied, Privilege, Reply, Request, UserError, with_lead_line

if TYPE_CHECKING:
    from .context import Context

log = logging.getLogger(__name__)

Handler = Callable[["Context", Request], Awaitable[Reply]]

#: Modules that define commands; importing one registers its commands.
COMMAND_MODULES = (
    "handlers.help",
    "handlers.articles",
    "handlers.add",
    "handlers.facts",
    "handlers.digest",
    "handlers.ask",
    "handlers.source",
    "handlers.summary",
    "handlers.compare",
    "handlers.quotes",
    "handlers.who",
    "handlers.timeline",
    "handlers.status",
    "handlers.feeds",
)


@dataclass(slots=True, frozen=True)
class Arg:
    """One argument of a command.

    ``kind`` is ``text`` (free text; the last text argument takes the rest of the line),
    ``word`` (a single token), ``int`` or ``choice``. ``autocomplete`` names a source a
    front end may offer suggestions from: ``article`` or ``entity``.
    """

    name: str
    description: str
    kind: str = "text"
    required: bool = True
    choices: tuple[str, ...] = ()
    default: Any = None
    autocomplete: str | None = None
    #: Longest value accepted: a question or a topic is a line, not a page (a pasted
    #: article sets None); a longer one is refused before any search is spent on it.
    max_chars: int | None = 1000


@dataclass(slots=True, frozen=True)
class Command:
    name: str
    summary: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    privilege: Privilege = Privilege.MEMBER
    example: str = ""
    aliases: tuple[str, ...] = ()
    slow: bool = False  # front ends defer/acknowledge before running it
    heavy: bool = False  # subject to a per-user cooldown on chat platforms
    accepts_attachments: bool = False
    chat: bool = True  # offered on chat platforms (CLI-only commands set False)

    def usage(self) -> str:
        parts = [self.name]
        for a in self.args:
            parts.append(f"<{a.name}>" if a.required else f"[{a.name}]")
        return " ".join(parts)


@dataclass
class Registry:
    commands: dict[str, Command] = field(default_factory=dict)
    _lookup: dict[str, str] = field(default_factory=dict)

    def add(self, command: Command) -> Command:
        for key in (command.name, *command.aliases):
            if key in self._lookup:
                raise ValueError(f"command name or alias {key!r} is already taken by {self._lookup[key]!r}")
        self.commands[command.name] = command
        for key in (command.name, *command.aliases):
            self._lookup[key] = command.name
        return command

    def command(self, name: str, summary: str, **options: Any) -> Callable[[Handler], Handler]:
        """Decorator form of :meth:`add`."""

        def decorator(func: Handler) -> Handler:
            self.add(Command(name=name, summary=summary, handler=func, **options))
            return func

        return decorator

    def get(self, name: str) -> Command | None:
        key = self._lookup.get(name.lower().lstrip("/!"))
        return self.commands.get(key) if key else None

    def __iter__(self):
        return iter(sorted(self.commands.values(), key=lambda c: c.name))

    def for_chat(self) -> list[Command]:
        return [c for c in self if c.chat]


REGISTRY = Registry()
_TOKEN = re.compile(r"""\s*("([^"]*)"|'([^']*)'|(\S+))\s*""")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Characters of a question or topic looked at before it is refused as too long.
MAX_INPUT = 100_000
#: A phrase of up to six words said three or more times in a row ("tanks tanks tanks ...").
_REPEATED = re.compile(r"(?<!\S)(\S+(?:\s+\S+){0,5}?)(?:\s+\1){2,}(?!\S)", re.IGNORECASE)
command = REGISTRY.command


def load_commands() -> Registry:
    """Import every command module once so their decorators have run."""
    for module in COMMAND_MODULES:
        importlib.import_module(module)
    return REGISTRY


def parse_text_args(cmd: Command, text: str) -> dict[str, Any]:
    """Split what a person typed after the command name into its declared arguments.

    Used by the console and prefix commands. Words fill ``word``/``int``/``choice``
    arguments in order; a ``text`` argument swallows the rest of the line so nobody has to
    quote a question.
    """
    args: dict[str, Any] = {}
    rest = text.strip()
    for i, arg in enumerate(cmd.args):
        if not rest:
            break
        if arg.kind == "text" and i == len(cmd.args) - 1:
            args[arg.name] = rest
            rest = ""
            break
        m = _TOKEN.match(rest)
        args[arg.name] = next(g for g in m.groups()[1:] if g is not None)
        rest = rest[m.end():]
    if rest:
        raise UserError(f"Too many arguments. Usage: {cmd.usage()}")
    return args


def coerce_args(cmd: Command, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate and convert arguments; fill defaults. Raises UserError with usage."""
    out: dict[str, Any] = {}
    known = {a.name for a in cmd.args}
    unknown = set(raw) - known
    if unknown:
        raise UserError(f"Unknown argument {sorted(unknown)[0]!r}. Usage: {cmd.usage()}")
    for arg in cmd.args:
        value = raw.get(arg.name)
        if isinstance(value, str):
            # lone surrogates (undecodable bytes on a command line) would make the reply
            # itself unprintable as UTF-8; NUL and control characters go, odd spaces and
            # invisible characters take the one form the corpus text was stored in
            value = normalize_text(_SURROGATE.sub("\ufffd", value)).strip()
            given = len(value)
            if arg.max_chars is not None:
                # a question or topic: full-width and other compatibility forms read as the
                # letters they show, and a phrase pasted over and over is searched once
                value = _REPEATED.sub(r"\1", unicodedata.normalize("NFKC", value[: 4 * MAX_INPUT])).strip()
            if arg.max_chars is not None and len(value) > arg.max_chars:
                raise UserError(
                    f"That {arg.name} is {given:,} characters; `{cmd.name}` takes at most "
                    f"{arg.max_chars:,}. Narrow it down."
                )
        if value in (None, ""):
            if arg.required:
                raise UserError(f"Missing {arg.name}: {arg.description}. Usage: {cmd.usage()}")
            out[arg.name] = arg.default
            continue
        if arg.kind == "int":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise UserError(f"{arg.name} must be a number (got {str(value)[:40]!r}).") from None
        elif arg.kind == "choice" and arg.choices and str(value).lower() not in arg.choices:
            raise UserError(f"{arg.name} must be one of: {', '.join(arg.choices)}.")
        elif arg.kind == "choice":
            value = str(value).lower()
        out[arg.name] = value
    return out


async def _run_handler(ctx: Context, cmd: Command, request: Request) -> Reply:
    """The handler, within the context's time budget when it is a read."""
    if ctx.budget is None or cmd.privilege != Privilege.MEMBER:
        return await cmd.handler(ctx, request)
    try:
        return await asyncio.wait_for(cmd.handler(ctx, request), ctx.budget)
    except TimeoutError:
        log.warning("command %s stopped after %.1f s (over its time budget)", cmd.name, ctx.budget)
        log.debug("the request stopped: %r", request.text[:200])
        raise UserError(
            f"That took longer than {ctx.budget:g} s, so I stopped: the request is too broad. "
            "Narrow it down — fewer words, a name, a place or a date."
        ) from None


async def dispatch(ctx: Context, request: Request, registry: Registry = REGISTRY) -> Reply:
    """Run one request: find the command, check privilege, validate, call the handler.

    Errors meant for the person (UserError, CorpusError) become a failure reply here so
    every front end shows them the same way; anything else propagates to the front end's
    error hook, which logs it.
    """
    cmd = registry.get(request.command)
    if cmd is None:
        log.info("command %r unknown", request.command[:40])
        return Reply.failure(request.command, f"Unknown command {request.command!r}. Try `help`.")
    started = time.perf_counter()
    outcome = "failed"
    try:
        if request.privilege < cmd.privilege:
            raise PermissionDenied(
                f"Sorry, `{cmd.name}` is for {cmd.privilege.name.lower()}s; you are a "
                f"{request.privilege.name.lower()} here."
            )
        request.args = coerce_args(cmd, request.args)
        request.command = cmd.name
        if ctx.admission is not None and cmd.privilege == Privilege.MEMBER:
            # members' reads queue in the lanes; a moderator's write (an add, a feed) is rare
            # and must not be turned away as busy because members are asking for charts
            reply = await ctx.admission.run(cmd.heavy or cmd.slow, lambda: _run_handler(ctx, cmd, request))
        else:
            reply = await _run_handler(ctx, cmd, request)
        reply.text = with_lead_line(reply.text)  # the answer first, short enough for a chat
        outcome = "answered" if reply.answered else "not answered"
        return reply
    except (UserError, CorpusError) as exc:
        outcome = f"refused ({type(exc).__name__})"
        log.debug("command %s refused: %s", cmd.name, exc.message)
        return Reply.failure(cmd.name, exc.message)
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    finally:
        # One line per command for whoever runs the bot: which, how it ended, how long it took
        # and with what privilege. Never the message text (members' words are theirs).
        log.info(
            "command %s %s in %.0f ms (%s)",
            cmd.name, outcome, (time.perf_counter() - started) * 1000, request.privilege.name.lower(),
        )
