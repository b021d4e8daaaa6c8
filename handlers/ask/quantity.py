"""``ask`` for a figure: "how many/much/far/long …", "what is the number of …".

A figure answers when it counts what is asked, its event fits the question's verb, its kind
fits the question and its party does not conflict with the one asked about. Candidates are
fetched from the store in several ways (by counted noun, by event, by kind), each assessed
into a score and a role (answer, related measure, fallback, another scope), and the answers
on one measure are grouped so that equal values agree and different values are shown as
sources that differ.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from corpus.language import event_words, lexicon, norm, result_nouns, thing_events
from corpus.measure import SameName, events_of, same_measure, same_party, thing_key, thing_names
from corpus.models import Figure, FigureHit

from ..answering import (
    Query,
    Term,
    TextIndex,
    analyse,
    closest_facts,
    countries_in,
    coverage,
    dedupe_figures,
    event_keys,
    figure_citation,
    figure_events,
    figure_line,
    figure_record,
    known_event,
    name_test,
    nationalities,
    party_fits,
    same_measure_hits,
    source_label,
    tokens,
    window,
)
from ..cite import dedupe
from ..context import Context
from ..lookup import name_index
from ..types import Reply
from .asked import _Asked, _read_question, is_product_name
from .conditional import _FACTUAL, _hypothetical_figure
from .reply import _base_data, _correction_note, _unanswered
from .shape import Shape

log = logging.getLogger(__name__)


#: Kinds a "how many" question may not be answered with unless it names their unit.
_NOT_COUNTS = frozenset({"money", "percent", "change"})
#: How much the question's own words beyond the counted noun and the names ("buyback",
#: "launch", "majority") weigh in picking a figure's sentence.
PREDICATE_WEIGHT = 1.0
_GENERIC_HEADS = lexicon("person thing number one time")
_DAILY = re.compile(r"\b(each|every|per|a)\s+day\b|\bdaily\b", re.I)


def _has_any(idx: TextIndex, alts: tuple[str, ...]) -> bool:
    return any(idx.has(a) for a in alts)


@dataclass(slots=True)
class _Assessed:
    hit: FigureHit
    score: float
    role: str  # answer | related | fallback | scope (| pending:<role>)
    daily: bool
    event: str  # how the figure's event fits the question's: match | weak | free | unknown | partial


def _event_fit(f: Figure, asked: _Asked, win_events: frozenset[str], sent_events: frozenset[str]) -> str:
    """How a figure's event fits the question's: ``match`` (the same event), ``partial`` (the
    asked event among others: "killed or wounded" for "died"), ``other`` (a different known
    event: "sent" tanks for "asked for"), ``weak`` (the figure names no known event but its
    sentence has the asked one), ``unknown`` (no sign either way) or ``free`` (the question
    names no event)."""
    if not asked.events:
        return "free"
    own = events_of(f)
    known_own = {k for k in own if known_event(k)}
    if (own | thing_events(f.thing_head or "")) & asked.events:
        return "partial" if known_own - asked.events else "match"
    beside = win_events & asked.events
    if beside:
        # The sentence says the asked event beside the number: the extractor chose another
        # verb ("announced plans to send 14 tanks"), or one of several ("killed, injured or
        # captured 5,000", read as injured and captured: a wider measure).
        return "partial" if known_own and any(known_event(k) for k in beside) else "match"
    if known_own and asked.known_events:
        return "other"
    if asked.known_events and sent_events & asked.known_events:
        return "weak"
    return "unknown" if asked.known_events else "free"


async def _neighbours_mention(ctx: Context, h: FigureHit, terms: list[Term]) -> bool:
    """Whether the sentences beside a figure's sentence name what its own sentence leaves
    implicit ("the salt-mining town" is Soledar two words later)."""
    sentences = await ctx.corpus.store.sentences(h.article.id)
    for i, s in enumerate(sentences):
        if s.text == h.sentence:
            # Two back: a pronoun-led sentence ("they may have recruited") names its subject earlier.
            around = " ".join(x.text for x in sentences[max(0, i - 2): i + 2])
            return coverage(terms, around)[0] >= 0.999
    return False


@dataclass(slots=True)
class _Criteria:
    """How a quantity question judges a figure beyond what it counts (:class:`_Asked`): the
    names the figure's sentence must give, the question's other words, and how it is put."""

    constraint_terms: list[Term]  # entities outside the counted noun phrase, which the sentence must name
    predicate_terms: list[Term]  # the question's own words besides the counted noun and the names
    asks_daily: bool  # "each day", "daily": a rate, not a total
    per_unit: str | None  # "how much per share": the unit a value is per
    factual: bool  # asks what did happen, which a conditional figure does not answer
    same_name: SameName
    only_orgs: bool  # names organisations only, whose figure a country's is not


async def answer_quantity(ctx: Context, question: str, shape: Shape) -> Reply:
    query = await analyse(ctx, question)
    asked = _read_question(shape, query)
    log.debug("ask reads %r as %s; names %s", question, asked, [(e.matched, e.label) for e in query.entities])
    criteria = await _criteria(ctx, question, shape, query, asked)
    candidates = await _fetch_figures(ctx, asked, criteria)
    assessed = _score_figures(candidates, asked, criteria)
    answers, others_rel = await _pick_answers(ctx, assessed, asked, criteria)
    if not answers:
        near = [a.hit for a in sorted(assessed, key=lambda a: -a.score)]
        closest = await closest_facts(ctx, query, figures=near[:3])
        return _unanswered(question, "quantity", query, closest)
    return _render_answer(question, query, asked, criteria, assessed, answers, others_rel)


def _names_another_product(sentence: str, asked: _Asked) -> bool:
    """Whether a sentence names a product other than the one a question counts by name, and
    not that one."""
    keys = {norm(w) for w in tokens(sentence)}
    if asked.names & keys:
        return False
    return any(is_product_name(w) and not countries_in(w) for w in tokens(sentence)[1:] if w.isupper() and len(w) >= 2)


async def _criteria(ctx: Context, question: str, shape: Shape, query: Query, asked: _Asked) -> _Criteria:
    """The terms and manner of the question that every candidate figure is scored against."""
    # The counted noun is not a constraint, unless it is a name ("how many PSPs": the figure's
    # sentence or its neighbours must name the PSP; it may count "units").
    target_low = {
        query.corrections.get(w, w).lower() for w in shape.target if not (w == asked.head and is_product_name(w))
    }
    # Entities the figure's sentence must name: those outside the counted noun phrase.
    constraint_terms = [
        t for t in query.terms
        if t.entity and not t.generic and not ({w.lower() for w in tokens(t.label)} <= target_low)
    ]
    predicate_terms = [t for t in query.terms if not t.entity and t.label.lower() not in target_low]
    same_name = name_test(await name_index(ctx))
    # The question names organisations only ("Euronext", "the LSE"): a figure a country is
    # said to give is another party's.
    named = [e for e in query.entities if any(same_party(p, e.matched) for p in asked.parties)]
    only_orgs = bool(named) and not asked.countries and all(e.label not in ("PERSON", "GPE", "LOC") for e in named)
    return _Criteria(
        constraint_terms=constraint_terms,
        predicate_terms=predicate_terms,
        asks_daily=bool(_DAILY.search(question)),
        per_unit=shape.per_unit,
        factual=bool(_FACTUAL.search(question)),
        same_name=same_name,
        only_orgs=only_orgs,
    )


#: Candidate figures scored per question at most (each is read against the question's words).
MAX_CANDIDATES = 250


async def _fetch_figures(ctx: Context, asked: _Asked, criteria: _Criteria) -> list[FigureHit]:
    """Candidate figures from the store, found in several ways: by the counted noun (with the
    names and modifiers asked), by the events it or the question names, and by kind."""
    head, modifiers = asked.head, asked.modifiers
    constraint_terms, predicate_terms = criteria.constraint_terms, criteria.predicate_terms
    store = ctx.corpus.store
    head_alts = asked.head_alts
    others = [a for t in constraint_terms for a in t.alts] + [m for m in modifiers if not nationalities([m])]
    candidates: list[FigureHit] = []
    if head:
        if others:
            candidates += await store.match_figures([head_alts], [others], limit=80)
            candidates += await store.match_figures([], [head_alts, others], limit=50)
        candidates += await store.match_figures([head_alts], limit=80, recent=bool(others))
        candidates += await store.figures_by_head(sorted(asked.head_keys), limit=200)
        # A figure that says what it counts only in its sentence ("Turnout was 60%"): the
        # newest, as ranking every sentence that says "unit" or "share" costs more than the rest.
        candidates += await store.match_figures([], [head_alts], kinds=asked.kinds, limit=50, recent=True)
    if asked.head_events:
        # "how many deaths": whatever was counted dying (people, soldiers, children).
        event_alts = sorted({w for cls in asked.head_events for w in event_words(cls)})
        candidates += await store.match_figures([], [event_alts] + ([others] if others else []), limit=80)
    if asked.known_events:
        # Counts of what the asked events produce ("casualties" for "how many died").
        results = [k for k in result_nouns() if thing_events(k) & asked.known_events]
        candidates += await store.figures_by_head(results, limit=100)
    if asked.kinds:
        rare = others + modifiers
        # "how much did oil prices rise", "how much is Euronext ready to raise": the question's
        # own words find figures whose sentence leaves the names to its neighbours.
        vocab_terms = sorted(predicate_terms, key=lambda t: -t.weight)[:4]
        said = [a for t in vocab_terms for a in t.alts]
        if said and not rare and not head:
            candidates += await store.match_figures([], [said], kinds=asked.kinds, limit=80)
        if rare:
            candidates += await store.match_figures([], [rare], kinds=asked.kinds, limit=80)
        elif not head and not said:
            candidates += await store.figures_by_kind(asked.kinds, limit=120)
    # Bounded work: the narrowest searches come first, so the cap drops the broad tail.
    return dedupe_figures(candidates)[:MAX_CANDIDATES]


def _score_figures(candidates: list[FigureHit], asked: _Asked, criteria: _Criteria) -> list[_Assessed]:
    """Each candidate that may answer, with its score and its role (answer, related measure,
    fallback, another scope, or pending until a neighbouring sentence names what it lacks)."""
    head, modifiers, head_alts = asked.head, asked.modifiers, asked.head_alts
    constraint_terms, predicate_terms = criteria.constraint_terms, criteria.predicate_terms
    asks_daily, per_unit, factual = criteria.asks_daily, criteria.per_unit, criteria.factual
    same_name, only_orgs = criteria.same_name, criteria.only_orgs
    assessed: list[_Assessed] = []
    for h in candidates:
        f = h.figure
        if asked.kinds and f.kind not in asked.kinds:
            continue
        # the cheap refusals first: most candidates of a broad search end here
        fit = party_fits(asked.parties, f.party, same_name)
        if fit is None and only_orgs and f.party and countries_in(f.party):
            fit = False  # "the German group's £1.5bn" does not answer a question about Euronext
        if fit is None and asked.countries:
            counted = tokens(f.thing) if f.thing else window(h.sentence, f.surface, before=1, after=4)
            fig_nations = set(countries_in(f.party)) if f.party else nationalities(counted)
            if fig_nations and not (asked.countries & fig_nations):
                fit = False  # "German troops" do not answer a question about Russian soldiers
        if fit is False:
            continue
        names = thing_names(f)
        if asked.names and names and not (asked.names & names):
            continue  # "Challenger 2 tanks" do not answer a question about Leopard tanks
        if asked.head and is_product_name(asked.head) and _names_another_product(h.sentence, asked):
            continue  # "its DS handheld … sold 2.8 million units" does not count PSPs
        # A measured figure ("15 years", "20 km") counts its unit, whatever noun stands near it.
        unit_words = {norm(w) for w in tokens(f"{f.unit or ''} {f.unit_original or ''}")}
        names_unit = bool(head) and norm(head) in unit_words
        if not asked.kinds and f.kind in _NOT_COUNTS and not names_unit:
            continue  # "35% more refugees" is not a number of refugees
        thing_idx = TextIndex.of(f.thing or "")
        win_words = window(h.sentence, f.surface)
        win_idx = TextIndex.of(" ".join(win_words))
        near_idx = TextIndex.of(" ".join(window(h.sentence, f.surface, before=9, after=9)))
        sent_idx = TextIndex.of(" ".join(x for x in (h.sentence, f.claimant, f.party) if x))
        measured = bool(f.unit) and f.unit != "%" and not names_unit
        fe = figure_events(f)
        score = 0.0
        head_in_thing = bool(head) and (f.thing_head in asked.head_keys or _has_any(thing_idx, head_alts))
        head_in_window = bool(head) and not f.thing and not measured and _has_any(win_idx, head_alts)
        head_by_event = bool(asked.head_events) and len(asked.head_events & fe) >= min(2, len(asked.head_events))
        generic_head = bool(head) and norm(head) in _GENERIC_HEADS and not f.thing_head and bool(fe & asked.events)
        # "how many days …": "four days" counts the very unit asked for
        head_ok = head_in_thing or head_in_window or head_by_event or generic_head or names_unit
        if head_in_thing or names_unit:
            score += 3
        elif head_in_window or head_by_event:
            score += 2
        for m in modifiers:
            if thing_idx.has(m):
                score += 1.5
            elif win_idx.has(m):
                score += 1.0
            elif sent_idx.has(m):
                score += 0.3
        cov_e = 1.0
        if constraint_terms:
            cov_e, hit_e, _ = coverage(constraint_terms, sent_idx)
            score += 2 * cov_e
            score += sum(0.8 for t in hit_e if _has_any(near_idx, t.alts))
        if fit:
            score += 1.0
            if len(countries_in(f.party)) <= 1:
                score += 1.5  # Germany's own figure before one Germany shares with the US
        elif f.claimant and party_fits(asked.parties, f.claimant, same_name):
            score += 1.0  # the party asked about gives the figure itself: its own, not an estimate
        pred_cov = coverage(predicate_terms, sent_idx)[0] if predicate_terms else 0.0
        score += PREDICATE_WEIGHT * pred_cov
        if f.thing and predicate_terms:
            score += 0.5 * coverage(predicate_terms, thing_idx)[0]  # "Ukrainians displaced"
        if asked.kinds:
            score += 2
        event = _event_fit(f, asked, event_keys(win_words), event_keys(tokens(h.sentence)))
        daily = f.kind == "rate" or bool(_DAILY.search(" ".join(win_words))) or bool(
            f.time_scope and _DAILY.search(f.time_scope))
        if head and not head_ok:
            # Without the counted noun only a count of an event the question asks about may
            # stand in, as another measure: "casualties" beside "soldiers who died".
            eventive = bool(thing_events(f.thing_head or "")) and (fit or not asked.parties)
            role = "related" if eventive and fe & asked.known_events else "none"
        elif event in ("match", "weak", "free"):
            role = "answer"
            score += {"match": 2.0, "weak": 1.0, "free": 0.0}[event]
            if event == "match" and f.kind == "change":
                score += 1.0  # "how much did profits rise": the rise itself
        elif event == "partial":
            role = "related"
        elif event == "unknown":
            role = "fallback"
        else:
            role = "none"
        if role == "answer" and event == "free" and daily and not asks_daily:
            role = "scope"  # a number per day does not say how many there are
        if role == "none":
            continue
        if factual and _hypothetical_figure(h):
            role = "related"  # "could face a fine of £2m if …" is not the fine given
        if constraint_terms and cov_e < 0.999:
            role = "pending:" + role
        if daily != asks_daily:
            score -= 1.5
        if per_unit:
            # "how much per share": "530 pence-a-share", "100 dlr per share offer", "90.50 dlrs a share"
            after = h.sentence[h.sentence.find(f.surface):][: len(f.surface) + 24].lower()
            if re.search(rf"(?:\bper|\ba|-a|-per)[\s-]+(?:[A-Z]\w*\s+)?{re.escape(per_unit)}", after, re.I):
                score += 4.0
            else:
                # a total ("£1.35bn") is not a price per share
                role = role.replace("answer", "related").replace("fallback", "related")
        if f.qualifier == "vague_magnitude":
            score -= 1.5  # "dozens" says less than "14"
        score -= 0.02 * h.score  # bm25: lower is better
        assessed.append(_Assessed(h, score, role, daily, event))
        log.debug("ask candidate %s %r score=%.2f role=%s event=%s", f.surface, f.thing, score, role, event)
    return assessed


async def _pick_answers(
    ctx: Context, assessed: list[_Assessed], asked: _Asked, criteria: _Criteria
) -> tuple[list[_Assessed], list[_Assessed]]:
    """The figures that answer, best first, and those on another measure."""
    head = asked.head
    constraint_terms, predicate_terms = criteria.constraint_terms, criteria.predicate_terms
    # Entities named only in a neighbouring sentence still count, checked for the best few.
    pending = sorted((a for a in assessed if a.role.startswith("pending:")), key=lambda a: -a.score)[:6]
    asked_nations = nationalities(a for t in constraint_terms for a in t.alts)
    for a in pending:
        own = nationalities(tokens(a.hit.sentence))
        if asked_nations and own and not (own & asked_nations):
            continue  # "a British decision to send 14 tanks" is not the US sending them
        if await _neighbours_mention(ctx, a.hit, constraint_terms):
            a.role = a.role.split(":", 1)[1]
    answers = sorted((a for a in assessed if a.role == "answer"), key=lambda a: -a.score)
    if not answers:
        # Figures whose event says nothing either way answer when nothing better does
        # ("eight vehicles known as M88s" for "how many M88s will the US send").
        # A product counted as "units" must be sold, shipped… as asked: "a million units
        # ready for its US launch" does not say how many were sold.
        by_name = bool(head) and is_product_name(head)
        answers = sorted(
            (a for a in assessed if a.role == "fallback" and not (by_name and not (asked.names & thing_names(a.hit.figure)))),
            key=lambda a: -a.score,
        )
    if asked.events and any(a.event == "match" for a in answers):
        # The figure whose sentence states the event asked about leads one that says nothing
        # of it ("130 dlrs a share" in "plans to buy back" before a closing share price).
        answers = [a for a in answers if a.event == "match"] + [a for a in answers if a.event != "match"]
    others_rel = sorted((a for a in assessed if a.role == "related"), key=lambda a: -a.score)
    if head:
        # "men" asked: figures counting men beat figures counting soldiers, its near-synonym.
        exact = [a for a in answers if _counts_exactly(a.hit, head)]
        if exact:
            answers = exact + [a for a in answers if a not in exact and a.event == "match"]
    if not asked.known_events and predicate_terms:
        # No known event ("how many men were detained"): the question's verb must be there.
        with_pred = [a for a in answers if coverage(predicate_terms, TextIndex.of(a.hit.sentence))[0] > 0]
        answers = with_pred or answers
    return answers, others_rel


def _render_answer(
    question: str, query: Query, asked: _Asked, criteria: _Criteria, assessed: list[_Assessed],
    answers: list[_Assessed], others_rel: list[_Assessed],
) -> Reply:
    """The reply: the best-supported value first, other values on the same measure as sources
    that differ, then other figures, other scopes and other measures, with the evidence."""
    same_name = criteria.same_name
    top = answers[0]
    in_scope = [a for a in answers if a.daily == top.daily]
    # Two values in one sentence are a total and its part, or a start and an end ("from 5,000
    # to about 24,000"), not two sources that differ.
    same_thing = [
        a for a in in_scope
        if a is top or (same_measure_hits(top.hit, a.hit, same_name) and not _same_sentence(top.hit, a.hit))
    ]
    # The same value on the same measure is an agreement even where a generic count and a
    # make's could not disagree: "14 tanks" (the German government) and "14 Leopard 2 tanks"
    # (Olaf Scholz) are one answer from two sources.
    value = (top.hit.figure.low, top.hit.figure.high, top.hit.figure.unit)
    for a in in_scope:
        f = a.hit.figure
        if a in same_thing or (f.low, f.high, f.unit) != value or _same_sentence(top.hit, a.hit):
            continue
        if asked.countries and not f.party:
            own = _claimant_country(a.hit)
            if (own and own not in asked.countries) or not set(asked.countries) <= nationalities(tokens(a.hit.sentence)):
                continue  # "British Prime Minister Rishi Sunak … 14 Challenger 2 tanks" is not Germany's
        if all(same_measure(m.hit.figure, f, same_name) for m in same_thing):  # with every member
            same_thing.append(a)
    different_thing = [a for a in in_scope if a not in same_thing]
    other_scope = [a for a in answers if a.daily != top.daily]
    other_scope += sorted((a for a in assessed if a.role == "scope" and a.daily != top.daily), key=lambda a: -a.score)
    groups = _group(same_thing, same_measure=True)
    lines: list[str] = []
    # The first line is the answer even when sources differ: the best-supported value, then
    # the others on the same measure.
    lines.append(_group_line(groups[0]) + (" — sources differ:" if len(groups) > 1 else ""))
    lines += [f"• {_group_line(g)}" for g in groups[1:6]]
    sections = [
        ("Other figures that may answer it:", _group(different_thing)),
        ("Per-day figures:" if not top.daily else "Totals:", _group(other_scope)),
        ("Other measures (not the same thing):", _group(others_rel)),
    ]
    shown: list[_Assessed] = [a for g in groups[:6] for a in g[:4]]  # every source of an agreement is cited
    for head_line, grouped in sections:
        if grouped:
            lines.append(head_line)
            lines += [f"• {_group_line(g)}" for g in grouped[:5]]
            shown += [g[0] for g in grouped[:5]]
    note = _correction_note(query)
    if note:
        lines.append(note)
    citations = dedupe([figure_citation(a.hit) for a in shown])
    table = [
        [a.hit.figure.surface, a.hit.figure.thing or "", a.hit.figure.claimant or "", source_label(a.hit.article),
         "answer" if a in answers else "other measure"]
        for a in shown
    ]
    data = _base_data(question, "quantity", query)
    data["figures"] = [figure_record(a.hit) for a in answers[:12]]
    data["related_figures"] = [figure_record(a.hit) for a in others_rel[:12]]
    return Reply(
        "ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
        columns=["figure", "what", "claimant", "source", "kind"], table=table, citations=citations, data=data,
    )


def _counts_exactly(h: FigureHit, head: str) -> bool:
    s = norm(head)
    if h.figure.thing_head == s:
        return True
    words = tokens(h.figure.thing) if h.figure.thing else window(h.sentence, h.figure.surface, before=0, after=4)
    return any(norm(w) == s for w in words)


def _claimant_country(h: FigureHit) -> str | None:
    """The country a sentence gives its claimant ("German Chancellor Olaf Scholz" -> Germany),
    read from the words just before the claimant's name."""
    claimant = h.figure.claimant
    at = h.sentence.find(claimant) if claimant else -1
    if at <= 0:
        return None
    found = nationalities(tokens(h.sentence[:at])[-4:])
    return next(iter(found)) if len(found) == 1 else None


