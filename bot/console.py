"""Console chat: type commands as you would in a channel (``ask …`` or ``/ask …``).

It goes through the same registry and dispatch as the chat front ends, so what works
here works on Discord. Input is read in a thread so the event loop stays free for the
digest scheduler or a background ingest.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from rich.console import Console

from handlers.context import Context
from handlers.registry import REGISTRY, dispatch, parse_text_args
from handlers.types import Privilege, Reply, Request, User, UserError

from .render_text import print_reply, to_json

log = logging.getLogger(__name__)

HISTORY_FILE = Path("~/.briefbot_history").expanduser()
EXIT_WORDS = {"quit", "exit", ":q", "bye"}


def parse_line(line: str) -> tuple[str, str] | None:
    """``"/ask how many tanks"`` → ``("ask", "how many tanks")``; blank → None."""
    line = line.strip()
    if not line:
        return None
    name, _, rest = line.partition(" ")
    return name.lstrip("/!").lower(), rest


async def handle_line(ctx: Context, line: str, *, user: User, privilege: Privilege) -> Reply | None:
    parsed = parse_line(line)
    if parsed is None:
        return None
    name, rest = parsed
    cmd = REGISTRY.get(name)
    if cmd is None:
        return Reply.failure(name, f"Unknown command {name!r}. Type `help` for the list.")
    try:
        args = parse_text_args(cmd, rest)
    except UserError as exc:
        return Reply.failure(cmd.name, exc.message)
    return await dispatch(ctx, Request(cmd.name, args, user=user, privilege=privilege, channel="console", text=line))


def _setup_history() -> None:
    try:
        import readline
    except ImportError:  # not every platform has readline
        return
    try:
        readline.read_history_file(HISTORY_FILE)
    except OSError:
        pass
    readline.set_history_length(1000)
    import atexit

    atexit.register(lambda: _save_history(readline))


def _save_history(readline) -> None:
    try:
        readline.write_history_file(HISTORY_FILE)
    except OSError:
        log.debug("could not save console history to %s", HISTORY_FILE)


async def run_console(ctx: Context, *, json_output: bool = False, console: Console | None = None) -> None:
    """Read commands until EOF or ``quit``; print each reply."""
    console = console or Console(highlight=False)
    interactive = sys.stdin.isatty()
    if interactive:
        _setup_history()
        total = await ctx.corpus.store.count_articles()
        console.print(
            f"[bold]briefbot[/] — {total} articles indexed. Type [bold]help[/] for commands, "
            "[bold]quit[/] to leave."
        )
    user = User("console", "console")
    while True:
        try:
            line = await asyncio.to_thread(input, "briefbot> " if interactive else "")
        except EOFError:
            break
        except KeyboardInterrupt:
            break
        if line.strip().lower() in EXIT_WORDS:
            break
        try:
            reply = await handle_line(ctx, line, user=user, privilege=Privilege.OWNER)
        except Exception:
            log.exception("command failed: %s", line[:200])
            reply = Reply.failure(line.split(" ", 1)[0], "Something went wrong running that; see the log.")
        if reply is None:
            continue
        if json_output:
            console.print_json(to_json(reply))
        else:
            print_reply(console, reply, image_dir=Path("charts"))
        console.print()
