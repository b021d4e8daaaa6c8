"""``compare TOPIC``: what different sources say a number is, side by side.

Casualty counts, tank pledges and refugee totals are exactly where outlets and
governments disagree, and where a chat answer is most tempted to pick one. This command
never picks: it groups every extracted figure by what it measures (killed, killed or
wounded, pledged, requested, …), normalizes each one to a low–high range with the
original wording kept ("hundreds of thousands" = 200,000–999,999), names who claims it
and where it was published, and says plainly when sources differ.

Topic words map to measures ("casualties" → the casualty categories, "refugees" →
displaced) and to the thing counted ("tanks", "Abrams"); typos are corrected against a
vocabulary of those words and the things figures in the corpus count.
"""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from corpus.extract import gazetteer
from corpus.language import STOP_WORDS, lexicon, norm
from corpus.models import FigureHit, SentenceHit

from . import cite
from .context import Context, per_generation
from .registry import Arg, command
from .types import Citation, Image, Reply, Request

CASUALTIES = ("killed", "killed_or_wounded", "wounded", "losses")
EQUIPMENT = ("equipment_pledged", "equipment_requested", "equipment")

_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {}


def _words_to(categories: tuple[str, ...], words: str) -> None:
    for w in words.split():
        _CATEGORY_WORDS[w] = tuple(dict.fromkeys(_CATEGORY_WORDS.get(w, ()) + categories))


_words_to(
    CASUALTIES,
    "casualties casualty killed kill killing dead deaths death died die toll losses loss lost lose losing "
    "wounded injured injuries fatalities",
)
_words_to(
    EQUIPMENT,
    "weapons weapon aid pledged pledge pledges promised equipment arms armaments supplies supply sent deliveries "
    "requested request requests asked military hardware",
)
_words_to(("personnel_mobilized",), "mobilized mobilised mobilization mobilisation recruited recruits recruitment "
          "conscripts conscripted conscription drafted draft reservists")
_words_to(("displaced",), "fled flee fleeing displaced displacement refugees refugee evacuated uprooted migrants")
_words_to(("distance",), "distance distances km kilometers kilometres miles far range")
_words_to(("money",), "money $ dollars usd euros funding funds cost costs budget spending financial finance")
_words_to(("population",), "population inhabitants residents")
_words_to(("percent",), "percent % percentage share rate")
_words_to(("duration",), "duration days weeks months years long")

#: Words that name what is counted and also say which measures to look in.
_THING_WORDS: dict[str, tuple[str, ...]] = {
    w: EQUIPMENT
    for w in (
        "tanks tank abrams leopard leopards challenger challengers missiles missile jets jet aircraft planes "
        "fighter artillery howitzers howitzer shells ammunition rounds drones drone rockets rocket himars "
        "vehicles vehicle helicopters bradley bradleys patriot launchers systems f-16 f-16s air-defence "
        "air-defense cluster bombs munitions"
    ).split()
}

_GENERIC_THINGS = lexicon(
    "tank missile jet aircraft plane vehicle system weapon shell round rocket drone bomb munition helicopter "
    "launcher howitzer"
)

_SIDE_WORDS = {
    "russia": {"russia", "russian", "russians", "moscow", "kremlin", "wagner"},
    "ukraine": {"ukraine", "ukrainian", "ukrainians", "kyiv", "kiev"},
}
_SIDE_AWARE = set(CASUALTIES) | {"personnel_mobilized"}

#: Words of a topic that ask for a comparison rather than name what to compare (beside the stop words).
_TOPIC_NOISE = frozenset(
    """vs versus compare comparison number numbers figure figures estimate estimates estimated total side
    sides""".split()
)


def _is_filler(word: str, written: str) -> bool:
    """A topic word that names nothing to compare; "US" as written is a country, not "us"."""
    if word in _CATEGORY_WORDS or word in _THING_WORDS:
        return False
    return word in _TOPIC_NOISE or (word in STOP_WORDS and not written.isupper())

MEASURE_LABELS = {
    "killed": "killed",
    "killed_or_wounded": "killed or wounded",
    "wounded": "wounded",
    "losses": "losses",
    "equipment_pledged": "pledged",
    "equipment_requested": "requested",
    "equipment": "equipment (other)",
    "personnel_mobilized": "mobilized or recruited",
    "displaced": "displaced or fled",
    "distance": "distance",
    "population": "population",
    "money": "money",
    "percent": "percent",
    "duration": "duration",
    "other": "other",
}
_ORDER = {c: i for i, c in enumerate(MEASURE_LABELS)}
_WORD = re.compile(r"[\w$%’'-]+", re.UNICODE)
MAX_ROWS = 24