def _same_sentence(a: FigureHit, b: FigureHit) -> bool:
    return a.article.id == b.article.id and a.sentence == b.sentence


def _group(items: list[_Assessed], *, same_measure: bool = False) -> list[list[_Assessed]]:
    """Figures with one value, however many sources give it: on one measure (``same_measure``)
    equal values are an agreement whatever words each source counts them in ("14 Leopard 2
    tanks" per Olaf Scholz, "14 tanks" per the German government); elsewhere one group per
    value and thing."""
    out: dict[tuple, list[_Assessed]] = {}
    for a in items:
        f = a.hit.figure
        key = (f.low, f.high, f.unit) if same_measure else (f.low, f.high, thing_key(f.thing))
        out.setdefault(key, []).append(a)
    return list(out.values())


def _group_line(group: list[_Assessed]) -> str:
    """The group's best-worded figure, with every source that gives it: "14 Leopard 2 tanks —
    according to Olaf Scholz and the German government · [4] RFE/RL"."""
    lead = group[0]
    line = figure_line(lead.hit)
    claimants = list(dict.fromkeys(a.hit.figure.claimant for a in group if a.hit.figure.claimant))
    if len(claimants) > 1:
        named = ", ".join(claimants[:-1]) + f" and {claimants[-1]}"
        line = line.replace(f"according to {lead.hit.figure.claimant}", f"according to {named}", 1)
    more = len({a.hit.article.id for a in group}) - 1
    return line + (f" (also in {more} more article{'s' if more > 1 else ''})" if more > 0 else "")
