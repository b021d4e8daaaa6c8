"""Render a :class:`~handlers.types.Reply` for a terminal (rich) or as JSON."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from handlers.types import Reply


def to_json(reply: Reply) -> str:
    return json.dumps(reply.to_json(), ensure_ascii=False, indent=2)


def print_reply(console: Console, reply: Reply, *, image_dir: Path | None = None) -> None:
    """Print a reply readably: answer first, then evidence, then numbered sources.

    Everything from the corpus is escaped, so article text can never inject rich markup.
    """
    style = "bold red" if reply.error else "bold"
    if reply.title:
        console.print(f"[{style}]{escape(reply.title)}[/]")
    if reply.text:
        console.print(escape(reply.text), style="red" if reply.error else None)
    if reply.table:
        table = Table(show_header=bool(reply.columns), show_lines=False, expand=False)
        for col in reply.columns or [""] * len(reply.table[0]):
            table.add_column(escape(col), overflow="fold")
        for row in reply.table:
            table.add_row(*(escape(str(c)) for c in row))
        console.print(table)
    for f in reply.fields:
        console.print(f"[bold]{escape(f.name)}[/]")
        console.print(textwrap.indent(escape(f.value), "  "))
    if reply.citations:
        console.print("[bold]Sources[/]")
        for i, c in enumerate(reply.citations, 1):
            meta = ", ".join(x for x in (c.outlet, c.published) if x)
            head = f"  {i}. [{c.article_id}] {c.title}" + (f" — {meta}" if meta else "")
            console.print(escape(head))
            if c.url:
                console.print(f"     {escape(c.url)}", style="dim")
            console.print(escape(textwrap.indent(textwrap.fill(f"“{c.sentence}”", 96), "     ")))
    if reply.image is not None and image_dir is not None:
        image_dir.mkdir(parents=True, exist_ok=True)
        path = image_dir / reply.image.filename
        path.write_bytes(reply.image.data)
        console.print(f"[dim]Chart saved to {escape(str(path))}[/]")


def emit(console: Console, reply: Reply, json_output: bool) -> None:
    """Print a command line reply: as one JSON object, or readably (charts saved under ./charts)."""
    if json_output:
        sys.stdout.write(to_json(reply) + "\n")
    else:
        print_reply(console, reply, image_dir=Path("charts"))
