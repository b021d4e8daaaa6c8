"""``ask`` who someone is: the roles articles give a person, or the people a role fits.

Newswire says who a person is beside their name: a title run before it ("Wagner chief
Yevgeny Prigozhin") or an apposition after it ("Sergei Shoigu, the Russian defence
minister,"). Those descriptions are read from the sentences naming the person and grouped
by the role they name; for "who is the head of X" the people a role description fits are
found instead.
"""

from __future__ import annotations

import re
from collections import Counter

from rapidfuzz import fuzz

from corpus.language import is_role, longest_first, norm, role_in, role_words, same_role
from corpus.models import SentenceHit

from ..answering import (
    TextIndex,
    _entity_alts,
    analyse,
    content_words,
    coverage,
    names_in,
    quoted,
    sentence_citation,
    source_label_hit,
    tokens,
)
from ..cite import dedupe
from ..context import Context
from ..lookup import name_index
from ..types import Reply
from ..who import roles_in as who_roles_in
from .reply import _base_data
from .shape import Shape


def _is_role_word(word: str) -> bool:
    """A word of the one role vocabulary (``corpus/language/roles.json``), or an organisation
    word a role description may end on ("the head of the agency")."""
    return is_role(word) or word.lower() in _ROLE_CONTEXT


#: Nouns that close a role description without being a role ("a ministry official").
_ROLE_CONTEXT = frozenset("agency ministry group company army administration service council opposition".split())


_CONNECTOR = re.compile(
    r"\b(?:according to|said|says|told|tells|by|with|from|as|when|that|while|after|before|including|whom|who|"
    r"which|where|and|but|is|was|has|had|have|like)\b",
    re.I,
)
_DETERMINER = re.compile(r"^(?:its|his|her|their|our)\s+", re.I)


def _has_role(text: str) -> bool:
    return any(_is_role_word(w) for w in tokens(text))


def _clean_role(text: str) -> str:
    parts = _CONNECTOR.split(text)
    role = parts[-1].strip(" ,;:–—-")
    return _DETERMINER.sub("", role).strip()


_TITLE_LINKS = frozenset({"of", "the", "for", "and", "to", "de", "on"})


def _title_run(segment: str) -> str:
    """The title words right before a name ("Wagner Group chief" in "it doesn't know Wagner
    Group chief"): capitalised words, role nouns and the small words that join them."""
    run: list[str] = []
    for w in reversed(segment.split()):
        if w[:1].isupper() or _is_role_word(w) or w.lower() in _TITLE_LINKS or "-" in w:
            run.append(w)
        else:
            break
    while run and run[-1].lower() in _TITLE_LINKS - {"the"}:
        run.pop()
    return " ".join(reversed(run))


def role_near(text: str, start: int, end: int) -> str | None:
    """The words a sentence uses to say who a named person is, if it says.

    Handles the two newswire shapes: a title run before the name ("Wagner chief Yevgeny
    Prigozhin", "the Ukrainian commander of ground forces, Colonel General Oleksandr
    Syrskyi") and an apposition after it ("Sergei Shoigu, the Russian defence minister,").
    """
    after = text[end:]
    m = re.match(
        r"\s*,\s*((?:the|a|an|its|his|her|their)\s+[^,;:()“”\"]{2,100}?|[A-Z][^,;:()“”\"]{2,100}?)"
        r"\s*(?=,|;|\.|\)|$|\s+(?:said|says|told|added|wrote|warned|has|had|is|was)\b)",
        after,
    )
    if m:
        role = _clean_role(m.group(1))
        if role and _has_role(role) and len(role.split()) <= 12:
            return role
    before = text[:start].rstrip()
    if not before:
        return None
    segments = re.split(r"[,;:(“”\"—–]", before)
    if not before.endswith(","):
        role = _title_run(_clean_role(segments[-1]))
        words = role.split()
        if role and _has_role(role) and len(words) <= 9:
            if len(segments) >= 2 and all(w[:1].isupper() for w in words):
                prev = _clean_role(segments[-2])
                if prev and _has_role(prev) and len(prev.split()) <= 9:
                    role = f"{prev}, {role}"
            return role
        return None
    if len(segments) >= 2:
        prev = _clean_role(segments[-2])
        if prev and _has_role(prev) and len(prev.split()) <= 9:
            return prev
    return None


