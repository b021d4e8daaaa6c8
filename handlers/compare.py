"""``compare TOPIC``: what different sources say a number is, side by side.

Casualty counts, tank pledges, seat tallies, bid prices and sales figures are exactly where
outlets, governments, companies and analysts disagree, and where a chat answer is most
tempted to pick one. This command never picks. It finds every extracted figure the topic
names — by what it counts, the event it measures, whose it is and what kind of figure it is
— groups them with :func:`corpus.measure.comparable` (the one "same measure" test every
command uses, plus: a generic count is not set against a make's),
shows each with its wording kept ("hundreds of thousands") beside the range used for the
chart, names who claims it and where it was published, and says plainly when sources on the
same measure and the same party differ.

Nothing here knows a story: topic words are matched against the figures' own structure
through the language layer, and typos are corrected against the words figures count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from corpus.extract import gazetteer
from corpus.language import (
    STOP_WORDS,
    event_class,
    event_key,
    event_words,
    kind_word,
    norm,
    noun_groups,
    thing_events,
    tokens,
)
from corpus.measure import comparable, events_of, measure_label, party_key, same_party, thing_words
from corpus.models import FigureHit, SentenceHit

from . import cite
from .answering import TextIndex, value_text, vocabulary
from .chart import Bar, draw
from .context import Context, per_generation
from .registry import Arg, command
from .types import Citation, Image, Reply, Request

MAX_ROWS = 24
#: Topic words that ask for a comparison rather than name what to compare (beside stop words).
_TOPIC_NOISE = frozenset(
    """vs versus compare comparison number numbers figure figures estimate estimates estimated total side
    sides how many much""".split()
)
_WORD = re.compile(r"[\w$%£€’'-]+", re.UNICODE)
#: Words of the sentence either side of a figure that may say what it counts.
_WINDOW = 8


def _fmt_number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def figure_value(hit: FigureHit) -> str:
    """A figure as a normalized value: ranges as low–high, currency and unit kept."""
    f = hit.figure
    if f.low is None and f.high is None:
        return f.surface
    low = f.low if f.low is not None else f.high
    high = f.high if f.high is not None else f.low
    value = _fmt_number(low) if low == high else f"{_fmt_number(low)}–{_fmt_number(high)}"
    prefix = {"at_least": "≥ ", "more_than": "> ", "upper_bound": "up to ", "less_than": "< ", "approx": "≈ "}
    value = prefix.get(f.qualifier, "") + value
    if f.unit == "USD":
        value = "$" + value
    elif f.unit == "%":
        value += "%"
    elif f.unit:
        value = f"{value} {f.unit}"
    return value


def figure_wording(hit: FigureHit) -> str:
    """A figure exactly as the source wrote it (:func:`handlers.answering.value_text`); the
    normalised range is for ordering, grouping and the chart."""
    return value_text(hit.figure)


# --------------------------------------------------------------------------- the topic


@dataclass(slots=True)
class Plan:
    """What a topic asks for: the words a figure must cover, the parties, the kinds."""

    topic: str
    words: list[str] = field(default_factory=list)  # as typed or corrected
    parties: list[str] = field(default_factory=list)  # canonical countries asked about
    kinds: tuple[str, ...] = ()
    corrected: dict[str, str] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return [norm(w) for w in self.words]

    @property
    def required(self) -> list[str]:
        """Keys a figure must cover: a word that only asks for a kind of figure ("share",
        "price") helps rank, but a figure need not repeat it ("16.1% of the vote")."""
        return [norm(w) for w in self.required_words]

    @property
    def required_words(self) -> list[str]:
        return [w for w in self.words if not kind_word(w)]


async def topic_vocabulary(ctx: Context) -> list[str]:
    """Words a topic may be corrected to: what figures count and whose they are."""

    async def build() -> list[str]:
        store = ctx.corpus.reader
        words: set[str] = set()
        for text in [*await store.figure_things(limit=3000), *await store.figure_parties(limit=2000)]:
            for w in _WORD.findall(text.lower()):
                if len(w) >= 4 and not w.isdigit():
                    words.add(w)
        return sorted(words)

    return await per_generation(ctx, "compare_vocabulary", build)


def _inside_a_name(words: list[str], i: int) -> bool:
    """Whether ``words[i]`` is part of a run of capitalised words that is not all places."""

    def name_word(j: int) -> bool:
        return 0 <= j < len(words) and words[j][:1].isupper() and not gazetteer.country_forms(words[j])

    return words[i][:1].isupper() and (name_word(i - 1) or name_word(i + 1))


async def plan_topic(ctx: Context, topic: str) -> Plan:
    """Read a topic into words, parties and kinds, correcting typos word by word."""
    plan = Plan(topic)
    vocab: list[str] | None = None
    kinds: list[str] = []
    written_words = _WORD.findall(topic)
    for i, written in enumerate(written_words):
        word = written.strip("'’-")
        low = word.lower()
        if not low or low in _TOPIC_NOISE or (low in STOP_WORDS and not word.isupper()):
            continue
        forms = gazetteer.country_forms(word)
        if forms and _inside_a_name(written_words, i):
            forms = ()  # "London" in "London Stock Exchange" names the exchange, not Britain
        if forms:
            if forms[0] not in plan.parties:
                plan.parties.append(forms[0])
            continue
        kind = kind_word(low)
        if kind:
            kinds.append(kind)
            if low in ("$", "£", "€", "%") or low in _TOPIC_NOISE:
                continue
        if len(low) >= 4 and not low.isdigit():
            if vocab is None:
                vocab = await topic_vocabulary(ctx)
            if low not in vocab and not kind:
                hit = process.extractOne(low, vocab, scorer=fuzz.ratio, score_cutoff=75)
                if hit is not None:
                    plan.corrected[low] = hit[0]
                    word = hit[0]
        plan.words.append(word)
    plan.kinds = tuple(dict.fromkeys(kinds))
    return plan


# --------------------------------------------------------------------------- matching


def _window(hit: FigureHit) -> TextIndex:
    """The words around the number, indexed as ``ask`` and ``source`` index a sentence."""
    f = hit.figure
    words = tokens(hit.sentence)
    surface = tokens(f.surface)
    at = next((i for i in range(len(words)) if words[i : i + len(surface)] == surface), None)
    if at is None:
        return TextIndex.of("")
    return TextIndex.of(" ".join(words[max(0, at - _WINDOW) : at + len(surface) + _WINDOW]))


def _structured_keys(hit: FigureHit) -> set[str]:
    f = hit.figure
    keys = set(thing_words(f.thing))
    if f.thing_head:
        keys.add(f.thing_head)
    for e in (f.event or "").split():
        keys |= {e, event_key(e), event_class(event_key(e))}
    keys |= {norm(w) for w in tokens(f.party or "")}
    return keys


def _covers(hit: FigureHit, word: str, structured: set[str], window: TextIndex) -> int:
    """How well a figure covers one topic word: 2 through its structure (what it counts,
    its event, its party), 1 through the words around the number (matched as ``ask`` and
    ``source`` match a term: any inflection, a prefix, a typo), 0 not at all."""
    key = norm(word)
    if key in structured or event_class(event_key(key)) in structured:
        return 2
    produced = thing_events(key)  # "casualties": people killed, wounded or lost
    if produced and produced & events_of(hit.figure):
        return 2
    if window.has(word):
        return 1  # "Deutsche Boerse offered £1.3bn": the words around the number
    return 0


def _names_party(text: str, party: str) -> bool:
    forms = gazetteer.country_forms(party) or (party,)
    low = text.lower()
    return any(re.search(rf"(?<![\w-]){re.escape(f.lower())}(?![\w-])", low) for f in forms)


def _other_party_named(text: str, party: str) -> bool:
    """Whether a sentence names a country other than ``party`` (and not ``party``)."""
    for w in set(_WORD.findall(text)):
        forms = gazetteer.country_forms(w) if w[:1].isupper() else ()
        if forms and forms[0] != party:
            return True
    return False


@dataclass(slots=True)
class _Candidate:
    hit: FigureHit
    score: float
    party_from_context: bool = False  # the party asked about is named only around the figure


def _neighbours_name(hit: FigureHit, party: str, around: dict[int, list[str]]) -> bool:
    """Whether a figure whose sentence names no party sits next to sentences about ``party``
    only ("British intelligence says … 200,000 soldiers …" before "… 60,000 Russian soldiers")."""
    return any(
        _names_party(t, party) and not _other_party_named(t, party) for t in around.get(hit.sentence_id or -1, ())
    )


#: What a product may be called in a sentence that leaves its name to the title.
_PRODUCT_KEYS = frozenset(norm(w) for g in noun_groups() if "unit" in g for w in g)


def _around(hit: FigureHit, around: dict[int, list[str]]) -> list[TextIndex]:
    """A figure's article title and the sentences either side of it, indexed (once across
    requests) as the answering layer indexes a sentence."""
    return [TextIndex.of(t) for t in (hit.article.title or "", *around.get(hit.sentence_id or -1, ()))]


#: Candidate figures read per search: a comparison shows a dozen rows, and every candidate is
#: read word by word, so the best 200 of each search bound the work at any corpus size.
_FETCH = 200


async def _find(ctx: Context, plan: Plan, searched: dict[str, list[FigureHit]]) -> tuple[list[_Candidate], int]:
    """Figures the topic names, best first, and how many were left out as another party's.
    ``searched`` gets the word search's hits by query, for :func:`_closest` to reuse."""
    store = ctx.corpus.store
    keys = plan.keys
    party_words = [f for p in plan.parties for f in (gazetteer.country_forms(p) or (p,))[:6] if " " not in f]
    hits: list[FigureHit] = []
    if plan.words:
        # "casualties" are found through what produces them too: people killed, wounded, lost
        produced = [w for k in keys for cls in sorted(thing_events(k)) for w in event_words(cls)]
        query = " ".join([*plan.words, *produced, *party_words])
        searched[query] = await store.search_figures(query, limit=_FETCH)
        hits += searched[query]
        hits += await store.figures_by_head(keys, limit=_FETCH)
        names = [w for w in plan.words if w[:1].isupper()]
        if plan.kinds and names:
            # "PSP price": the articles titled with the name may say "the gadget … costs $250"
            titled = await store.articles_titled(names)
            hits += [h for h in await store.figures_for_articles(titled) if h.figure.kind in plan.kinds]
    elif plan.kinds:
        if party_words:
            hits += await store.search_figures(" ".join(party_words), kinds=plan.kinds, limit=_FETCH)
        hits += await store.figures_by_kind(plan.kinds, limit=100)
    elif party_words:
        hits += await store.search_figures(" ".join(party_words), limit=_FETCH)
    seen: set[int] = set()
    out: list[_Candidate] = []
    other_party = 0
    required_words = plan.required_words
    vocab = await vocabulary(ctx)
    idf = {w: vocab.idf(w, unseen=vocab.median_idf) for w in required_words}
    mean = sum(idf.values()) / len(idf) if idf else 1.0
    weights = {w: v / mean for w, v in idf.items()}  # relative: an average word weighs 1
    # the sentences either side of every candidate, in one query rather than one per article
    around_texts = await store.neighbour_texts(h.sentence_id for h in hits if h.sentence_id is not None)
    for h in hits:
        f = h.figure
        if h.id in seen or (f.low is None and f.high is None) or f.kind in ("age",):
            continue
        seen.add(h.id)
        if plan.kinds and f.kind not in plan.kinds and not (f.kind == "change" and f.unit):
            continue
        structured, window = _structured_keys(h), _window(h)
        cover = [_covers(h, w, structured, window) for w in required_words]
        # "PSP price": a money figure is what "price" asks for, whatever it counts.
        kind_asked = bool(plan.kinds) and f.kind in plan.kinds
        if 0 in cover and (max(cover) >= 2 or kind_asked):
            # A name the sentence leaves to the title or the sentence before ("the gadget,
            # which costs $250" in an article about the PSP) counts, for less.
            # A figure whose own party the topic does not name is that party's: "121 seats" of
            # the Conservatives in an article titled "Labour wins" are not Labour's; "£1.3bn"
            # of Deutsche Boerse's in "Deutsche Boerse offer for the LSE" may leave the LSE
            # to the sentence before.
            around = _around(h, around_texts)
            own_party = {norm(w) for w in tokens(f.party or "")}
            foreign = bool(own_party) and not own_party <= set(plan.keys)
            # "$20 disks" in an article titled "… PSP …" is the price of something else; "$250
            # handheld console" there is the PSP's
            other_thing = bool(f.thing_head) and f.thing_head not in plan.keys and f.thing_head not in _PRODUCT_KEYS
            cover = [
                c if c else (0.5 if not foreign and not other_thing and any(i.has(w) for i in around) else 0)
                for w, c in zip(required_words, cover, strict=True)
            ]
        if any(c == 0 for c in cover) or (
            cover and max(cover) < 2 and not kind_asked and (f.thing_head or not f.event)
        ):
            # every word must be there, and one of them in what the figure counts or does:
            # "tanks" near "up to three months" or "two battalions" does not make them tanks
            continue
        # each word weighs by its rarity in the corpus, as in ask and source ("Leopard" more than "tanks")
        score = sum(c * weights[w] for w, c in zip(required_words, cover, strict=True)) + sum(
            0.5 * _covers(h, w, structured, window) for w in plan.words if w not in required_words
        )
        from_context = False
        if plan.parties:
            if f.party:
                if not any(same_party(p, f.party) for p in plan.parties):
                    other_party += 1
                    continue
                score += 2
            elif any(_names_party(h.sentence, p) for p in plan.parties):
                score += 1
            elif any(_other_party_named(f.thing or "", p) for p in plan.parties):
                other_party += 1
                continue
            elif any(_neighbours_name(h, p, around_texts) for p in plan.parties):
                from_context = True
            else:
                continue
        out.append(_Candidate(h, score, from_context))
    out.sort(key=lambda c: (-c.score, c.party_from_context, -(c.hit.article.id)))
    return out, other_party


