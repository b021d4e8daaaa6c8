"""Turning a platform-neutral :class:`Reply` into Slack Block Kit messages.

Slack rejects a message whose blocks break a limit (50 blocks, 3,000 characters of section
text, 10 fields of 2,000, 10 context elements, a 150-character plain-text header), so the
reply is cut to fit here, before anything is sent. The direct answer comes first, the
evidence follows as sections, and the sources close each page as context blocks with links.
A reply longer than one page becomes pages the asker turns with buttons.

Every piece of text that came from an article or a person is escaped for mrkdwn (``&``,
``<``, ``>``), so nothing echoed can ever form ``<!channel>``, ``<!here>``,
``<!everyone>``, a ``<@user>`` or a ``<!subteam^…>`` mention, or a disguised link. The
``text`` of every message (what notifications show) is the same escaped answer line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from handlers.types import Citation, Reply

from .discord_render import clip, split_text, table_lines

MAX_BLOCKS = 50
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FIELDS_MAX = 10
CONTEXT_ELEMENTS_MAX = 10
HEADER_MAX = 150
#: Slack shows at most about 4,000 characters of a message's ``text`` in a notification.
FALLBACK_MAX = 3000

#: Readability limits, below Slack's: a page a person takes in at a glance.
BLOCKS_PER_PAGE = 20
PAGE_CHARS = 4000
ROWS_PER_SECTION = 15
SECTION_PAGE_TEXT = 2800
QUOTE_MAX = 160

#: The action id of the page buttons (the value carries the pager key and the page).
PAGE_ACTION = "briefbot_page"

_URL = re.compile(r"^https?://[^\s<>|]{1,1000}$")
_DISCORD_ESCAPE = re.compile(r"\\([*_~|`>\[\]\\])")


def escape(text: str) -> str:
    """Text as Slack mrkdwn shows it literally: ``&``, ``<`` and ``>`` escaped, which is
    what stops echoed text from pinging ``@channel`` or a user, or forming a link."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str, limit: int) -> str:
    """A ``plain_text`` object's text (a header, a button): never empty, at most ``limit``,
    and without angle brackets, so not even a client that parses them could read a mention."""
    text = " ".join((text or "").split()).replace("<", "‹").replace(">", "›")
    return clip(text or "…", limit)


def _link(url: str | None, label: str) -> str:
    if url and _URL.match(url):
        return f"<{url}|{escape(label).replace('|', '¦')}>"
    return escape(label)


def citation_text(c: Citation) -> str:
    """``[3] <url|Outlet, 2023-05-12> — “the sentence”``: the link opens the source."""
    bits = [b for b in (c.outlet, c.published) if b]
    label = ", ".join(bits) if bits else c.title
    sentence = escape(clip(" ".join(c.sentence.split()), QUOTE_MAX))
    return f"[{c.article_id}] {_link(c.url, clip(label, 200))} — “{sentence}”"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_TEXT_MAX)}}


def _context(texts: Sequence[str]) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(t, SECTION_TEXT_MAX)} for t in texts]}


def answer_line(reply: Reply) -> str:
    """The first line of the reply: the answer, escaped (the notification text too)."""
    first = (reply.text or "").strip().split("\n", 1)[0]
    return escape(first) or escape(reply.title or reply.command)


def _body_blocks(reply: Reply) -> list[dict[str, Any]]:
    """Everything but the header and the sources, in reading order, each within limits."""
    blocks: list[dict[str, Any]] = []
    text = (reply.text or "").strip()
    first, _, rest = text.partition("\n")
    prefix = ":warning: " if reply.error else ""
    blocks.append(_section(prefix + "*" + escape(first) + "*" if first else prefix + "…"))
    for chunk in split_text(escape(rest), SECTION_PAGE_TEXT):
        blocks.append(_section(chunk))
    for f in reply.fields:
        parts = split_text(escape(f.value), SECTION_PAGE_TEXT - len(f.name) - 8) or ["—"]
        for i, part in enumerate(parts):
            name = escape(f.name) + (" (cont.)" if i else "")
            blocks.append(_section(f"*{clip(name, 200)}*\n{part}"))
    if reply.table:
        header, lines = table_lines(reply.columns, reply.table)
        if header is not None:
            fence = "```"
            body = [escape(line).replace(fence, "`\u200b``") for line in lines]
            for chunk in _chunks(body, SECTION_PAGE_TEXT - len(header) - 10, ROWS_PER_SECTION):
                blocks.append(_section(f"{fence}{escape(header)}\n" + "\n".join(chunk) + fence))
        else:
            # the lines come with Discord's markdown escapes ("O\\_Brien"), which Slack would show
            plain_lines = [escape(_DISCORD_ESCAPE.sub(r"\1", line.replace("**", "*"))) for line in lines]
            for chunk in _chunks(plain_lines, SECTION_PAGE_TEXT, ROWS_PER_SECTION):
                blocks.append(_section("\n".join(chunk)))
    return blocks


