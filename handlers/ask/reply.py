"""The parts every ``ask`` reply shares: its data record, the note on corrected words, and
the reply given when the articles do not answer.

Every answerer ends the same way when nothing passes: the reply says the articles do not
state it (``answered: false``) and offers the nearest facts, worded from the question
itself, so that wording is one piece of code.
"""

from __future__ import annotations

import re

from ..answering import Query
from ..cite import dedupe
from ..types import Reply


def _plain(question: str) -> str:
    q = question.strip().rstrip("?!. ")
    return q[:1].lower() + q[1:] if q[:1].isupper() and not q[1:2].isupper() else q


def _not_stated(question: str, what: str | None = None) -> str:
    body = what or _plain(question)
    body = re.sub(r"^(?:what|which)(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?=the\s)", "", body, flags=re.I)
    if body.lower().startswith("the "):
        return f"No indexed article states {body}."
    if re.match(r"(how|what|when|who|which|where|why|whether)\b", body, re.I):
        return f"No indexed article states {body}."
    return f"No indexed article states an answer to “{question.strip()}”."


def _correction_note(query: Query) -> str:
    if not query.corrections:
        return ""
    pairs = ", ".join(f"“{a}” as “{b}”" for a, b in query.corrections.items())
    return f"(Read {pairs}.)"


def _base_data(question: str, kind: str, query: Query | None) -> dict:
    data = {"question": question, "kind": kind}
    if query is not None:
        data["corrected"] = query.corrected
        data["corrections"] = dict(query.corrections)
        data["entities"] = [e.canonical for e in query.entities]
    return data


def _unanswered(question: str, kind: str, query: Query, closest, *, what: str | None = None, extra: str = "") -> Reply:
    lines = [_not_stated(question, what)]
    if extra:
        lines.append(extra)
    note = _correction_note(query)
    if note:
        lines.append(note)
    if closest.lines:
        lines.append("Closest facts in the corpus:")
        lines += [f"• {line}" for line in closest.lines]
    data = _base_data(question, kind, query)
    data["closest"] = [c.sentence for c in closest.citations]
    return Reply(
        "ask", False, "\n".join(lines), title="Not in the corpus", citations=dedupe(closest.citations), data=data
    )