# --------------------------------------------------------------------------- rows


@dataclass(slots=True)
class Row:
    """One figure as it appears in the comparison."""

    hit: FigureHit
    measure: str  # the label of its measure group
    low: float
    high: float
    value: str
    claimant: str | None = None
    party_from_context: bool = False
    asked_party: str | None = None  # the one party the topic names, which this figure was kept for
    also: list[int] = field(default_factory=list)  # other articles with the same sentence
    citations: list[Citation] = field(default_factory=list)

    @property
    def party(self) -> str | None:
        return self.hit.figure.party

    @property
    def compared_party(self) -> str | None:
        """Whose figure it counts as when comparing: its own party, else the one party the
        topic names (it was kept because its sentence or its neighbours name that party)."""
        return self.hit.figure.party or self.asked_party

    @property
    def who(self) -> str:
        return self.claimant or self.party or "unattributed"

    def source(self, copies: bool = True) -> str:
        a = self.hit.article
        outlet = a.outlet or (a.title if len(a.title) <= 40 else a.title[:39] + "…")
        note = ""
        if self.also and copies:
            ids = ", ".join(str(i) for i in self.also[:5]) + (", …" if len(self.also) > 5 else "")
            note = f" (same sentence also in {len(self.also)} other article(s): {ids})"
        return f"{outlet}, {a.published or 'undated'} [{a.id}]{note}"

    def wording(self) -> str:
        return self.hit.figure.surface

    def thing(self) -> str | None:
        t = self.hit.figure.thing
        return t if t and t.lower() in self.hit.sentence.lower() else None