def _fmt_number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def figure_value(hit: FigureHit) -> str:
    """A figure as a normalized value: ranges as low–high, vague wording kept beside it."""
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
    elif f.unit:
        value = f"{value} {f.unit}"
    return value


#: The language layer's word key; the name stays for :func:`measure_of`.
_stem = norm


def _is_recipient(name: str) -> bool:
    """Whether a name is Ukraine in any form ("Kyiv's", "Ukrainian"): the side that receives."""
    forms = gazetteer.country_forms(name)
    return bool(forms) and forms[0] == "Ukraine"


@dataclass(slots=True)
class Plan:
    """What a topic asks for: measures, things counted, whose side."""

    topic: str
    categories: tuple[str, ...] = ()
    things: list[str] = field(default_factory=list)  # words as typed/corrected
    side: str | None = None
    corrected: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    @property
    def thing_stems(self) -> set[str]:
        """Stems a figure's thing must all contain: the specific words ("leopard") when there are
        any, else the generic ones ("tank"), so "Leopard tanks" leaves out the Abrams."""
        stems = {norm(t) for t in self.things}
        specific = stems - _GENERIC_THINGS
        return specific or stems


async def _vocabulary(ctx: Context) -> list[str]:
    """Words a topic may be corrected to: measure words, thing words, and what figures count."""

    async def build() -> list[str]:
        words = set(_CATEGORY_WORDS) | set(_THING_WORDS) | {w for ws in _SIDE_WORDS.values() for w in ws}
        for thing in await ctx.corpus.store.figure_things(limit=3000):
            for w in _WORD.findall(thing.lower()):
                if len(w) >= 4 and not w.isdigit():
                    words.add(w)
        return sorted(words)

    return await per_generation(ctx, "compare_vocabulary", build)


async def plan_topic(ctx: Context, topic: str) -> Plan:
    """Read a topic into measures, things and side, correcting typos word by word."""
    plan = Plan(topic)
    vocab: list[str] | None = None
    cats: list[str] = []
    for written in _WORD.findall(topic):
        word = written.lower().strip("'’-")
        if not word or _is_filler(word, written):
            continue
        if (
            word not in _CATEGORY_WORDS
            and word not in _THING_WORDS
            and not any(word in ws for ws in _SIDE_WORDS.values())
            and len(word) >= 4
        ):
            if vocab is None:
                vocab = await _vocabulary(ctx)
            if word not in vocab:
                hit = process.extractOne(word, vocab, scorer=fuzz.ratio, score_cutoff=75)
                if hit is not None:
                    plan.corrected[word] = hit[0]
                    word = hit[0]
        side = next((s for s, ws in _SIDE_WORDS.items() if word in ws), None)
        if side is not None:
            plan.side = plan.side or side
            continue
        if word in _THING_WORDS:
            plan.things.append(word)
            cats.extend(_THING_WORDS[word])
        elif word in _CATEGORY_WORDS:
            cats.extend(_CATEGORY_WORDS[word])
        elif vocab is not None and word in vocab:
            plan.things.append(word)
        else:
            plan.unknown.append(word)
    plan.categories = tuple(dict.fromkeys(cats))
    return plan


def _side_of(text: str) -> set[str]:
    words = {w.lower().strip("'’") for w in _WORD.findall(text)}
    words |= {re.sub(r"['’]s$", "", w) for w in words}
    return {side for side, ws in _SIDE_WORDS.items() if words & ws}


#: "Ukrainian intelligence believes …": the side word names who speaks, not whose losses.
_SOURCE_AFTER = re.compile(
    r"\s+(?:military\s+)?(?:intelligence|officials?|government|sources|media|authorities|ministry|president|"
    r"spokes\w+|estimates?|data|updates?|general staff)\b",
    re.IGNORECASE,
)


def side_word(hit: FigureHit) -> tuple[str | None, str | None]:
    """Whose figure it is ("russia", "Russian"): from the thing counted, else the words just before it."""
    for text in (hit.figure.thing or "", _window(hit)[0]):
        found = None
        for m in _WORD.finditer(text):
            w = re.sub(r"['’]s$", "", m.group(0).lower())
            side = next((sd for sd, ws in _SIDE_WORDS.items() if w in ws), None)
            if side is not None and not _SOURCE_AFTER.match(text, m.end()):
                found = (side, m.group(0))
        if found is not None and found[1] in hit.sentence:
            return found
    return None, None