def _find_name(text: str, names: list[str]) -> tuple[int, int] | None:
    for n in names:
        m = re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)
        if m:
            return m.start(), m.end()
    return None


def _roles_in(hits: list[SentenceHit], names: list[str]) -> list[tuple[str, SentenceHit]]:
    out = []
    for h in hits:
        span = _find_name(h.text, names)
        if span is None:
            continue
        role = role_near(h.text, *span)
        if role:
            out.append((role, h))
        else:  # the who command's reader ("LSE chief executive Clara Furse")
            out += [(r, h) for r in who_roles_in(h.text, names, "PERSON")]
    return out


def _same_description(a: str, b: str) -> bool:
    """Two descriptions of a person name one role: worded alike, or naming the same job
    ("ex-chief financial officer", "WorldCom financial chief")."""
    if fuzz.token_set_ratio(a.lower(), b.lower()) >= 90:
        return True
    ra, rb = (role_in(re.sub(r"(?i)\b(?:ex|former|then|acting)-", "", x)) for x in (a, b))
    return bool(ra and rb and " " in ra + rb and same_role(ra, rb))


def _distinct_roles(found: list[tuple[str, SentenceHit]]) -> list[tuple[str, list[SentenceHit]]]:
    """Descriptions of a person, grouped by the role they name, the most often given first."""
    groups: list[tuple[str, list[SentenceHit]]] = []
    for role, h in found:
        for i, (r, hs) in enumerate(groups):
            if _same_description(r, role):
                hs.append(h)
                if len(role) > len(r):
                    groups[i] = (role, hs)
                break
        else:
            groups.append((role, [h]))
    groups.sort(key=lambda g: -len(g[1]))
    return groups


#: Single role words, to find the sentences that describe a person (one vocabulary: roles.json).
_ROLE_WORDS = frozenset(w for w in role_words() if " " not in w and "." not in w)
_ROLE_KEYS = frozenset(norm(w) for w in _ROLE_WORDS)
#: How many of the newest sentences naming a person are read for the roles they give.
_NAMED_SENTENCES = 300