def _syndicated(cands: list[_Candidate]) -> tuple[list[_Candidate], dict[int, list[int]]]:
    """One row per fact: the same sentence reprinted by other outlets is one source, not five."""
    first: dict[tuple, FigureHit] = {}
    also: dict[int, list[int]] = {}
    out: list[_Candidate] = []
    for c in cands:
        f = c.hit.figure
        key = (f.low, f.high, f.unit, " ".join(c.hit.sentence.lower().split()))
        if key in first:
            if first[key].article.id != c.hit.article.id:
                also.setdefault(first[key].id, []).append(c.hit.article.id)
            continue
        first[key] = c.hit
        out.append(c)
    return out, also


def _sentence_index(hit: FigureHit, sentences: list[SentenceHit]) -> int | None:
    f = hit.figure
    return next((i for i, s in enumerate(sentences) if s.start <= f.start < s.end), None)


def _named_near(claimant: str, i: int, sentences: list[SentenceHit]) -> SentenceHit | None:
    """The nearest sentence around position ``i`` that names ``claimant`` verbatim."""
    low = claimant.lower()
    for s in reversed(sentences[max(0, i - 5) : i]):
        if low in s.text.lower():
            return s
    for s in sentences[i + 1 : i + 3]:
        if low in s.text.lower():
            return s
    return None