def _thing_matches(hit: FigureHit, stems: set[str]) -> bool:
    f = hit.figure
    if f.thing:
        return stems <= {norm(w) for w in _WORD.findall(f.thing)}
    at = hit.sentence.find(f.surface)
    after = hit.sentence[at + len(f.surface) : at + len(f.surface) + 60] if at >= 0 else ""
    return stems <= {norm(w) for w in _WORD.findall(after)[:5]}


_CASUALTY_BOTH = re.compile(r"killed (?:or|and) (?:wounded|injured)|dead (?:or|and) wounded|casualt", re.IGNORECASE)
_KILLED = re.compile(r"\b(?:dead|killed|deaths?|died|death toll|fatalities)\b", re.IGNORECASE)
_WOUNDED = re.compile(r"\b(?:wounded|injured|injuries)\b", re.IGNORECASE)
_LOSING = re.compile(r"\b(?:los(?:e|es|ing|t)|losses)\b", re.IGNORECASE)
_MOBILIZED = re.compile(r"\b(?:mobili[sz]\w*|recruit\w*|conscript\w*|drafted)\b", re.IGNORECASE)
_FLED = re.compile(r"\b(?:fled|flee\w*|displac\w*|refugees?|uprooted)\b", re.IGNORECASE)
_REQUEST = re.compile(r"\b(?:calls? for|call(?:ed|ing) for|ask(?:s|ed|ing)?(?: for)?|request\w*|wants?|demand\w*|"
                      r"seek\w*|urg\w*)\b", re.IGNORECASE)
_PLEDGE = re.compile(r"\b(?:send\w*|sent|suppl\w*|pledg\w*|provid\w*|deliver\w*|announc\w*|donat\w*|giv\w*|"
                     r"gave|promis\w*|transfer\w*|ship\w*)\b", re.IGNORECASE)


def _window(hit: FigureHit) -> tuple[str, str]:
    """The words just before and just after a figure in its sentence."""
    f = hit.figure
    at = hit.sentence.find(f.surface)
    if at < 0:
        return hit.sentence, ""
    return hit.sentence[max(0, at - 70) : at], hit.sentence[at + len(f.surface) : at + len(f.surface) + 70]


def measure_of(hit: FigureHit) -> str:
    """The figure's category, or, when the extractor left it as ``other``, one read from its wording.

    The reading is deliberately narrow — the thing counted and the verbs right around the
    number — so an unclassified figure lands in a measure only when its own words say so.
    """
    f = hit.figure
    if f.category != "other":
        return f.category
    thing = f.thing or ""
    before, after = _window(hit)
    near = f"{thing} {after[:40]}"
    if _CASUALTY_BOTH.search(near) or (_KILLED.search(near) and _WOUNDED.search(near)):
        return "killed_or_wounded"
    if _KILLED.search(near):
        return "killed"
    if _WOUNDED.search(near):
        return "wounded"
    if _LOSING.search(before[-30:]):
        return "losses"
    if _MOBILIZED.search(before[-40:]):
        return "personnel_mobilized"
    if _FLED.search(near) or _FLED.search(before[-25:]):
        return "displaced"
    if {_stem(w) for w in _WORD.findall(thing.lower())} & {_stem(w) for w in _THING_WORDS}:
        verbs = [(m.end(), "equipment_requested") for m in _REQUEST.finditer(before)]
        verbs += [(m.end(), "equipment_pledged") for m in _PLEDGE.finditer(before)]
        return max(verbs)[1] if verbs else "equipment"
    return "other"


_SAYS = re.compile(
    r"^(?P<who>(?:[\w’'.-]+\s+){0,6}?[\w’'.-]+?)\s+(?:(?:has|have|had|also|already|will|would)\s+){0,2}"
    r"(?P<verb>says|said|believes|believe|estimates|estimated|claims|claimed|assesses|assessed|reports|reported|"
    r"announced|told|thinks|stated)\b"
)
_ACCORDING = re.compile(r"\baccording to (?P<who>[^,.;:“”\"]{3,80})", re.IGNORECASE)
_PRONOUNS = {"they", "he", "she", "it", "we", "i", "this", "that", "officials", "the report"}


