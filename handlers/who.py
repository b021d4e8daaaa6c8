"""``who NAME``: who or what an entity is, in the articles' own words.

The bot has no knowledge of its own about people, so a role is only ever what an
article says: the speaker role the quote extractor recorded, or an apposition found in a
sentence that mentions the name ("Yevgeniy Prigozhin, the head of the Russian Wagner
Group", "German Chancellor Olaf Scholz", "the strategic town of Soledar"). Each role is
shown with the sentence it was read from.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

from corpus.boilerplate import looks_like_boilerplate
from corpus.language import STOP_WORDS, longest_first, role_words
from corpus.models import EntityInfo, QuoteHit, SentenceHit

from . import cite
from .context import Context
from .lookup import EntityMatch
from .quotes import cite_quotes, quote_heading, quote_text, quotes_of, resolve_entity, suggestions
from .registry import Arg, command
from .types import Citation, Field, Reply, Request


def _role_alternation() -> str:
    """The one role vocabulary (:mod:`corpus.language`) as a regex alternation, longest first,
    so "chief executive" wins over "chief" and "head of state" over "head"."""
    words = sorted(role_words(), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)


_ROLE_NOUNS = _role_alternation()
_ROLE_NOUN = re.compile(r"\b(?:" + _ROLE_NOUNS + r")(?:e?s)?\b", re.IGNORECASE)
_PLACE_NOUNS = (
    r"town|city|village|region|country|port|oblast|province|capital|republic|state|island|peninsula|area"
    r"|nation|district|county|territory|settlement|suburb|municipality|kingdom|hub|stronghold|enclave|border"
)
#: What a description of a place holds: a kind of place ("a salt-mining town"), or where it is.
_PLACE_NOUN = re.compile(r"\b(?:" + _PLACE_NOUNS + r")(?:e?s)?\b|^located\b", re.IGNORECASE)
_DETERMINER = re.compile(r"\b(?:the|its|his|her|their|a|an|[A-Z][\w.-]*[’']s)\s", re.IGNORECASE)
_RELATIVE = re.compile(r"(?:who|whom|whose|which|that)\b", re.IGNORECASE)
_STOP_ROLE = re.compile(r"\s+(?:said|says|told|tells|added|adds|wrote|writes|warned|explained|believes)\b.*$")

_LABELS = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "country, city or region",
    "LOC": "place",
    "NORP": "nationality or group",
}


@dataclass(slots=True)
class Role:
    text: str
    citation: Citation
    count: int = 1
    articles: set[int] = field(default_factory=set)


_LEADING_FILLER = re.compile(
    r"^(?:(?:while|when|in|on|as|after|before|but|and|earlier|later|meanwhile|then|since|if|so|also|both|"
    r"now|today|yesterday|last|this|that|with|by|from|to|at)\s+)+",
    re.IGNORECASE,
)


#: How far before a name a title may start ("Ukrainian Deputy Foreign Minister …").
_ROLE_BEFORE = 120
_ROLE_SET = frozenset(" ".join(w.lower().split()) for w in role_words())
_ROLE_WORDS_MAX = max(len(w.split()) for w in _ROLE_SET)
_TITLE_WORD = re.compile(r"(?:[A-Z][\w.’'&-]*|of|for|the)")
_SPACED_WORD = re.compile(r"\S+")
_OPENERS = "\"“‘'([«"


def _role_before_name(before: str) -> str | None:
    """The title that ends just before a name: "Ukrainian Deputy Foreign Minister " → the
    role noun ("minister", from the one role vocabulary) and up to six capitalised words or
    "of/for/the" before it. Read word by word from the end: a regex search for the role
    alternation at every position of the text before each mention costs a millisecond."""
    if not before[-1:].isspace():
        return None
    words = [(m.start(), m.group()) for m in _SPACED_WORD.finditer(before)]
    first = None  # index of the role noun's first word
    for n in range(min(_ROLE_WORDS_MAX, len(words)), 0, -1):
        tail = " ".join(w for _, w in words[-n:]).lower().lstrip(_OPENERS)
        if tail in _ROLE_SET:
            first = len(words) - n
            break
    if first is None:
        # "co-chairman", "ex-CIA chief": the role noun closes a hyphenated word
        last_at, last = words[-1] if words else (0, "")
        cut = last.rfind("-")
        if cut <= 0 or last[cut + 1 :].lower() not in _ROLE_SET:
            return None
        return before[last_at + cut + 1 :].rstrip()
    k = first
    while k > 0 and first - k < 6 and _TITLE_WORD.fullmatch(words[k - 1][1]):
        k -= 1
    at, word = words[k]
    if k > 0 and first - k < 6:
        # "then-National Security Council aide", "(Brazilian Finance Minister": the title
        # starts inside the word before, after a hyphen or an opening bracket or quote
        prev_at, prev = words[k - 1]
        part = prev.lstrip(_OPENERS)
        cut = part.rfind("-") + 1
        if _TITLE_WORD.fullmatch(part[cut:]):
            return before[prev_at + len(prev) - len(part) + cut :].rstrip()
    skip = len(word) - len(word.lstrip(_OPENERS))
    return before[at + skip :].rstrip()
def _name_alt(names: list[str]) -> str:
    alt = "|".join(re.escape(n) for n in sorted(names, key=longest_first))
    return r"(?<![\w’'])(?:" + alt + r")(?![\w’'])"


def _trim_role(role: str) -> str:
    """Cut a matched role down to the noun phrase that names the role."""
    role = _STOP_ROLE.sub("", role.strip()).strip(" ,;:–—-")
    role = _LEADING_FILLER.sub("", role)
    m = _ROLE_NOUN.search(role)
    if m:
        starts = [d.start() for d in _DETERMINER.finditer(role) if d.start() < m.start()]
        if starts:
            role = role[starts[-1]:]
    return role.strip(" ,;:–—-")


def roles_in(text: str, names: list[str], label: str) -> list[str]:
    """Role phrases a sentence gives for one of ``names`` (verbatim substrings of it)."""
    alt = _name_alt(names)
    found: list[str] = []
    person = label == "PERSON"
    clause = r"[^,;:“”\"()\[\]]"
    # "Ukrainian President Volodymyr Zelenskyy", "Wagner chief Yevgeny Prigozhin": looked for
    # only in the words just before each mention (a search over the whole sentence with the
    # role alternation costs a hundred times more on long sentences).
    for name in re.finditer(alt, text):
        before = text[max(0, name.start() - _ROLE_BEFORE) : name.start()]
        role = _role_before_name(before)
        if role:
            found.append(role)
    # "Yevgeniy Prigozhin, the head of the Russian Wagner Group, which …"; "X, UN envoy to …"
    # (any acronym may open the description: an organisation's or a country's)
    for m in re.finditer(
        alt + r",\s+(?P<role>(?:the|a|an)\s+" + clause + r"{3,100}?|[a-z]" + clause + r"{2,100}?|"
        r"[A-Z][\w.-]*[’']s\s+" + clause + r"{3,100}?|(?:(?:[A-Z]\.){2,}|[A-Z]{2,6})\s+" + clause + r"{3,100}?)"
        r"(?=,|;|\s+(?:said|says|told|added|wrote)\b|\.[”\"’]?\s*$)",
        text,
    ):
        found.append(m.group("role"))
    # "The head of the UN human rights office in Ukraine, Matilda Bogner, said": the role opens
    # the sentence or a clause, and the name closes the apposition ("To settle the bill,
    # Russia forced ..." has none)
    for m in re.finditer(
        r"(?:^|[,;:(“\"]\s*)(?P<role>(?:[Tt]he|[Ii]ts|[Hh]is|[Hh]er|[A-Z][\w.-]*[’']s)\s+" + clause + r"{3,100}?),\s+"
        r"(?:[A-Z][a-z]+\s+){0,2}?" + alt + r"(?=\s*[,;)–—]|\s+(?:said|says|told|added|wrote)\b)",
        text,
    ):
        found.append(m.group("role"))
    # "Avdiivka – a town in eastern Ukraine roughly 90km to the south –"
    for m in re.finditer(alt + r"\s+[–—]\s+(?P<role>(?:a|an|the)\s+[^–—]{3,100}?)\s+[–—]", text):
        found.append(m.group("role"))
    # "Tor Bukkvoll works at the Norwegian Defense Research Institute (FFI)"
    works = r"\s+(?P<role>(?:works|worked|serves|served) (?:at|for|as) [^,;.“”\"]{3,100}?)(?=[,;.]|\s+and\b)"
    for m in re.finditer(alt + works, text):
        found.append(m.group("role"))
    # "Soledar is located some 20 kilometers from the strategic city of Bakhmut."
    for m in re.finditer(alt + r"\s+(?:is|was)\s+(?P<role>located [^,;.“”\"]{3,100}|(?:a|an|the)\s+" + clause
                         + r"{3,100}?)(?=[,;.]|\s+(?:who|which|that)\b)", text):
        found.append(m.group("role"))
    # "the strategic town of Soledar"
    if not person:
        for m in re.finditer(r"(?P<role>\b[Tt]he\s+(?:[\w-]+\s+){0,3}?(?:" + _PLACE_NOUNS + r"))\s+of\s+" + alt, text):
            found.append(m.group("role"))
    out = []
    for role in found:
        role = _trim_role(role)
        words = role.split()
        if not role or len(words) > 16 or role.lower() in {n.lower() for n in names}:
            continue
        if person and not _ROLE_NOUN.search(role) and not role.lower().startswith(("works", "worked", "serves")):
            continue
        if person and _RELATIVE.match(role):
            continue  # "who has announced plans to send 14 Challenger 2 tanks": an action, not a role
        descriptive = re.match(r"(?:the|a|an|located|its)\b", role, re.IGNORECASE) or _ROLE_NOUN.search(role)
        if not person and not descriptive:
            continue
        if not _describes(role):
            continue  # a name ("the US", "the Kremlin"), not a description
        if label in ("GPE", "LOC") and not _PLACE_NOUN.search(role):
            continue  # "in 1970s Russia, as an idealistic 20 year-old" describes someone else
        if role not in text:
            continue
        out.append(role)
    return out


def _describes(role: str) -> bool:
    """A description has a role noun or a common word of its own: "the US", "the White
    House" are names, though they sit where a description would."""
    if _ROLE_NOUN.search(role):
        return True
    return any(w[:1].islower() and w.lower() not in STOP_WORDS for w in role.split())


