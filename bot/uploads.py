"""Files people send with ``add``, judged by what the platform says of them (name, size)
before a download is spent on them: one rule for Discord attachments and Slack files."""

from __future__ import annotations

from handlers.types import UserError

#: The files ``add`` reads (what :mod:`corpus.sources` ingests by name).
ATTACHMENT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".jsonl.gz")


def check_upload(name: str, size: int, max_bytes: int, *, verb: str = "attach") -> None:
    """Refuse a file by its declared name and size; ``verb`` is how the platform calls
    sending one ("attach" on Discord, "share" on Slack)."""
    shown = name if len(name) <= 80 else name[:79].rstrip() + "…"
    if not name.lower().endswith(ATTACHMENT_SUFFIXES):
        raise UserError(f"I can't read {shown!r}: {verb} a .txt, .md, .html, .htm, .jsonl or .jsonl.gz file.")
    if size > max_bytes:
        raise UserError(f"{shown} is {size:,} bytes; the limit is {max_bytes:,}.")
