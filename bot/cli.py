"""The ``briefbot`` command line, generated from the command registry.

Every registry command becomes a sub-command with the same arguments and help as on
chat; ``run``, ``shell``, ``ingest`` and ``sync-commands`` are the runtime's own. The
local operator runs as owner. Settings are built here, in ``main()``, and nowhere else;
running the parsed command is :mod:`bot.runner`'s, imported once ``help`` is ruled out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from corpus.errors import CorpusError
from handlers.registry import REGISTRY, load_commands
from handlers.types import Privilege, Reply, UserError

from .render_text import emit

log = logging.getLogger(__name__)

RUNTIME_COMMANDS = {"run", "shell", "ingest", "sync-commands", "slack-manifest", "backup"}


def _add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the reply as one JSON object")


def build_parser() -> argparse.ArgumentParser:
    load_commands()
    parser = argparse.ArgumentParser(
        prog="briefbot",
        description="A chat briefing bot over news articles: every answer cites its source sentence.",
    )
    parser.add_argument("--db", type=Path, help="SQLite database path (default: $BRIEFBOT_DB or data/briefbot.db)")
    parser.add_argument("--json", action="store_true", default=False, help="print replies as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    # not dest="command": `help` has an argument of that name, which would overwrite it
    sub = parser.add_subparsers(dest="subcommand", metavar="COMMAND")

    p = sub.add_parser("run", help="start the configured front ends (the console when no chat token is set)")
    _add_json(p)
    p = sub.add_parser("shell", help="console chat: type commands as in a channel")
    _add_json(p)
    p = sub.add_parser("ingest", help="add articles from files, directories, .jsonl(.gz) or URLs")
    p.add_argument("sources", nargs="+", metavar="PATH|URL")
    p.add_argument("--no-extract", action="store_true", help="index text only; run `reindex` later for facts")
    _add_json(p)
    p = sub.add_parser("sync-commands", help="publish slash commands to Discord (globally or to one guild)")
    p.add_argument("--guild", type=int, help="guild id to sync to (instant) instead of globally")
    _add_json(p)
    p = sub.add_parser("slack-manifest", help="print the Slack app manifest (paste it in Slack's 'from a manifest')")
    p.add_argument("--request-url", help="public https URL of /slack/events for HTTP mode (default: Socket Mode)")
    p = sub.add_parser("backup", help="copy the database to PATH, safely while the bot runs (see README: Backup)")
    p.add_argument("path", type=Path, metavar="PATH")
    p.add_argument("--force", action="store_true", help="replace PATH if it exists")

    for cmd in REGISTRY:
        if cmd.name in RUNTIME_COMMANDS:
            continue
        p = sub.add_parser(cmd.name, help=cmd.summary, description=cmd.summary, epilog=f"example: briefbot {cmd.example}")
        for arg in cmd.args:
            kwargs: dict = {"help": arg.description}
            if arg.kind == "int":
                kwargs["type"] = int
            if arg.choices:
                kwargs["choices"] = list(arg.choices)
            if arg.kind == "text":
                kwargs["nargs"] = "+" if arg.required else "*"
            elif not arg.required:
                kwargs["nargs"] = "?"
            p.add_argument(arg.name, **kwargs)
        if cmd.name == "feeds":  # the command line also polls, for cron users
            p.add_argument("action", nargs="?", choices=["poll"], help="poll the feeds that are due now")
            p.add_argument("--once", action="store_true", help="with poll: one pass, then exit (for cron)")
        _add_json(p)
    return parser


def _help(ns: argparse.Namespace) -> int:
    """Answer ``help`` from the registry alone: no settings, database or event loop.

    It is the command a new user runs first, so it should not pay for what it does not use.
    """
    from handlers.help import help_reply

    try:
        reply = help_reply(ns.command, Privilege.OWNER)
    except UserError as exc:
        reply = Reply.failure("help", exc.message)
    emit(Console(highlight=False, stderr=False), reply, bool(getattr(ns, "json", False)))
    return 0 if not reply.error else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    if ns.subcommand == "help":
        return _help(ns)
    # imported here, not at the top: pydantic-settings is a tenth of a second `help` need not pay
    from .settings import Settings

    settings = Settings()
    if ns.db is not None:
        settings.db = ns.db
    level = logging.DEBUG if ns.verbose else getattr(logging, settings.log_level.upper(), logging.INFO)
    chat = settings.discord_token is not None or settings.slack_bot_token is not None
    if not ns.verbose and not (ns.subcommand in (None, "run") and chat):
        # a one-shot command prints its answer and the console is a chat: neither wants a log
        level = max(level, logging.WARNING)
    logging.basicConfig(level=level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    log.debug("settings: %s", json.dumps(settings.redacted(), default=str))
    from .runner import run  # the corpus service, extractor and feeds: not for `help`

    try:
        return asyncio.run(run(ns, settings))
    except CorpusError as exc:
        print(f"briefbot: {exc.message}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