def claimant_in(sentence: str, measure: str = "other") -> str | None:
    """Who a sentence says makes a claim: "X says …", "X, who has announced …", "… according to X".

    An announcement names who pledges, not who asks, so for a request only words of
    saying or "according to" count.
    """
    m = _ACCORDING.search(sentence)
    if m:
        return m.group("who").strip()
    head = re.sub(r"^[“\"–—-]\s*", "", sentence)
    head = re.sub(r",\s+who\s+(?=(?:has\s+)?(?:already\s+)?(?:announced|said))", " ", head, count=1)
    m = _SAYS.match(head)
    if m:
        if m.group("verb") == "announced" and measure not in ("equipment_pledged", "equipment", "money"):
            return None
        who = m.group("who").strip()
        if who.lower() not in _PRONOUNS and who in sentence:
            return who
    return None


@dataclass(slots=True)
class Row:
    """One figure as it appears in the comparison."""

    hit: FigureHit
    measure: str
    low: float
    high: float
    value: str
    party: str | None = None
    claimant: str | None = None
    side_unstated: bool = False
    also: list[int] = field(default_factory=list)  # other articles with the same sentence
    citations: list[Citation] = field(default_factory=list)

    @property
    def category(self) -> str:
        return self.measure

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


Pair = tuple[FigureHit, str]  # a figure and the measure it is compared under


def _dedupe(pairs: list[Pair]) -> tuple[list[Pair], dict[int, list[int]]]:
    """One figure per fact: repeats within an article, and the same sentence syndicated elsewhere.

    Returns the kept pairs and, per kept figure id, the other articles that carry the
    same sentence, so a wire story reprinted by five outlets is one source, not five.
    """
    best: dict[tuple, Pair] = {}
    for h, measure in pairs:
        f = h.figure
        key = (h.article.id, measure, f.low, f.high, f.unit, (f.thing or "").lower())
        prev = best.get(key)
        if prev is None or (not prev[0].figure.claimant and f.claimant):
            best[key] = (h, measure)
    keep = {id(p[0]) for p in best.values()}
    out: list[Pair] = []
    first: dict[tuple, FigureHit] = {}
    also: dict[int, list[int]] = {}
    for h, measure in pairs:
        if id(h) not in keep:
            continue
        f = h.figure
        key = (measure, f.low, f.high, " ".join(h.sentence.lower().split()))
        if key in first:
            if first[key].article.id != h.article.id:
                also.setdefault(first[key].id, []).append(h.article.id)
            continue
        first[key] = h
        out.append((h, measure))
    return out, also


async def _party(ctx: Context, hit: FigureHit, measure: str) -> str | None:
    """The country or body nearest before the number in its sentence ("Germany", "Kyiv")."""
    f = hit.figure
    offset = hit.sentence.find(f.surface)
    if offset < 0:
        return None
    s_start = f.start - offset
    before = [
        m for m in await ctx.corpus.store.mentions_between(hit.article.id, s_start, f.start)
        if m.label in ("GPE", "NORP", "ORG") and m.text in hit.sentence
    ]
    if measure != "equipment_requested":
        before = [m for m in before if not _is_recipient(m.text)]
    if not before:
        return None
    last = before[-1]
    # "The United States and Germany have announced …" names both.
    if len(before) >= 2:
        prev = before[-2]
        between = hit.sentence[prev.end - s_start : last.start - s_start]
        if between.strip() in ("and", "&", ","):
            joined = hit.sentence[prev.start - s_start : last.end - s_start]
            if joined in hit.sentence:
                return joined
    return last.text


def _sentence_index(hit: FigureHit, sentences: list[SentenceHit]) -> int | None:
    f = hit.figure
    return next((i for i, s in enumerate(sentences) if s.start <= f.start < s.end), None)


def _named_before(claimant: str, i: int, sentences: list[SentenceHit]) -> SentenceHit | None:
    """The nearest sentence around position ``i`` that names ``claimant`` verbatim."""
    low = claimant.lower()
    for s in reversed(sentences[max(0, i - 5) : i]):
        if low in s.text.lower():
            return s
    for s in sentences[i + 1 : i + 3]:
        if low in s.text.lower():
            return s
    return None


_LEANS_BACK = re.compile(r"^[“\"–—-]?\s*(?:They|He|She|It|We)\s+(?:say|says|said|believe|believes|estimate|"
                         r"estimates|think|thinks|claim|claims|assess|assesses|reported)\b")


