"""``add``: a moderator adds an article from pasted text, a URL or an attached file."""

from __future__ import annotations

import re

from corpus.models import IngestResult

from .context import Context
from .registry import Arg, command
from .types import Field, Privilege, Reply, Request, UserError

_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def preview(results: list[IngestResult]) -> Reply:
    """Say what was added and what was extracted, and why anything was refused."""
    added = [r for r in results if r.status == "added"]
    fields = []
    for r in results[:10]:
        if r.status == "added":
            value = (
                f"{r.outlet or 'outlet unknown'}, {r.published or 'date unknown'} — "
                f"{r.figures} figures, {r.quotes} quotes extracted"
            )
            fields.append(Field(f"Added #{r.article_id}: {r.title}"[:240], value))
        else:
            fields.append(Field(f"Not added: {r.source}"[:240], r.message))
    if len(results) > 10:
        fields.append(Field("…", f"and {len(results) - 10} more"))
    if added:
        text = f"Added {len(added)} of {len(results)} item(s)."
    elif len(results) == 1:
        text = results[0].message
    else:
        text = f"Nothing added from {len(results)} item(s)."
    return Reply(
        "add",
        bool(added),
        text,
        title="Add article",
        fields=fields,
        data={"results": [
            {"source": r.source, "status": r.status, "message": r.message, "article_id": r.article_id,
             "title": r.title, "duplicate_of": r.duplicate_of, "figures": r.figures, "quotes": r.quotes}
            for r in results
        ]},
    )


@command(
    "add",
    "Add an article: paste its text, give its URL, or attach a .txt/.md/.html/.jsonl(.gz) file.",
    args=(Arg("source", "the article text or an http(s) URL", required=False, max_chars=None),),
    privilege=Privilege.MODERATOR,
    example="add https://example.com/news/bakhmut.html",
    slow=True,
    heavy=True,
    accepts_attachments=True,
)
async def add_command(ctx: Context, req: Request) -> Reply:
    source = (req.args.get("source") or "").strip()
    actor = f"{req.user.name} ({req.user.id})"
    results: list[IngestResult] = []
    for att in req.attachments:
        results += await ctx.corpus.ingest_bytes(
            att.data, filename=att.filename, content_type=att.content_type, added_by=actor
        )
    if source:
        if _URL.match(source):
            results += await ctx.corpus.ingest_url(source, added_by=actor)
        else:
            results.append(await ctx.corpus.ingest_text(source, added_by=actor, source=f"pasted by {req.user.name}"))
    if not results:
        raise UserError("Give me something to add: paste the article text, a URL, or attach a file.")
    return preview(results)
