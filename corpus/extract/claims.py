"""Reading a question or a claim with the same spaCy pipeline as the articles.

Word overlap finds the sentences a claim is about; the parse says what the claim asserts
about them. "The LSE accepted the offer" and "the LSE turned down the offer" share every
name and noun, and only the predicate tells them apart; "Kilroy-Silk will not contest
Erewash" is the opposite of the sentence it shares all its words with. So a claim's
content verbs (with their particles: "turned down") and its negation are read here, and a
sentence states the claim only if it has those verbs, or words that stand for them
(:func:`corpus.language.paraphrases`), negated the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..language import light_verbs, negative_verbs, norm

#: Dependency labels of the verbs that carry a claim: the root and what it hands on to
#: ("urged ... to reject": urge, reject; "is going to stand": stand). A condition or a
#: reason ("if a soldier entered", "because it put") is context, not the claim.
_PREDICATE_DEPS = frozenset({"ROOT", "xcomp", "ccomp", "conj"})
NEGATIONS = frozenset({"not", "n't", "never", "no", "neither", "nor", "without"})


@dataclass(frozen=True, slots=True)
class ClaimParse:
    """What a parse tells about a claim or question beyond its words."""

    predicates: tuple[str, ...] = ()  # content verbs as written, with particles ("turned down")
    negated: bool = False  # the claim denies its main predicate ("will not contest")
    counted: str | None = None  # the noun "how many/much" asks about ("members" in "how many members sit")
    negators: tuple[str, ...] = ()  # verbs read as a negation ("refused" in "refused to send"), as written


@lru_cache(maxsize=512)
def parse_claim(text: str) -> ClaimParse:
    """Parse one short text (a claim, a question). CPU-bound: call it off the event loop."""
    from .pipeline import load_nlp

    doc = load_nlp()(text[:500])
    light = light_verbs()
    predicates: list[str] = []
    negators: list[str] = []
    negated = False
    for tok in doc:
        if tok.pos_ != "VERB" or tok.dep_ not in _PREDICATE_DEPS:
            continue
        if any(c.dep_ == "neg" or c.lower_ in NEGATIONS for c in tok.children):
            negated = True  # "will not contest", "said he couldn't rule out"
        if norm(tok.text) in negative_verbs() and any(c.dep_ == "xcomp" for c in tok.children):
            negated = not negated  # "refused to send" denies "send"
            negators.append(tok.text)
            continue
        if norm(tok.text) in light:
            continue
        particles = [c.text for c in tok.children if c.dep_ == "prt"]
        predicates.append(" ".join([tok.text, *particles]))
    counted = next(
        (t.head.text for t in doc if t.lower_ in ("many", "much") and t.head.pos_ in ("NOUN", "PROPN")
         and t.head.i > t.i),
        None,
    )
    return ClaimParse(tuple(dict.fromkeys(predicates)), negated, counted, tuple(negators))
