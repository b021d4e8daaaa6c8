"""``ask``: a question in plain words, answered only from what indexed articles say.

What kind of question it is decides where the answer is looked for: figures for "how
many/much/far", quotes for "what did X say", descriptions of a person for "who is", dated
events for "when", and the best-covering sentences otherwise.

The answer policy (tested in ``tests/handlers/test_ask.py`` and the question set):

* The first line is the answer, at most 200 characters (``handlers.types.lead_line``
  shortens any longer one and the whole line follows): the value with what it counts and
  who says so, or the speaker with a clipped quote, then the source. The evidence follows.
* Numbers are the source's: a figure is shown as written ("between 40,000 and 60,000",
  "£1.3bn", "“dozens”"); anything computed is labelled as such.
* A figure answers when it counts what is asked (its counted noun, a noun of the same
  group, or the unit asked for), its event fits the question's verb, its kind fits ("how
  far" a distance, "how much" money or a change) and its party does not conflict with the
  one asked about. A party's own figure leads one it shares with another party.
* "Sources differ" only when two figures are on the same measure
  (:func:`corpus.measure.comparable`) and their values differ; equal values on one measure
  are one agreeing answer naming every source ("14 tanks — according to the German
  government and Olaf Scholz"). Two values in one sentence (a total and its part, a start
  and an end) are never a disagreement.
* A quote answers "what did X say about Y" when it is by X and it, its sentence or the
  lines around it are about Y.
* When nothing passes, the reply says the articles do not state it (``answered: false``)
  and offers the nearest facts instead of guessing.
"""

from __future__ import annotations

import re

from ..context import Context
from ..registry import Arg, command
from ..types import Reply, Request
from .general import answer_general
from .quantity import PREDICATE_WEIGHT, answer_quantity
from .quotes import answer_quote, answer_who_said
from .shape import Shape, _counted_from_parse, shape_of
from .when import answer_when
from .who import _same_description, answer_who, role_near

__all__ = [
    "PREDICATE_WEIGHT",
    "Shape",
    "_same_description",
    "answer_general",
    "answer_quantity",
    "answer_quote",
    "answer_when",
    "answer_who",
    "answer_who_said",
    "ask_command",
    "role_near",
    "shape_of",
]


@command(
    "ask",
    "Ask a question; the answer comes only from indexed articles, with the sentences it rests on.",
    args=(Arg("question", "your question, e.g. how many tanks is the US sending?"),),
    example="ask how many tanks is the US sending?",
)
async def ask_command(ctx: Context, req: Request) -> Reply:
    question = str(req.args["question"]).strip()[:500]
    # "whats", "whos": contractions typed without the apostrophe
    question = re.sub(r"\b(what|who|where|when|how)s\b", r"\1's", question, flags=re.I)
    shape = shape_of(question)
    if shape.kind == "quantity" and shape.target:
        shape = _counted_from_parse(shape, await ctx.corpus.parse_claim(question))
    reply: Reply | None = None
    if shape.kind == "quantity":
        reply = await answer_quantity(ctx, question, shape)
    elif shape.kind == "quote":
        reply = await answer_quote(ctx, question, shape)
    elif shape.kind == "who_said":
        reply = await answer_who_said(ctx, question, shape)
    elif shape.kind == "who":
        reply = await answer_who(ctx, question, shape)
    elif shape.kind == "when":
        reply = await answer_when(ctx, question, shape)
    if reply is None:
        reply = await answer_general(ctx, question, shape.kind)
    return reply