async def _attribute(ctx: Context, row: Row, cache: dict[int, list[SentenceHit]]) -> None:
    """Name who makes the claim, citing the sentence that names them when it is not the figure's own."""
    h = row.hit
    f = h.figure
    aid = h.article.id

    async def sentences() -> list[SentenceHit]:
        if aid not in cache:
            cache[aid] = await ctx.corpus.store.sentences(aid)
        return cache[aid]

    if f.claimant and f.claimant.lower() in h.sentence.lower():
        row.claimant = f.claimant
        return
    if f.claimant:
        sents = await sentences()
        i = _sentence_index(h, sents)
        support = _named_before(f.claimant, i, sents) if i is not None else None
        if support is not None:
            row.claimant = f.claimant
            row.citations.append(cite.from_hit(support))
            return
    inferred = claimant_in(h.sentence, row.measure)
    if inferred:
        row.claimant = inferred
        return
    if _LEANS_BACK.search(h.sentence):
        sents = await sentences()
        i = _sentence_index(h, sents)
        if i is None:
            return
        for s in reversed(sents[max(0, i - 2) : i]):
            who = claimant_in(s.text, row.measure)
            if who:
                row.claimant = who
                row.citations.append(cite.from_hit(s))
                return


async def _rows(ctx: Context, pairs: list[Pair]) -> list[Row]:
    cache: dict[int, list[SentenceHit]] = {}
    rows = []
    for h, measure in pairs:
        f = h.figure
        low = f.low if f.low is not None else f.high
        high = f.high if f.high is not None else f.low
        if low is None or high is None:
            continue
        row = Row(h, measure, float(low), float(high), figure_value(h))
        row.citations.append(cite.from_article(h.article, h.sentence))
        if measure in _SIDE_AWARE:
            row.party = side_word(h)[1]
            row.side_unstated = row.party is None and not _side_of(h.sentence)
        else:
            row.party = await _party(ctx, h, measure)
        await _attribute(ctx, row, cache)
        rows.append(row)
    return rows


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"


def _with_wording(value: str, wording: str) -> str:
    return value if wording in value else f"{value} (“{wording}”)"


def _describe_row(r: Row) -> str:
    value = _with_wording(r.value, r.wording())
    thing = r.thing()
    def bare(x: str | None) -> str:
        return re.sub(r"^the\s+", "", (x or "").lower())

    show_party = r.party and bare(r.party) != bare(r.claimant) and not (thing and r.party in thing)
    bits = [f"{r.party}: " if show_party else "", value]
    if thing and thing.lower() not in value.lower():
        bits.append(f" {thing}")
    if r.claimant and (bare(r.claimant) != bare(r.party) or not show_party):
        bits.append(f" — per {r.claimant}")
    if r.hit.figure.time_scope and r.hit.figure.time_scope.lower() in r.hit.sentence.lower():
        bits.append(f" ({r.hit.figure.time_scope})")
    bits.append(f" — {r.source()}")
    if r.side_unstated:
        bits.append(" (side not stated in the source sentence)")
    return "".join(bits)


def _country_in(text: str) -> str | None:
    """The country a party or claimant names, in any form ("the German government" → Germany)."""
    forms = gazetteer.country_forms(text)
    if forms:
        return forms[0]
    words = re.split(r"[\s,;:–—-]+", text)
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            gram = " ".join(words[i : i + n])
            if len(gram) > 3 and (forms := gazetteer.country_forms(gram)):
                return forms[0]  # short forms ("us", "uk") only count as the whole text
    return None


def _party_key(r: Row) -> str:
    """Which country a row speaks for, so pledges by different countries are not called a disagreement."""
    text = (r.party or r.claimant or "").lower().replace("’", "'")
    return _country_in(text) or text or f"article {r.hit.article.id}"


def _thing_key(r: Row) -> str:
    return " ".join(sorted(norm(w) for w in _WORD.findall((r.hit.figure.thing or "").lower())))


def _differences(label: str, rows: list[Row]) -> list[str]:
    lows, highs = [r.low for r in rows], [r.high for r in rows]
    distinct = {(r.low, r.high) for r in rows}
    sources = {(r.hit.article.id, r.who) for r in rows}
    notes = []
    if len(distinct) > 1 and len(sources) > 1:
        parts = [f"{r.who} ({r.source(copies=False)}) says {r.value}" for r in rows]
        overlap = max(lows) <= min(highs)
        notes.append(
            f"Sources differ on {label}: " + "; ".join(parts) + ". "
            + ("Their ranges overlap." if overlap else "Their ranges do not overlap.")
        )
        lo, hi = min(lows), max(highs)
        ratio = f" (highest is {hi / lo:,.1f}× the lowest)" if lo > 0 and hi / lo >= 1.5 else ""
        notes.append(f"Spread for {label}: {_fmt(lo)}–{_fmt(hi)}{ratio}.")
    elif len(distinct) == 1 and len(sources) > 1:
        notes.append(f"Sources agree on {label}: {rows[0].value}.")
    return notes


