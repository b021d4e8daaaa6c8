"""Browsing and maintaining the corpus: ``articles``, ``article``, ``remove``, ``reindex``."""

from __future__ import annotations

from .cite import article_line
from .context import Context
from .registry import Arg, command
from .types import Field, Privilege, Reply, Request, UserError


@command(
    "articles",
    "List indexed articles, newest first, optionally filtered by title, outlet or author.",
    args=(
        Arg("query", "words in the title, outlet or author", required=False),
    ),
    example="articles Bakhmut",
)
async def articles_command(ctx: Context, req: Request) -> Reply:
    query = req.args.get("query")
    rows = await ctx.corpus.store.list_articles(query, limit=50)
    total = await ctx.corpus.store.count_articles()
    if not rows:
        what = f" matching {query!r}" if query else ""
        return Reply("articles", False, f"No indexed article{what}. {total} articles in all.")
    table = [
        [str(a.id), a.title, a.outlet or "", (a.published or "") + (" (inferred)" if a.published_inferred else "")]
        for a in rows
    ]
    head = f"{len(rows)} of {total} articles" + (f" matching {query!r}" if query else "")
    return Reply(
        "articles",
        True,
        head,
        title="Articles",
        columns=["id", "title", "outlet", "published"],
        table=table,
        data={"articles": [{"id": a.id, "title": a.title, "outlet": a.outlet, "published": a.published} for a in rows]},
    )


async def _article_or_error(ctx: Context, raw: object):
    try:
        article_id = int(str(raw).lstrip("#"))
    except ValueError:
        raise UserError(f"Article ids are numbers (got {str(raw)[:40]!r}). Try `articles` to see them.") from None
    article = await ctx.corpus.store.get_article(article_id)
    if article is None:
        raise UserError(f"There is no article {article_id}. Try `articles` to see what is indexed.")
    return article


@command(
    "article",
    "Show one article's metadata and what was extracted from it.",
    args=(Arg("id", "the article id (see `articles`)", kind="word", autocomplete="article"),),
    example="article 3",
)
async def article_command(ctx: Context, req: Request) -> Reply:
    a = await _article_or_error(ctx, req.args["id"])
    counts = await ctx.corpus.store.article_fact_counts(a.id)
    published = (a.published or "unknown") + (" (inferred from the text)" if a.published_inferred else "")
    fields = [
        Field("Outlet", a.outlet or "unknown"),
        Field("Author", a.author or "unknown"),
        Field("Published", published),
        Field("URL", a.url or "none"),
        Field("Source", a.source),
        Field("Added", f"{a.added_at} by {a.added_by}"),
        Field("Size", f"{a.word_count:,} words"),
        Field(
            "Extracted",
            f"{counts['figures']} figures, {counts['quotes']} quotes, "
            f"{counts['mentions']} name mentions, {counts['events']} dated events",
        ),
    ]
    first = a.text.split("\n\n", 1)[0]
    return Reply(
        "article",
        True,
        first[:600],
        title=article_line(a.summary()),
        fields=fields,
        data={"article": {"id": a.id, "title": a.title, "outlet": a.outlet, "author": a.author,
                          "published": a.published, "published_inferred": a.published_inferred,
                          "url": a.url, "source": a.source, "counts": counts}},
    )


@command(
    "remove",
    "Remove an article and everything extracted from it.",
    args=(Arg("id", "the article id to remove", kind="word", autocomplete="article"),),
    privilege=Privilege.MODERATOR,
    example="remove 7",
)
async def remove_command(ctx: Context, req: Request) -> Reply:
    a = await _article_or_error(ctx, req.args["id"])
    removed = await ctx.corpus.remove(a.id, actor=f"{req.user.name} ({req.user.id})")
    if removed is None:
        raise UserError(f"Article {a.id} was already removed.")
    return Reply("remove", True, f"Removed article {a.id}: {a.title}", data={"removed": a.id})


@command(
    "reindex",
    "Re-extract the facts of every article (after an extractor update).",
    privilege=Privilege.MODERATOR,
    example="reindex",
    slow=True,
)
async def reindex_command(ctx: Context, req: Request) -> Reply:
    done = await ctx.corpus.reindex(actor=f"{req.user.name} ({req.user.id})")
    return Reply("reindex", True, f"Re-extracted facts for {done} articles.", data={"reindexed": done})
