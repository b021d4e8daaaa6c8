"""Block Kit rendering: the answer first, within Slack's limits, never a mention."""

from __future__ import annotations

import json

from bot.slack_render import (
    CONTEXT_ELEMENTS_MAX,
    FIELD_TEXT_MAX,
    HEADER_MAX,
    MAX_BLOCKS,
    SECTION_TEXT_MAX,
    escape,
    render_pages,
    with_pager,
)
from handlers.types import Citation, Field, Reply

HOSTILE = "<!channel> <!here> <!everyone> <@U123> <!subteam^S1|mods> <https://evil.example|click> & co"


def _texts(blocks: list[dict]) -> list[str]:
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                out.append(node["text"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(blocks)
    return out


def _check_limits(blocks: list[dict]) -> None:
    assert len(blocks) <= MAX_BLOCKS
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= SECTION_TEXT_MAX
            assert len(b.get("fields", [])) <= 10
            assert all(len(f["text"]) <= FIELD_TEXT_MAX for f in b.get("fields", []))
        if b["type"] == "context":
            assert len(b["elements"]) <= CONTEXT_ELEMENTS_MAX
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= HEADER_MAX


def test_escaping_defuses_every_kind_of_mention() -> None:
    assert escape(HOSTILE).count("<") == 0 and escape(HOSTILE).count(">") == 0
    assert "&amp; co" in escape(HOSTILE)


def test_a_reply_leads_with_its_answer_and_cites_its_sources_with_links() -> None:
    cite = Citation(3, "Title", "Reuters", "2024-05-01", "https://example.com/a?x=1", "Labour won 411 seats.")
    reply = Reply("ask", True, "411 seats — Labour · [3] Reuters\nEvidence line.", title="Q: how many seats?",
                  fields=[Field("Also", "something else")], citations=[cite])
    [page] = render_pages(reply)
    assert page.text == "411 seats — Labour · [3] Reuters"
    assert page.blocks[0]["type"] == "header" and page.blocks[1]["text"]["text"] == "*411 seats — Labour · [3] Reuters*"
    context = [b for b in page.blocks if b["type"] == "context"]
    assert context and "<https://example.com/a?x=1|Reuters, 2024-05-01>" in context[0]["elements"][0]["text"]
    _check_limits(page.blocks)


def test_echoed_text_can_never_ping_in_any_payload() -> None:
    cite = Citation(1, HOSTILE, HOSTILE, None, "javascript:alert(1)", HOSTILE)
    reply = Reply("ask", False, HOSTILE + "\n" + HOSTILE, title=HOSTILE, fields=[Field(HOSTILE, HOSTILE)],
                  columns=["a", "b"], table=[[HOSTILE, HOSTILE]], citations=[cite])
    for page in render_pages(reply):
        payload = json.dumps({"text": page.text, "blocks": page.blocks}, ensure_ascii=False)
        for ping in ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<!subteam", "<https://evil", "javascript:"):
            assert ping not in payload.replace("\\", ""), ping
        _check_limits(page.blocks)


def test_a_long_reply_becomes_pages_within_every_limit_and_buttons_turn_them() -> None:
    cites = [Citation(i, f"T{i}", "Outlet", "2024-01-01", f"https://x.example/{i}", "s " * 200) for i in range(35)]
    fields = [Field(f"Field {i}", "word " * 900) for i in range(40)]
    reply = Reply("summary", True, "The answer.\n" + "evidence " * 3000, title="x" * 400, fields=fields,
                  citations=cites)
    pages = render_pages(reply)
    assert len(pages) > 1
    for i, page in enumerate(pages):
        paged = with_pager(page, "k", i, len(pages))
        _check_limits(paged.blocks)
        assert paged.text == "The answer."  # every notification shows the answer
        buttons = paged.blocks[-1]["elements"]
        values = [b["value"] for b in buttons]
        assert (f"k:{i - 1}" in values) == (i > 0) and (f"k:{i + 1}" in values) == (i < len(pages) - 1)
    # every citation is shown, on the last page
    last = " ".join(_texts(pages[-1].blocks))
    assert all(f"[{i}]" in last for i in range(35))