_RATE = re.compile(r"\b(?:(?:each|every|per|a)\s+(?:day|week|month)|daily|weekly|monthly)\b", re.IGNORECASE)


def _is_rate(r: Row) -> bool:
    """A figure per day (or week) is a different quantity from a running total."""
    f = r.hit.figure
    return bool(_RATE.search(f.time_scope or "") or _RATE.search(_window(r.hit)[1][:40]))


def _side_notes(label: str, side: str | None, several: bool, rate: bool, members: list[Row]) -> list[str]:
    what = label
    if side and several:
        what += f" ({'Russian' if side == 'russia' else 'Ukrainian'} side)"
    if rate:
        what += " per day or week"
    notes = _differences(what, members)
    scopes = {m.hit.figure.time_scope for m in members if m.hit.figure.time_scope}
    if len(scopes) > 1:
        notes.append(f"Time frames differ for {what} ({'; '.join(sorted(scopes))}): not like-for-like.")
    return notes


def _group_notes(category: str, rows: list[Row]) -> list[str]:
    """Spread and disagreement within one measure.

    Casualties and mobilization are one quantity per side that sources estimate
    differently, so those are compared per side (a figure that names no side is compared
    with the one side the others name). Everything else — pledges, refugee counts, sums of
    money — is many quantities (one per country and thing), compared only within one.
    """
    label = MEASURE_LABELS.get(category, category)
    units = {r.hit.figure.unit for r in rows}
    if len(rows) < 2 or len(units) > 1:
        return []
    notes: list[str] = []
    if category in _SIDE_AWARE:
        for rate in (False, True):
            by_side: dict[str | None, list[Row]] = {}
            for r in rows:
                if _is_rate(r) == rate:
                    by_side.setdefault(side_word(r.hit)[0], []).append(r)
            named = [k for k in by_side if k is not None]
            if len(named) == 1 and None in by_side:
                by_side[named[0]] += by_side.pop(None)
            for side, members in by_side.items():
                if len(members) >= 2:
                    notes += _side_notes(label, side, len(by_side) > 1, rate, members)
        return notes
    by_key: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        by_key.setdefault((_party_key(r), _thing_key(r)), []).append(r)
    for (party, _thing), members in by_key.items():
        if len(members) > 1 and len({(m.hit.article.id, m.who) for m in members}) > 1:
            notes += _differences(f"{label} ({members[0].party or party})", members)
    return notes