async def _attribute(ctx: Context, row: Row, cache: dict[int, list[SentenceHit]]) -> None:
    """Name who makes the claim, citing the sentence that names them when it is not the figure's own."""
    h = row.hit
    f = h.figure
    if not f.claimant:
        return
    if f.claimant.lower() in h.sentence.lower():
        row.claimant = f.claimant
        return
    aid = h.article.id
    if aid not in cache:
        cache[aid] = await ctx.corpus.store.sentences(aid)
    i = _sentence_index(h, cache[aid])
    support = _named_near(f.claimant, i, cache[aid]) if i is not None else None
    if support is not None:
        row.claimant = f.claimant
        row.citations.append(cite.from_hit(support))


def _group(cands: list[_Candidate]) -> list[list[_Candidate]]:
    """Figures on the same measure together, in the order their best member ranks.

    A figure joins a group only when it is on the same measure as every member, so a
    generic "dozens of tanks" cannot bridge "Leopard 2 tanks" and "Challenger 2 tanks"."""
    groups: list[list[_Candidate]] = []
    for c in cands:
        for g in groups:
            if all(comparable(m.hit.figure, c.hit.figure) for m in g):
                g.append(c)
                break
        else:
            groups.append([c])
    return groups


async def _rows(
    ctx: Context, groups: list[list[_Candidate]], also: dict[int, list[int]], asked: str | None
) -> list[Row]:
    cache: dict[int, list[SentenceHit]] = {}
    rows = []
    for g in groups:
        label = measure_label(g[0].hit.figure, g[0].hit.sentence)
        members = sorted(g, key=lambda c: (c.hit.article.published or "9999", c.hit.article.id, c.hit.figure.start))
        for c in members:
            h = c.hit
            f = h.figure
            low = f.low if f.low is not None else f.high
            high = f.high if f.high is not None else f.low
            row = Row(h, label, float(low), float(high), figure_value(h), party_from_context=c.party_from_context,
                      asked_party=asked)
            row.also = also.get(h.id, [])
            row.citations.append(cite.from_article(h.article, h.sentence))
            await _attribute(ctx, row, cache)
            rows.append(row)
    return rows


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def _describe_row(r: Row) -> str:
    wording = figure_wording(r.hit)
    thing = r.thing()

    def bare(x: str | None) -> str:
        return re.sub(r"^the\s+", "", (x or "").lower())

    show_party = r.party and bare(r.party) != bare(r.claimant) and not (thing and r.party in thing)
    bits = [f"{r.party}: " if show_party else "", wording]
    if thing and thing.lower() not in wording.lower():
        bits.append(f" {thing}")
    if r.claimant and (bare(r.claimant) != bare(r.party) or not show_party):
        bits.append(f" — per {r.claimant}")
    if r.hit.figure.time_scope and r.hit.figure.time_scope.lower() in r.hit.sentence.lower():
        bits.append(f" ({r.hit.figure.time_scope})")
    bits.append(f" — {r.source()}")
    if r.party_from_context:
        bits.append(" (whose figure it is comes from the sentences around it)")
    return "".join(bits)


