"""``facts``: everything extracted from one article, for checking the extractor."""

from __future__ import annotations

from .articles import _article_or_error
from .cite import article_line
from .context import Context
from .registry import Arg, command
from .types import Field, Reply, Request


def _range(low: float | None, high: float | None) -> str:
    def fmt(v: float | None) -> str:
        if v is None:
            return "?"
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"

    return fmt(low) if low == high else f"{fmt(low)}–{fmt(high)}"


@command(
    "facts",
    "List the figures, quotes, names and dates extracted from one article.",
    args=(Arg("id", "the article id", kind="word", autocomplete="article"),),
    example="facts 2",
)
async def facts_command(ctx: Context, req: Request) -> Reply:
    a = await _article_or_error(ctx, req.args["id"])
    facts = await ctx.corpus.store.get_facts(a.id)
    rows = []
    for f in facts.figures:
        rows.append([
            "figure",
            f.surface,
            f"{_range(f.low, f.high)} {f.unit or ''}".strip(),
            f.qualifier,
            f.kind,
            f.thing or "",
            f.event or "",
            f.party or "",
            f.claimant or "",
            f.time_scope or "",
        ])
    quote_fields = [
        Field(
            f"{q.speaker or 'unattributed'}" + (f" ({q.speaker_role})" if q.speaker_role else ""),
            f"“{q.text}”"[:1000],
        )
        for q in facts.quotes
    ]
    names: dict[str, str] = {}
    for m in facts.mentions:
        names.setdefault(m.text, m.label)
    events = [f"{e.date} ({e.precision}) ← “{e.surface}”" for e in facts.events]
    text_lines = [
        f"{len(facts.figures)} figures, {len(facts.quotes)} quotes, {len(names)} names, {len(events)} dated events.",
    ]
    if names:
        text_lines.append("Names: " + ", ".join(f"{n} ({lab})" for n, lab in sorted(names.items())))
    if events:
        text_lines.append("Dates: " + "; ".join(events))
    return Reply(
        "facts",
        True,
        "\n".join(text_lines),
        title=f"Facts — {article_line(a.summary())}",
        fields=quote_fields,
        columns=["fact", "surface", "value", "qualifier", "kind", "thing", "event", "party", "claimant", "time"],
        table=rows,
        data={
            "figures": [
                {"surface": f.surface, "low": f.low, "high": f.high, "qualifier": f.qualifier, "unit": f.unit,
                 "unit_original": f.unit_original, "thing": f.thing, "kind": f.kind,
                 "thing_head": f.thing_head, "event": f.event, "party": f.party,
                 "claimant": f.claimant, "time_scope": f.time_scope, "start": f.start, "end": f.end}
                for f in facts.figures
            ],
            "quotes": [
                {"text": q.text, "speaker": q.speaker, "speaker_as_written": q.speaker_as_written,
                 "speaker_role": q.speaker_role, "attribution": q.attribution, "start": q.start, "end": q.end}
                for q in facts.quotes
            ],
            "entities": [{"name": n, "label": lab} for n, lab in sorted(names.items())],
            "events": [{"surface": e.surface, "date": e.date, "precision": e.precision} for e in facts.events],
        },
    )
