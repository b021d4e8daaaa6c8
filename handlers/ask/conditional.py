"""What could happen is not what did: conditional sentences and figures.

A factual question ("what fine did the court impose") is not answered by a sentence that
says what could happen if something does ("could face a fine of £2m if convicted"). Both
the figure answerer and the sentence answerer apply this one test.
"""

from __future__ import annotations

import re

from corpus.models import FigureHit

from ..answering import window

#: A sentence that says what could happen if something does ("could face a jail sentence of
#: 85 years if convicted") does not answer a question about what did happen.
_HYPOTHETICAL = re.compile(r"\b(?:could|would|might|may)\b[^.]*\bif\b|\bif\b[^.]*\b(?:could|would|might|may)\b", re.I)
_FACTUAL = re.compile(r"^\s*(?:what|which|who|where|how)\b[^?]*?\b(?:was|were|did|has|have|had)\b", re.I)


def _hypothetical_figure(h: FigureHit) -> bool:
    """A figure that a modal verb just before it makes conditional ("could face a fine of £2m
    if …"); a figure in a factual clause of a conditional sentence ("… attacks like that which
    killed seven people") is not."""
    if not re.search(r"\bif\b", h.sentence, re.I):
        return False
    before = window(h.sentence, h.figure.surface, before=6, after=0)
    return any(w.lower() in ("could", "would", "might", "may") for w in before)