def _chunks(lines: list[str], limit: int, rows: int) -> list[list[str]]:
    out: list[list[str]] = []
    size = 0
    for line in lines:
        line = clip(line, limit)
        if out and size + len(line) + 1 <= limit and len(out[-1]) < rows:
            out[-1].append(line)
            size += len(line) + 1
        else:
            out.append([line])
            size = len(line)
    return out


@dataclass(slots=True)
class SlackPage:
    """One message: its blocks and the plain fallback ``text`` notifications show."""

    text: str
    blocks: list[dict[str, Any]]


def render_pages(reply: Reply) -> list[SlackPage]:
    """The reply as one or more Block Kit messages, each within Slack's limits.

    The header and the answer line open every page, so a page read alone still says what it
    answers; the sources a page's evidence rests on close it (all of them on the last page).
    """
    fallback = clip(answer_line(reply), FALLBACK_MAX)
    header = {"type": "header", "text": {"type": "plain_text", "text": plain(reply.title or reply.command, HEADER_MAX)}}
    body = _body_blocks(reply)
    lead, evidence = body[0], body[1:]
    cites = [citation_text(c) for c in reply.citations]
    cite_blocks = [_context(cites[i : i + CONTEXT_ELEMENTS_MAX]) for i in range(0, len(cites), CONTEXT_ELEMENTS_MAX)]
    # room per page: header, lead, a divider, the sources, the page buttons
    room = BLOCKS_PER_PAGE - 4 - min(len(cite_blocks), 3)
    pages_of_evidence: list[list[dict[str, Any]]] = [[]]
    size = 0
    for block in evidence:
        # a page ends at the block budget, or once it holds a screenful of text (a table's
        # sections are a screenful each)
        text = block["text"]["text"]
        n = PAGE_CHARS if text.startswith("```") else len(text)  # an aligned table: a page of rows
        if pages_of_evidence[-1] and (len(pages_of_evidence[-1]) >= room or size + n > PAGE_CHARS):
            pages_of_evidence.append([])
            size = 0
        pages_of_evidence[-1].append(block)
        size += n
    pages: list[SlackPage] = []
    for n, chunk in enumerate(pages_of_evidence):
        answer = clip((reply.text or "").split("\n", 1)[0], 300)
        blocks = [header, lead if n == 0 else _section(f"*{escape(answer)}* (cont.)")]
        blocks += chunk
        last = n == len(pages_of_evidence) - 1
        sources = cite_blocks if last else cite_blocks[:1]
        if sources:
            blocks.append({"type": "divider"})
            blocks += sources[: MAX_BLOCKS - len(blocks) - 2]
        pages.append(SlackPage(fallback, blocks[: MAX_BLOCKS - 2]))  # room for the page buttons
    return pages


def with_pager(page: SlackPage, key: str, index: int, total: int) -> SlackPage:
    """A page with "previous/next" buttons (only when there is more than one page)."""
    if total <= 1:
        return page
    buttons = []
    if index > 0:
        buttons.append({"type": "button", "action_id": f"{PAGE_ACTION}_prev", "text": {"type": "plain_text",
                        "text": "◀ Previous"}, "value": f"{key}:{index - 1}"})
    if index < total - 1:
        buttons.append({"type": "button", "action_id": f"{PAGE_ACTION}_next", "text": {"type": "plain_text",
                        "text": "Next ▶"}, "value": f"{key}:{index + 1}"})
    footer = _context([f"Page {index + 1} of {total}"])
    return SlackPage(page.text, [*page.blocks, footer, {"type": "actions", "elements": buttons}])