def _differences(label: str, rows: list[Row]) -> list[str]:
    lows, highs = [r.low for r in rows], [r.high for r in rows]
    distinct = {(r.low, r.high) for r in rows}
    sources = {(r.hit.article.id, r.who) for r in rows}
    notes = []
    if len(distinct) > 1 and len(sources) > 1:
        parts = [f"{r.who} ({r.source(copies=False)}) says {figure_wording(r.hit)}" for r in rows]
        overlap = max(lows) <= min(highs)
        notes.append(
            f"Sources differ on {label}: " + "; ".join(parts) + ". "
            + ("Their ranges overlap." if overlap else "Their ranges do not overlap.")
        )
        lo, hi = min(lows), max(highs)
        vague = any(r.hit.figure.qualifier == "vague_magnitude" for r in rows)
        ratio = f" (highest is {hi / lo:,.1f}× the lowest)" if lo > 0 and hi / lo >= 1.5 else ""
        spread = f"Spread for {label}: {_fmt(lo)}–{_fmt(hi)}{ratio}"
        notes.append(spread + (", reading vague wording as its widest range." if vague else "."))
    elif len(distinct) == 1 and len(sources) > 1:
        notes.append(f"Sources agree on {label}: {figure_wording(rows[0].hit)}.")
    return notes