def _slug(topic: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")[:40] or "topic"


def _chart_label(r: Row) -> str:
    def short(x: str, n: int) -> str:
        return x if len(x) <= n else x[: n - 1] + "…"

    a = r.hit.article
    bits = [short(r.who, 26)]
    thing = r.thing()
    if thing and r.category in EQUIPMENT:
        bits.append(short(thing, 22))
    bits.append(f"{short(a.outlet or a.title, 18)} {a.published or ''}".strip())
    return " · ".join(bits)


def render_chart(rows: list[Row], title: str) -> bytes:
    """A range bar (or a point, for an exact figure) per source, grouped by measure by colour."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    fig = MplFigure(figsize=(10, 2.0 + 0.42 * len(rows)), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    cats = list(dict.fromkeys(r.category for r in rows))
    colour = {c: palette[i % len(palette)] for i, c in enumerate(cats)}
    n = len(rows)
    for i, r in enumerate(rows):
        y = n - 1 - i
        c = colour[r.category]
        if r.high > r.low:
            ax.barh(y, r.high - r.low, left=r.low, height=0.5, color=c, alpha=0.75)
        else:
            ax.plot([r.low], [y], marker="D", color=c, markersize=8)
        ax.annotate(r.value, (r.high, y), xytext=(7, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(range(n))
    ax.set_yticklabels([_chart_label(r) for r in reversed(rows)], fontsize=8)
    positive = [v for r in rows for v in (r.low, r.high) if v > 0]
    if positive and len(positive) == 2 * n and max(positive) / min(positive) > 50:
        ax.set_xscale("log")
    else:
        ax.set_xlim(left=0, right=max(r.high for r in rows) * 1.15 or 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.set_title(title, fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    ax.margins(y=0.08)
    ax.legend(
        handles=[Patch(color=colour[c], label=MEASURE_LABELS.get(c, c)) for c in cats],
        fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=min(len(cats), 4), frameon=False,
    )
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


async def _closest(ctx: Context, topic: str, plan: Plan) -> tuple[list[str], list[Citation]]:
    store = ctx.corpus.store
    words = " ".join([*plan.things, *plan.unknown]) or topic
    hits = await store.search_figures(words, limit=3)
    if not hits and plan.categories:
        hits = await store.figures_by_category(plan.categories, limit=3)
    if hits:
        return (
            [f"{_with_wording(figure_value(h), h.figure.surface)} — {h.article.outlet or h.article.title}, "
             f"{h.article.published or 'undated'} [{h.article.id}]" for h in hits],
            [cite.from_article(h.article, h.sentence) for h in hits],
        )
    sents = await store.search_sentences(topic, limit=3)
    return [f"“{s.text}” [{s.article_id}]" for s in sents], [cite.from_hit(s) for s in sents]


def _trigger_words(categories: tuple[str, ...]) -> list[str]:
    return [w for w, cats in _CATEGORY_WORDS.items() if set(cats) & set(categories) and w.isalpha()]


async def _find(ctx: Context, plan: Plan) -> tuple[list[Pair], dict[int, list[int]], int]:
    """Candidate figures with their measures, the syndicated copies of each, and how many were left out."""
    store = ctx.corpus.store
    cats = plan.categories
    hits: list[FigureHit] = []
    if plan.things:
        in_cats = (*cats, "other") if cats else ()
        found = await store.search_figures(" ".join(plan.things), categories=in_cats, limit=300)
        hits = [h for h in found if _thing_matches(h, plan.thing_stems)]
    elif cats:
        # Ranked by the words of the measure (and of the side asked about), so at scale the
        # figures about the topic come first rather than the newest of a crowded category;
        # "other" is searched too for figures the extractor could not classify.
        side = sorted(_SIDE_WORDS[plan.side]) if plan.side else []
        words = " ".join([*side, *_trigger_words(cats)])
        hits = await store.search_figures(words, categories=(*cats, "other"), limit=300)
        hits += await store.figures_by_category(cats, limit=50)
    elif plan.unknown:
        hits = await store.search_figures(" ".join(plan.unknown), limit=100)
    seen: set[int] = set()
    pairs: list[Pair] = []
    for h in hits:
        if h.id in seen or (h.figure.low is None and h.figure.high is None):
            continue
        seen.add(h.id)
        measure = measure_of(h)
        if cats and measure not in cats:
            continue
        if not cats and measure in ("other", "duration"):
            continue
        pairs.append((h, measure))
    pairs, also = _dedupe(pairs)
    other_side = 0
    if plan.side is not None:
        kept = []
        cache: dict[int, list[SentenceHit]] = {}
        for h, measure in pairs:
            if len(kept) >= 2 * MAX_ROWS:
                break  # enough to fill the table; the rest rank lower
            if measure in _SIDE_AWARE:
                side, _word = side_word(h)
                sides = {side} if side else _side_of(h.sentence)
                if (sides and plan.side not in sides) or (not side and _names_a_third_party(h)):
                    other_side += 1
                    continue
                if not sides and not await _neighbours_name_side(ctx, h, plan.side, cache):
                    continue
            kept.append((h, measure))
        # Figures that name the side asked about before those that leave it to the context.
        kept.sort(key=lambda p: p[1] in _SIDE_AWARE and side_word(p[0])[0] is None and not _side_of(p[0].sentence))
        pairs = kept
    return pairs, also, other_side


def _names_a_third_party(hit: FigureHit) -> bool:
    """ "91,000 German troops": the thing counted belongs to someone named, and not to either side."""
    return any(w[0].isupper() for w in _WORD.findall(hit.figure.thing or ""))


async def _neighbours_name_side(
    ctx: Context, hit: FigureHit, side: str, cache: dict[int, list[SentenceHit]]
) -> bool:
    """Whether a figure whose sentence names no side sits between sentences about ``side`` only.

    "British intelligence says … 200,000 soldiers …" is followed by "… 60,000 Russian
    soldiers are dead", so it is about Russian losses; a count of children killed in Sudan
    is not, and is left out of "Russian casualties".
    """
    aid = hit.article.id
    if aid not in cache:
        cache[aid] = await ctx.corpus.store.sentences(aid)
    sents = cache[aid]
    i = _sentence_index(hit, sents)
    if i is None:
        return False
    for s in sents[max(0, i - 1) : i] + sents[i + 1 : i + 2]:
        sides = _side_of(s.text)
        if side in sides and len(sides) == 1:
            return True
    return False


@command(
    "compare",
    "Compare what different sources say about a number (casualties, tanks, refugees…), with a chart.",
    args=(Arg("topic", "what to compare, e.g. 'Russian casualties' or 'tanks'"),),
    example="compare Russian casualties",
    slow=True,
)
async def compare_command(ctx: Context, req: Request) -> Reply:
    topic = str(req.args["topic"]).strip()
    plan = await plan_topic(ctx, topic)
    pairs, also, other_side = await _find(ctx, plan)
    truncated = len(pairs) > MAX_ROWS
    pairs = pairs[:MAX_ROWS]  # _find keeps the best-matching first
    pairs.sort(key=lambda p: (_ORDER.get(p[1], 99), p[0].article.published or "9999", p[0].article.id,
                              p[0].figure.start))
    rows = await _rows(ctx, pairs)
    for r in rows:
        r.also = also.get(r.hit.id, [])
    corrected = "".join(f" (read {a!r} as {b!r})" for a, b in plan.corrected.items())
    if not rows:
        lines, citations = await _closest(ctx, topic, plan)
        text = f"No indexed article gives a figure for {topic!r}{corrected}."
        if lines:
            text += " Closest figures and sentences:\n" + "\n".join(f"• {x}" for x in lines)
        return Reply(
            "compare", False, text, title=f"compare: {topic}", citations=citations,
            data={"plan": {"categories": list(plan.categories), "things": plan.things, "side": plan.side}},
        )

    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(r.category, []).append(r)
    n_articles = len({r.hit.article.id for r in rows})
    lines = [
        f"{len(rows)} figure(s) from {n_articles} article(s) on {topic!r}{corrected}, grouped by what they measure."
    ]
    notes: list[str] = []
    for category, members in groups.items():
        lines.append("")
        lines.append(f"{MEASURE_LABELS.get(category, category).capitalize()}:")
        lines.extend(f"• {_describe_row(r)}" for r in members)
        group_notes = _group_notes(category, members)
        notes.extend(group_notes)
        lines.extend(f"  ↳ {n}" for n in group_notes)
    if len(groups) > 1 and set(groups) & set(CASUALTIES):
        lines.append("")
        lines.append(
            "Note: " + ", ".join(MEASURE_LABELS[c] for c in groups if c in CASUALTIES)
            + " count different things; compare within a measure, not across."
        )
    if other_side:
        side = "Russian" if plan.side == "russia" else "Ukrainian"
        lines.append(f"Left out {other_side} figure(s) about someone other than the {side} side.")
    if truncated:
        lines.append(f"Showing the first {MAX_ROWS} figures; narrow the topic for the rest.")

    image = None
    if len(rows) >= 2 and ctx.charts:
        units = {r.hit.figure.unit for r in rows}
        chart_rows = rows if len(units) == 1 else [r for r in rows if r.hit.figure.unit == rows[0].hit.figure.unit]
        if len(chart_rows) >= 2:
            png = await asyncio.to_thread(render_chart, chart_rows, f"compare: {topic}")
            image = Image(
                f"compare-{_slug(topic)}.png",
                png,
                f"One bar (range) or point (exact) per source for {topic}, coloured by measure.",
            )

    table = [
        [
            MEASURE_LABELS.get(r.category, r.category),
            r.party or "",
            r.value,
            r.wording(),
            r.claimant or "",
            r.hit.figure.time_scope or "",
            r.source(),
        ]
        for r in rows
    ]
    return Reply(
        "compare",
        True,
        "\n".join(lines),
        title=f"compare: {topic}",
        columns=["measure", "who", "value", "as written", "claimant", "time", "source"],
        table=table,
        citations=cite.dedupe([c for r in rows for c in r.citations]),
        image=image,
        data={
            "plan": {"categories": list(plan.categories), "things": plan.things, "side": plan.side,
                     "corrected": plan.corrected},
            "figures": [
                {"category": r.category, "low": r.low, "high": r.high, "value": r.value, "surface": r.wording(),
                 "qualifier": r.hit.figure.qualifier, "unit": r.hit.figure.unit, "thing": r.hit.figure.thing,
                 "claimant": r.claimant, "party": r.party, "time_scope": r.hit.figure.time_scope,
                 "article_id": r.hit.article.id, "published": r.hit.article.published,
                 "outlet": r.hit.article.outlet, "sentence": r.hit.sentence, "also_in": r.also}
                for r in rows
            ],
            "discrepancies": [n for n in notes if n.startswith("Sources differ")],
            "notes": notes,
        },
    )