def _role_key(role: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", role.lower().replace("’", "'")).strip()


def _collect_roles(hits: list[SentenceHit], names: list[str], label: str) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    for h in hits:
        for role in roles_in(h.text, names, label):
            key = _role_key(role)
            if key in roles:
                roles[key].count += 1
                roles[key].articles.add(h.article_id)
            else:
                roles[key] = Role(role, cite.from_hit(h), 1, {h.article_id})
    return roles


async def _speaker_roles(ctx: Context, quotes: list[QuoteHit], roles: dict[str, Role]) -> None:
    """Fold in the roles the quote extractor recorded, cited where the article states them."""
    store = ctx.corpus.store
    cache: dict[int, list[SentenceHit]] = {}
    for q in quotes:
        role = q.quote.speaker_role
        if not role:
            continue
        key = _role_key(role)
        if key in roles:
            if q.article.id not in roles[key].articles:
                roles[key].count += 1
                roles[key].articles.add(q.article.id)
            continue
        if q.article.id not in cache:
            cache[q.article.id] = await store.sentences(q.article.id)
        source = next((s for s in cache[q.article.id] if role.lower() in s.text.lower()), None)
        if source is None:
            continue  # the role is not verbatim in the article: not something we can cite
        start = source.text.lower().index(role.lower())
        roles[key] = Role(source.text[start : start + len(role)], cite.from_hit(source), 1, {q.article.id})


def _fold_shorter(roles: dict[str, Role]) -> None:
    """Fold "President" into "Ukrainian President" and "the town" into "the strategic town"."""
    for key in sorted(roles, key=lambda r: (len(r), r)):
        longer = [k for k in roles if k != key and re.search(r"\b" + re.escape(key) + r"\b", k)]
        if longer:
            target = roles[max(longer, key=lambda k: len(roles[k].articles))]
            target.count += roles[key].count
            target.articles |= roles[key].articles
            del roles[key]


def _describe(info: EntityInfo | None, match: EntityMatch) -> str:
    label = info.label if info else match.label
    return _LABELS.get(label, label.lower())


@command(
    "who",
    "Who or what someone or something is, as the articles describe them.",
    args=(Arg("name", "a person, organisation or place (typos are fine)", autocomplete="entity"),),
    example="who Prigozhin",
)
async def who_command(ctx: Context, req: Request) -> Reply:
    name = str(req.args["name"]).strip()
    store = ctx.corpus.store
    match, index = await resolve_entity(ctx, name)
    info = await store.entity(match.canonical) if match else None
    if match is None or info is None or not info.mentions:
        maybe = await asyncio.to_thread(suggestions, index, name)
        text = f"No indexed article mentions {name!r}."
        if maybe:
            text += " Did you mean: " + ", ".join(maybe) + "?"
        return Reply("who", False, text, title=f"who: {name}", data={"suggestions": maybe})

    names = sorted(set(info.names) | {match.canonical}, key=longest_first)
    hits = await store.entity_mentions(list(info.names), limit=200)
    roles = _collect_roles(hits, names, info.label)
    quotes = await quotes_of(ctx, match, limit=50)
    await _speaker_roles(ctx, quotes, roles)
    _fold_shorter(roles)
    ranked = sorted(roles.values(), key=lambda r: (-len(r.articles), -r.count, len(r.text)))[:4]

    kind = _describe(info, match)
    article_ids = list(dict.fromkeys(h.article_id for h in hits))
    summaries = await store.get_summaries(article_ids[:8])
    others = [n for n in info.names if n != match.canonical]
    lines = [f"{match.canonical} — {kind}."]
    if ranked:
        lines.append("Described as: " + "; ".join(f"“{r.text}” [{r.citation.article_id}]" for r in ranked) + ".")
    else:
        lines.append("No article describes the role in so many words; see the sentences cited below.")
    lines.append(f"Mentioned {info.mentions} time(s) in {info.articles} article(s).")
    if others:
        lines.append("Also written: " + ", ".join(others) + ".")

    citations: list[Citation] = [r.citation for r in ranked]
    readable = [h for h in hits if not looks_like_boilerplate(h.text, h.title)]
    if readable:
        citations.append(cite.from_hit(readable[0]))  # the latest sentence naming them
    fields = []
    if ranked:
        fields.append(
            Field(
                "Described as",
                "\n".join(
                    f"• {r.text} — {r.citation.outlet or r.citation.title}, {r.citation.published or 'undated'}"
                    f" [{r.citation.article_id}]"
                    + (f" (and {len(r.articles) - 1} more article(s))" if len(r.articles) > 1 else "")
                    for r in ranked
                ),
            )
        )
    if summaries:
        fields.append(
            Field(
                "Appears in",
                "\n".join(cite.article_line(summaries[a]) for a in article_ids[:8] if a in summaries)
                + (f"\n…and {len(article_ids) - 8} more" if len(article_ids) > 8 else ""),
            )
        )
    latest = quotes[:3]
    if latest:
        cited = await cite_quotes(ctx, latest, match)
        fields.append(
            Field("Latest quotes", "\n".join(f"• {quote_heading(c.hit)}: {quote_text(c.hit, 300)}" for c in cited))
        )
        citations += [c for q in cited for c in q.citations]
    return Reply(
        "who",
        True,
        "\n".join(lines),
        title=f"who: {match.canonical}",
        fields=fields,
        citations=cite.dedupe(citations),
        data={
            "entity": match.canonical,
            "label": info.label,
            "names": list(info.names),
            "mentions": info.mentions,
            "articles": info.articles,
            "article_ids": article_ids,
            "roles": [{"text": r.text, "article_id": r.citation.article_id, "sentence": r.citation.sentence}
                      for r in ranked],
            "quotes": len(quotes),
        },
    )