def _group_notes(label: str, rows: list[Row]) -> list[str]:
    """Agreement and disagreement within one measure, party by party.

    Figures of different parties (Germany's tanks and the US's, Labour's seats and the
    Conservatives') are different quantities, never a disagreement; figures that name no
    party are compared only with each other, unless the topic named the party they were
    kept for ("Russian casualties").
    """
    if len(rows) < 2 or len({r.hit.figure.unit for r in rows}) > 1:
        return []
    by_party: dict[str, list[Row]] = {}
    for r in rows:
        by_party.setdefault(party_key(r.compared_party), []).append(r)
    notes: list[str] = []
    for members in by_party.values():
        if len(members) >= 2:
            party = next((m.compared_party for m in members if m.compared_party), None)
            notes += _differences(f"{label} ({party})" if party else label, members)
    return notes


def _slug(topic: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")[:40] or "topic"


def _bar(r: Row, several_parties: bool) -> Bar:
    def short(x: str, n: int) -> str:
        return x if len(x) <= n else x[: n - 1] + "…"

    a = r.hit.article
    bits = [short(r.who, 26)]
    if several_parties and r.party and r.party != r.who:
        bits.append(short(r.party, 18))
    bits.append(f"{short(a.outlet or a.title, 18)} {a.published or ''}".strip())
    value = figure_wording(r.hit)
    if r.hit.figure.qualifier == "vague_magnitude":
        value += " (range read from the wording)"
    return Bar(r.low, r.high, value, " · ".join(bits), r.measure)


async def _closest(
    ctx: Context, topic: str, plan: Plan, searched: dict[str, list[FigureHit]]
) -> tuple[list[str], list[Citation]]:
    store = ctx.corpus.store
    words = " ".join(plan.words) or topic
    # the same search as _find's, best first: its top three, not a second scan of the index
    hits = searched[words][:3] if words in searched else await store.search_figures(words, limit=3)
    if not hits and plan.kinds:
        hits = await store.figures_by_kind(plan.kinds, limit=3)
    if hits:
        return (
            [f"{figure_wording(h)} — {h.article.outlet or h.article.title}, "
             f"{h.article.published or 'undated'} [{h.article.id}]" for h in hits],
            [cite.from_article(h.article, h.sentence) for h in hits],
        )
    sents = await store.search_sentences(topic, limit=3)
    return [f"“{s.text}” [{s.article_id}]" for s in sents], [cite.from_hit(s) for s in sents]


def _plan_data(plan: Plan) -> dict:
    return {"words": plan.words, "parties": plan.parties, "kinds": list(plan.kinds), "corrected": plan.corrected}


@command(
    "compare",
    "Compare what different sources say about a number (casualties, seats, a bid, sales…), with a chart.",
    args=(Arg("topic", "what to compare, e.g. 'Russian casualties', 'Labour seats' or 'bid'"),),
    example="compare Russian casualties",
    slow=True,
)
async def compare_command(ctx: Context, req: Request) -> Reply:
    topic = str(req.args["topic"]).strip()
    plan = await plan_topic(ctx, topic)
    searched: dict[str, list[FigureHit]] = {}
    cands, other_party = await _find(ctx, plan, searched)
    cands, also = _syndicated(cands)
    truncated = len(cands) > MAX_ROWS
    groups = _group(cands[:MAX_ROWS])
    rows = await _rows(ctx, groups, also, plan.parties[0] if len(plan.parties) == 1 else None)
    corrected = "".join(f" (read {a!r} as {b!r})" for a, b in plan.corrected.items())
    if not rows:
        lines, citations = await _closest(ctx, topic, plan, searched)
        text = f"No indexed article gives a figure for {topic!r}{corrected}."
        if lines:
            text += " Closest figures and sentences:\n" + "\n".join(f"• {x}" for x in lines)
        return Reply("compare", False, text, title=f"compare: {topic}", citations=citations,
                     data={"plan": _plan_data(plan)})

    by_measure: dict[str, list[Row]] = {}
    for r in rows:
        by_measure.setdefault(r.measure, []).append(r)
    notes: list[str] = []
    body: list[str] = []
    for label, members in by_measure.items():
        body.append("")
        body.append(f"{label[:1].upper()}{label[1:]}:")
        body.extend(f"• {_describe_row(r)}" for r in members)
        group_notes = _group_notes(label, members)
        notes.extend(group_notes)
        body.extend(f"  ↳ {n}" for n in group_notes)
    n_articles = len({r.hit.article.id for r in rows})
    differ = [n for n in notes if n.startswith("Sources differ")]
    head = f"{len(rows)} figure(s) from {n_articles} article(s) on {topic!r}{corrected}, in {len(by_measure)} measure(s)"
    head += f"; sources differ on {len(differ)}." if differ else "."
    lines = [head[:200], *body]
    if len(by_measure) > 1:
        lines.append("")
        lines.append("Each group measures a different thing; compare within a group, not across.")
    if other_party:
        lines.append(f"Left out {other_party} figure(s) about a party other than {', '.join(plan.parties)}.")
    if truncated:
        lines.append(f"Showing the best {MAX_ROWS} figures; narrow the topic for the rest.")

    image = None
    if len(rows) >= 2 and ctx.charts:
        unit = rows[0].hit.figure.unit
        chart_rows = [r for r in rows if r.hit.figure.unit == unit]
        if len(chart_rows) >= 2:
            several = len({party_key(r.party) for r in chart_rows if r.party}) > 1
            png = await draw(ctx.chart_process, [_bar(r, several) for r in chart_rows], f"compare: {topic}")
            image = Image(
                f"compare-{_slug(topic)}.png",
                png,
                f"One bar (range) or point (exact) per source for {topic}, coloured by measure.",
            )

    table = [
        [r.measure, r.party or "", figure_wording(r.hit), r.wording(), r.claimant or "",
         r.hit.figure.time_scope or "", r.source()]
        for r in rows
    ]
    return Reply(
        "compare",
        True,
        "\n".join(lines),
        title=f"compare: {topic}",
        columns=["measure", "party", "value", "as written", "claimant", "time", "source"],
        table=table,
        citations=cite.dedupe([c for r in rows for c in r.citations]),
        image=image,
        data={
            "plan": _plan_data(plan),
            "figures": [
                {"measure": r.measure, "kind": r.hit.figure.kind, "event": r.hit.figure.event,
                 "low": r.low, "high": r.high, "value": r.value, "surface": r.wording(),
                 "qualifier": r.hit.figure.qualifier, "unit": r.hit.figure.unit, "thing": r.hit.figure.thing,
                 "claimant": r.claimant, "party": r.party, "time_scope": r.hit.figure.time_scope,
                 "article_id": r.hit.article.id, "published": r.hit.article.published,
                 "outlet": r.hit.article.outlet, "sentence": r.hit.sentence, "also_in": r.also}
                for r in rows
            ],
            "discrepancies": differ,
            "notes": notes,
        },
    )
