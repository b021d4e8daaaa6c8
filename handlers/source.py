"""``source``: which indexed articles state a claim, who said it, and who says otherwise.

People paste a claim in their own words ("rifles got so hot they had to be swapped out"),
so matching cannot demand the article's wording: candidate sentences come from bm25 over
the claim's rarest words and are re-ranked by weighted word coverage and token-set
similarity, with a floor so an unrelated claim is reported as not found rather than
matched to whatever shares a word. A number in the claim must be in the sentence for it to
count as support; a sentence that gives another number for the same thing, and any other
stored figure on the same measure (the same kind, counted thing, event and party, by
:func:`corpus.measure.same_measure`), is listed as a source that differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from corpus.extract.claims import NEGATIONS, ClaimParse
from corpus.extract.numbers import SCALES
from corpus.language import event_class, event_key, event_words, negative_verbs, norm, paraphrases
from corpus.measure import SameName, thing_key
from corpus.models import FigureHit, QuoteHit

from .answering import (
    Query,
    RankedSentence,
    TextIndex,
    analyse,
    closest_facts,
    content_words,
    coverage,
    dedupe_figures,
    figure_citation,
    figure_line,
    figure_record,
    name_test,
    number_mentions,
    numbers_of,
    parties_named,
    party_fits,
    quoted,
    ranked_sentences,
    same_measure_hits,
    same_number,
    sentence_citation,
    sentence_contexts,
    source_label_hit,
    window,
)
from .cite import dedupe
from .context import Context
from .lookup import name_index
from .registry import Arg, command
from .types import Field, Reply, Request

#: Below these a sentence shares words with the claim but does not state it.
MIN_COVERAGE = 0.6
MIN_SIMILARITY = 50.0


@dataclass(slots=True)
class Match:
    ranked: RankedSentence
    status: str  # supports | differs | partial
    speakers: list[str] = field(default_factory=list)
    claimants: list[str] = field(default_factory=list)
    figures: list[FigureHit] = field(default_factory=list)


def _with_event_words(query: Query) -> Query:
    """The claim with its event words widened to their event class, so a reworded claim meets
    the sentence: "Tesco is axing 3,000 jobs" is stated by "Tesco said it would cut 3,000 jobs",
    "Germany will send 14 tanks" by "Scholz announced the supply of 14 tanks"."""
    terms = []
    for t in query.terms:
        words = event_words(event_class(event_key(t.label))) if not t.entity and " " not in t.label else ()
        if len(words) > 1:
            t = replace(t, alts=tuple(dict.fromkeys([*t.alts, *words])))
        terms.append(t)
    return replace(query, terms=terms, ranked={})


def _accept(r: RankedSentence, query: Query) -> bool:
    strong = [t for t in query.terms if not t.generic]
    matched_strong = [t for t in r.matched if not t.generic]
    if len(matched_strong) < min(2, len(strong)):
        return False
    missed_entities = [t for t in r.missed if t.entity and not t.generic]
    floor = MIN_COVERAGE if not missed_entities else 0.75
    # A long sentence that covers most of a short claim scores low on similarity; coverage
    # alone is enough when it is high.
    return r.coverage >= floor and (r.similarity >= MIN_SIMILARITY or r.coverage >= 0.7)


_CHANGE_VERBS = frozenset(
    "rose rise rises fell fall falls reached reach stood stands totalled totaled grew grow".split()
)


def _states(parse: ClaimParse, text: str) -> bool:
    """Whether a sentence asserts what the claim's verbs assert, negated alike: each of the
    claim's content verbs is in the sentence (or a word standing for it), and "not", "never"
    sits before the first of them in both or in neither."""
    if not parse.predicates:
        return True
    idx = TextIndex.of(text)
    seq = idx.seq
    first = len(seq)
    for p in parse.predicates:
        alts = [p, *paraphrases(p), *event_words(event_class(event_key(p.split()[0])))]
        if not any(idx.has(a) for a in alts):
            return False
        # where the sentence says it: the claim's own word first, then the words for it
        own = norm(p.split()[0])
        keys = {norm(a) for a in alts if " " not in a} | {norm(a.split()[0]) for a in alts if " " in a}
        at = next((i for i, k in enumerate(seq) if k == own), None)
        if at is None:
            at = next((i for i, k in enumerate(seq) if k in keys), None)
        if at is not None:
            first = min(first, at)
    # "not", "never", or a verb that denies the one it governs ("stopped recruiting")
    before = seq[max(0, first - 4) : first] if first < len(seq) else ()
    negated = any(w in NEGATIONS or w in negative_verbs() for w in before)
    return negated == parse.negated


def _counted_terms(query: Query, claim: str) -> list:
    """The query terms a sentence must hold to count what the claim's numbers count: the
    counted noun and any proper-name modifier ("Leopard" in "14 Leopard tanks"), but not
    common-noun modifiers a paraphrase may drop ("member" in "31 member states")."""
    needed: set[str] = set()
    for m in number_mentions(claim):
        words = []
        for w in content_words(claim[m.end:]):
            if numbers_of(w):
                continue
            if w.lower().endswith("ed") and len(w) > 4 and not w[:1].isupper() and words:
                break  # "three United directors voted off": the verb ends the counted phrase
            words.append(w)
            if len(words) == 3:
                break
        if not words:
            # "US troop presence rose to 24,000": the counted thing comes before the number.
            words = [w for w in content_words(claim[: m.start]) if not numbers_of(w)]
            words = [w for w in words if w.lower() not in _CHANGE_VERBS and not w.lower().endswith("ed")][-3:]
        for i, w in enumerate(words):
            if i == len(words) - 1 or w[:1].isupper():
                needed.add(w.lower())
    return [t for t in query.terms if t.label.lower() in needed or any(a.lower() in needed for a in t.alts)]


def _counts(h: FigureHit, counted: list, parties: list[str], same_name: SameName | None = None) -> bool:
    """Whether a figure counts what the claim's number counts ("three months" does not count
    tanks), for the party the claim names ("121 seats" of the Conservatives is not Labour's)."""
    if party_fits(parties, h.figure.party, same_name) is False:
        return False
    around = (h.figure.thing or "") + " " + " ".join(window(h.sentence, h.figure.surface, before=1, after=4))
    return not counted or coverage(counted, around)[0] >= 0.999


def _numbers_of(r: RankedSentence, figures: list[FigureHit]) -> list[float]:
    values = numbers_of(r.hit.text)
    for h in figures:
        values += [v for v in (h.figure.low, h.figure.high) if v is not None]
    return values


async def _differing_figures(
    ctx: Context, mine: list[FigureHit], exclude: set[tuple[int, str]], same_name: SameName | None = None
) -> list[FigureHit]:
    """Stored figures on the same measure as ``mine`` (:func:`same_measure_hits`: the same
    kind, counted thing, event and party) but with another value."""
    out: list[FigureHit] = []
    store = ctx.corpus.store
    for h in mine[:3]:
        f = h.figure
        if not f.thing and not f.thing_head:
            continue  # nothing says what it counts
        candidates = await store.figures_by_head([f.thing_head]) if f.thing_head else []
        words = content_words(f.thing or "")
        if words:
            head, others = words[-1], words[:-1]
            candidates += await store.match_figures([[head]], [others] if others else [], limit=50)
            if others:
                candidates += await store.match_figures([[head]], limit=30, recent=True)
        for c in dedupe_figures(candidates):
            if (c.article.id, c.sentence) in exclude:
                continue
            if (c.figure.low, c.figure.high) == (f.low, f.high):
                continue
            if same_measure_hits(h, c, same_name):
                out.append(c)
    return dedupe_figures(out)


def _attribution(r: RankedSentence, quotes: list[QuoteHit], figures: list[FigureHit]) -> tuple[list[str], list[str]]:
    start, end = r.hit.start, r.hit.end
    speakers = []
    for q in quotes:
        if q.article.id == r.hit.article_id and start <= q.quote.start < end and q.quote.speaker:
            label = q.quote.speaker + (f" ({q.quote.speaker_role})" if q.quote.speaker_role else "")
            if label not in speakers:
                speakers.append(label)
    claimants = []
    for h in figures:
        if h.figure.claimant and h.figure.claimant not in claimants:
            claimants.append(h.figure.claimant)
    return speakers, claimants


def _describe(m: Match) -> str:
    who = []
    if m.speakers:
        who.append("said by " + "; ".join(m.speakers))
    if m.claimants:
        who.append("figure attributed to " + "; ".join(m.claimants))
    tail = f" — {', '.join(who)}" if who else ""
    return f"{source_label_hit(m.ranked.hit)}: “{quoted(m.ranked.hit.text, 400)}”{tail}"


@command(
    "source",
    "Find which articles state a claim (even reworded), who said it, and which sources differ.",
    args=(Arg("claim", "the claim to look for, in your own words"),),
    example="source Germany will send 14 Leopard tanks",
)
async def source_command(ctx: Context, req: Request) -> Reply:
    claim = str(req.args["claim"]).strip()[:500]
    query = _with_event_words(await analyse(ctx, claim))
    parse = await ctx.corpus.parse_claim(claim)
    ranked = await ranked_sentences(ctx, query, limit=80)
    # Numbers are checked on their own below; in the coverage they would make every sentence
    # with another figure look unrelated.
    # A number's scale word belongs to the number ("500 million" / "500 mln"), checked with it.
    # A verb that only negates another ("refused to send") is checked as a negation, by
    # :func:`_states`, not looked for as a word: "could not be sent" states it.
    word_terms = [
        t for t in query.terms
        if not numbers_of(t.label) and t.label.lower() not in SCALES and t.label not in parse.negators
    ] or query.terms
    rescored = []
    contexts = await sentence_contexts(ctx, [r.hit for r in ranked[:40]])
    for r in ranked:
        cov, matched, missed = coverage(word_terms, r.hit.text, contexts.get(r.hit.sentence_id))
        rescored.append(RankedSentence(r.hit, cov, r.similarity, matched, missed))
    rescored.sort(key=lambda r: (-r.score, r.hit.score))
    words_only = Query(query.text, query.corrected, query.corrections, query.entities, word_terms, query.numbers)
    accepted = [r for r in rescored if _accept(r, words_only)][:12]
    data: dict = {"claim": claim, "corrected": query.corrected, "corrections": dict(query.corrections)}
    if not accepted:
        closest = await closest_facts(ctx, query)
        lines = [f"No indexed article states that {claim.rstrip('.?! ')}."]
        if closest.lines:
            lines.append("Closest sentences in the corpus:")
            lines += [f"• {line}" for line in closest.lines]
        data.update(sources=[], differ=[], closest=[c.sentence for c in closest.citations])
        return Reply("source", False, "\n".join(lines), title="Claim not found",
                     citations=dedupe(closest.citations), data=data)

    store = ctx.corpus.store
    article_ids = sorted({r.hit.article_id for r in accepted})
    all_quotes = await store.quotes_for_articles(article_ids)
    all_figures = await store.figures_for_articles(article_ids)
    counted = _counted_terms(query, claim)
    parties = parties_named(query)
    same_name = name_test(await name_index(ctx))
    matches: list[Match] = []
    for r in accepted:
        figs = [
            h for h in all_figures
            if h.article.id == r.hit.article_id and r.hit.start <= h.figure.start < r.hit.end
        ]
        if query.numbers:
            values = _numbers_of(r, figs)
            # The words the claim's number counts must be there too: "14 Challenger 2 tanks"
            # does not state "14 Leopard tanks".
            # a name the sentence leaves to its neighbours or title ("the Red Devils" for
            # United) still says whose they are
            here, around = TextIndex.of(r.hit.text), contexts.get(r.hit.sentence_id)
            same_count = all(
                any(here.has(a) or (t.entity and around is not None and around.has(a)) for a in t.alts)
                for t in counted
            )
            if not same_count:
                status = "partial"
            elif all(any(same_number(n, v) for v in values) for n in query.numbers):
                status = "supports"
            elif any(_counts(h, counted, parties, same_name) for h in figs) and not any(
                t.entity and not t.generic for t in r.missed
            ):
                status = "differs"  # another number for the same thing from the same actor
            else:
                status = "partial"
        else:
            status = "supports"
        if status == "supports" and not _states(parse, r.hit.text):
            status = "partial"  # about the same things, but says something else of them
        speakers, claimants = _attribution(r, all_quotes, figs)
        matches.append(Match(r, status, speakers, claimants, figs))

    supports = [m for m in matches if m.status == "supports"]
    differs = [m for m in matches if m.status == "differs"]
    partial = [m for m in matches if m.status == "partial"]

    if not supports:
        lines = [f"No indexed article states that {claim.rstrip('.?! ')}."]
        if differs:
            lines.append("Other sources differ:")
            lines += [f"• {_describe(m)}" for m in differs[:6]]
        near = partial[:3] if partial else []
        if near:
            lines.append("Closest sentences in the corpus:")
            lines += [f"• {_describe(m)}" for m in near]
        cites = [sentence_citation(m.ranked.hit) for m in differs[:6] + near]
        data.update(sources=[], differ=[m.ranked.hit.text for m in differs[:6]])
        return Reply("source", False, "\n".join(lines), title="Claim not found as stated",
                     citations=dedupe(cites), data=data)

    # Other sources differ on a number the claim states; a claim with no number ("the LSE
    # rejected the offer") has no figure to be contradicted on.
    mine = [
        h for m in supports for h in m.figures
        if any(same_number(n, v) for n in query.numbers for v in (h.figure.low, h.figure.high) if v is not None)
    ]
    exclude = {(m.ranked.hit.article_id, m.ranked.hit.text) for m in supports}
    differing = await _differing_figures(ctx, mine, exclude, same_name)
    differ_sentences = {(m.ranked.hit.article_id, m.ranked.hit.text) for m in differs}
    differing = [h for h in differing if (h.article.id, h.sentence) not in differ_sentences]

    n_articles = len({m.ranked.hit.article_id for m in supports})
    lines = [f"Stated in {n_articles} article{'s' if n_articles != 1 else ''}:"]
    lines += [f"• {_describe(m)}" for m in supports[:8]]
    if differs or differing:
        lines.append("Other sources differ:")
        lines += [f"• {_describe(m)}" for m in differs[:5]]
        grouped: dict[tuple, list[FigureHit]] = {}
        for h in differing:
            grouped.setdefault((h.figure.low, h.figure.high, thing_key(h.figure.thing)), []).append(h)
        differing = [g[0] for g in grouped.values()]
        for g in list(grouped.values())[:5]:
            more = len({x.article.id for x in g}) - 1
            extra = f" (also in {more} more article{'s' if more > 1 else ''})" if more else ""
            lines.append(f"• {figure_line(g[0])}{extra} — “{quoted(g[0].sentence)}”")
    if query.corrections:
        lines.append("(Read " + ", ".join(f"“{a}” as “{b}”" for a, b in query.corrections.items()) + ".)")
    cites = [sentence_citation(m.ranked.hit) for m in supports[:8]]
    cites += [sentence_citation(m.ranked.hit) for m in differs[:5]]
    cites += [figure_citation(h) for h in differing[:5]]
    fields = [
        Field(source_label_hit(m.ranked.hit), (", ".join(m.speakers + m.claimants) or "no speaker or claimant named"))
        for m in supports[:8]
    ]
    data.update(
        sources=[
            {"article_id": m.ranked.hit.article_id, "outlet": m.ranked.hit.outlet, "published": m.ranked.hit.published,
             "sentence": m.ranked.hit.text, "speakers": m.speakers, "claimants": m.claimants,
             "coverage": round(m.ranked.coverage, 3), "similarity": round(m.ranked.similarity, 1)}
            for m in supports[:8]
        ],
        differ=[m.ranked.hit.text for m in differs[:5]] + [h.sentence for h in differing[:5]],
        differing_figures=[figure_record(h) for h in differing[:5]],
    )
    return Reply("source", True, "\n".join(lines), title=f"Sources for: {claim}", fields=fields,
                 citations=dedupe(cites), data=data)