async def answer_who(ctx: Context, question: str, shape: Shape) -> Reply | None:
    index = await name_index(ctx)
    query = await analyse(ctx, question)
    who_query = await analyse(ctx, shape.who, base=query)
    store = ctx.corpus.store
    matches = index.match(who_query.corrected, limit=3)
    who_words = [w for w in content_words(who_query.corrected)]
    asks_role = any(_is_role_word(w) and not w[:1].isupper() for w in who_words)
    person = None
    for m in matches:
        if asks_role and (m.label != "PERSON" or re.search(
            rf"\b(?:of|at|for|in|from)\s+(?:the\s+)?{re.escape(m.matched)}\b", who_query.corrected, re.IGNORECASE
        )):
            # "the head of Wagner": Wagner is context (even where someone is surnamed Wagner),
            # the answer is the person the role describes
            continue
        # The match must be (nearly) the whole of what is asked about, not one word of a role.
        if len(tokens(m.matched)) >= max(1, len(who_words) - 1):
            person = m
            break
    data = _base_data(question, "who", query)
    if person is not None:
        names = sorted({n for n in person.names if len(n) >= 3} | {person.canonical}, key=longest_first)
        alts = list(_entity_alts(person))
        # The newest sentences naming them, then those with a role word: asking the index for
        # the name AND any of some 500 role words makes it merge 500 long lists.
        named = await store.match_sentences([alts], limit=_NAMED_SENTENCES, recent=True)
        hits = [h for h in named if _ROLE_KEYS & TextIndex.of(h.text).stems.keys()][:80]
        hits += await store.match_sentences([alts], limit=30)
        seen: set[int] = set()
        hits = [h for h in hits if not (h.sentence_id in seen or seen.add(h.sentence_id))]
        surnames = names + [n.split()[-1] for n in names if " " in n and person.label == "PERSON"]
        roles = _distinct_roles(_roles_in(hits, surnames))
        for q in await store.quotes_by_speakers(sorted(set(person.names) | {person.canonical}), limit=30):
            r = q.quote.speaker_role
            if r and r.lower() in q.sentence.lower():
                sentence = SentenceHit(0, q.article.id, 0, 0, 0, q.sentence, q.article.title, q.article.outlet,
                                       q.article.published, q.article.url, 0.0)
                if not any(fuzz.token_set_ratio(r.lower(), x.lower()) >= 90 for x, _ in roles):
                    roles.append((r, [sentence]))
        full = max(person.names, key=len) if person.label == "PERSON" else person.matched
        data["entity"] = person.canonical
        if roles:
            lines = [f"{full} — {roles[0][0]} · {source_label_hit(roles[0][1][0])}"]
            if len(roles) > 1:
                lines.append("Also described as:")
                lines += [f"• {r} · {source_label_hit(hs[0])}" for r, hs in roles[1:4]]
            data["roles"] = [r for r, _ in roles[:4]]
            cites = [sentence_citation(hs[0]) for _, hs in roles[:4]]
            return Reply(
                "ask", True, "\n".join(lines), title=f"Q: {question.strip()}", citations=dedupe(cites), data=data
            )
        if hits:
            top = hits[:4]
            lines = [f"No indexed article describes {full}'s role; they are mentioned here:"]
            lines += [f"• “{quoted(h.text)}” · {source_label_hit(h)}" for h in top]
            data["sentences"] = [h.text for h in top]
            return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                         citations=dedupe([sentence_citation(h) for h in top]), data=data)
        return None
    # "Who is the head of Wagner?": find the people a role description fits.
    if not _has_role(shape.who):
        return None
    role_words = [w for w in who_words if _is_role_word(w)]
    role_alts: set[str] = set(w.lower() for w in role_words)
    for w in role_words:
        role_alts |= {r for r in _ROLE_WORDS if same_role(w, r)}
    context_terms = [t for t in who_query.terms if t.label.lower() not in role_alts]
    if not context_terms:
        return None
    groups = [list(t.alts) for t in context_terms if not t.generic] + [sorted(role_alts)]
    hits = await store.match_sentences(groups, limit=60)
    people: Counter = Counter()
    evidence: dict[str, tuple[str, SentenceHit]] = {}
    asked = {e.canonical for e in who_query.entities}
    for h in hits:
        for m in names_in(h.text, index):
            if m.canonical in asked:
                continue
            span = _find_name(h.text, sorted(m.names, key=longest_first))
            if span is None:
                continue
            role = role_near(h.text, *span)
            if not role:
                continue
            ridx = TextIndex.of(role)
            if not any(ridx.has(a) for a in role_alts):
                continue
            if coverage(context_terms, TextIndex.of(role))[0] < 0.5 and coverage(context_terms, h.text)[0] < 0.999:
                continue
            people[m.canonical] += 1
            evidence.setdefault(m.canonical, (role, h))
    if not people:
        return None
    best = [c for c, _ in people.most_common(3)]
    lines = []
    cites = []
    for c in best:
        role, h = evidence[c]
        name = _find_name(h.text, sorted(index.groups.get(c, [c]), key=longest_first))
        shown = h.text[name[0]:name[1]] if name else c
        lines.append(f"{shown} — {role} · {source_label_hit(h)}")
        cites.append(sentence_citation(h))
    data["people"] = best
    return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}", citations=dedupe(cites), data=data)
