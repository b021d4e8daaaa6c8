"""The command registry: one declaration per command, checked privileges, parsed args."""

from __future__ import annotations

import json

import pytest

from handlers.registry import REGISTRY, Arg, Command, Registry, coerce_args, dispatch, parse_text_args
from handlers.types import Privilege, Reply, Request, UserError


async def _noop(ctx, req):
    return Reply(req.command, True, "ok")


def test_no_two_commands_or_aliases_collide():
    seen: dict[str, str] = {}
    for cmd in REGISTRY:
        for key in (cmd.name, *cmd.aliases):
            assert key not in seen, f"{key!r} used by {seen.get(key)} and {cmd.name}"
            seen[key] = cmd.name


def test_registering_a_colliding_name_fails():
    reg = Registry()
    reg.add(Command("ask", "x", _noop, aliases=("q",)))
    with pytest.raises(ValueError):
        reg.add(Command("query", "y", _noop, aliases=("q",)))


def test_every_command_has_an_example_and_described_args():
    for cmd in REGISTRY:
        assert cmd.example, cmd.name
        assert all(a.description for a in cmd.args), cmd.name


def test_text_argument_takes_the_rest_of_the_line():
    cmd = Command("ask", "x", _noop, args=(Arg("question", "q"),))
    assert parse_text_args(cmd, "  how many tanks?  ") == {"question": "how many tanks?"}


def test_words_then_text():
    cmd = Command("sub", "x", _noop, args=(Arg("when", "w", kind="word"), Arg("topic", "t", required=False)))
    assert parse_text_args(cmd, '"daily" tanks and jets') == {"when": "daily", "topic": "tanks and jets"}
    with pytest.raises(UserError):
        parse_text_args(Command("one", "x", _noop, args=(Arg("id", "i", kind="word"),)), "1 2")


def test_coerce_reports_missing_and_bad_numbers():
    cmd = Command("n", "x", _noop, args=(Arg("id", "the id", kind="int"),))
    with pytest.raises(UserError, match="Missing id"):
        coerce_args(cmd, {})
    with pytest.raises(UserError, match="must be a number"):
        coerce_args(cmd, {"id": "abc"})
    assert coerce_args(cmd, {"id": "7"}) == {"id": 7}


async def test_member_running_remove_is_refused_politely(seed_ctx):
    before = await seed_ctx.corpus.store.count_articles()
    reply = await dispatch(seed_ctx, Request("remove", {"id": "1"}, privilege=Privilege.MEMBER))
    assert reply.error and not reply.answered
    assert "moderator" in reply.text
    assert await seed_ctx.corpus.store.count_articles() == before


async def test_moderator_can_remove(seed_ctx):
    reply = await dispatch(seed_ctx, Request("remove", {"id": "1"}, privilege=Privilege.MODERATOR))
    assert reply.answered, reply.text
    assert await seed_ctx.corpus.store.get_article(1) is None
    changes = await seed_ctx.corpus.store.changes()
    assert changes[0].action == "remove" and changes[0].article_id == 1


async def test_unknown_command_is_a_failure_reply(seed_ctx):
    reply = await dispatch(seed_ctx, Request("frobnicate"))
    assert reply.error and "help" in reply.text


def test_a_long_lead_is_cut_on_a_word_keeping_the_quote_closed_and_the_source_whole():
    from handlers.types import MAX_ANSWER_LINE, lead_line, with_lead_line

    line = "Cynthia Cooper (internal auditor) said: “" + "word " * 60 + "end.” · BBC News, 2005-02-15 [12]"
    lead = lead_line(line)
    assert len(lead) <= MAX_ANSWER_LINE
    assert lead.endswith("word…” · BBC News, 2005-02-15 [12]")
    text = with_lead_line(line + "\nAlso: more")
    assert text.splitlines() == [lead, line, "Also: more"]  # the whole line follows as evidence
    assert with_lead_line("short\nrest") == "short\nrest"


@pytest.mark.parametrize(
    "command, args",
    [
        ("ask", {"question": "What did Prigozhin say about Bakhmut?"}),
        ("ask", {"question": "How many tanks is Germany sending?"}),
        ("ask", {"question": "Who is Yevgeny Prigozhin?"}),
        ("source", {"claim": "Germany will send 14 Leopard 2 tanks to Ukraine"}),
        ("quotes", {"person": "Zelenskyy"}),
        ("compare", {"topic": "Russian casualties"}),
        ("summary", {"target": "Bakhmut"}),
        ("timeline", {"topic": "Bakhmut"}),
        ("who", {"name": "Prigozhin"}),
        ("facts", {"id": 1}),
        ("articles", {}),
    ],
)
async def test_every_reply_leads_with_a_line_a_chat_can_show(seed_ctx, command, args):
    from handlers.registry import dispatch
    from handlers.types import MAX_ANSWER_LINE, Request

    reply = await dispatch(seed_ctx, Request(command, args))
    first = reply.text.splitlines()[0]
    assert first.strip() and len(first) <= MAX_ANSWER_LINE, first


async def test_a_read_that_overruns_its_budget_is_stopped_politely_and_a_write_is_not(tmp_path):
    import asyncio

    from corpus.service import Corpus
    from handlers.context import Context
    from handlers.registry import Registry, dispatch
    from handlers.types import Privilege, Reply, Request

    registry = Registry()

    @registry.command("ponder", "A read that takes too long.")
    async def ponder(_ctx: Context, _req: Request) -> Reply:
        await asyncio.sleep(5)
        return Reply("ponder", True, "done")

    @registry.command("store", "A write that takes a while.", privilege=Privilege.MODERATOR)
    async def store(_ctx: Context, _req: Request) -> Reply:
        await asyncio.sleep(0.3)
        return Reply("store", True, "stored")

    corpus = await Corpus.open(tmp_path / "b.db", seed=False)
    try:
        ctx = Context(corpus, budget=0.2)
        reply = await dispatch(ctx, Request("ponder"), registry)
        assert reply.error and "too broad" in reply.text and "0.2 s" in reply.text
        done = await dispatch(ctx, Request("store", privilege=Privilege.MODERATOR), registry)
        assert done.answered and done.text == "stored"
    finally:
        await corpus.close()


async def test_control_characters_and_undecodable_bytes_never_reach_a_handler_or_a_reply(seed_ctx):
    cmd = REGISTRY.get("ask")
    args = coerce_args(cmd, {"question": "\x00How many\x07 tanks\u200b are in Bakh\u00admut \udcff?\x1b[31m"})
    assert args["question"] == "How many tanks are in Bakhmut \ufffd?[31m"
    reply = await dispatch(seed_ctx, Request("ask", {"question": "who is \x00Prigozhin\x08\udc80"}))
    text = json.dumps(reply.to_json(), ensure_ascii=False)
    text.encode("utf-8")  # raises on a lone surrogate
    assert not any(ord(c) < 32 and c not in "\n\t" for c in reply.text + "".join(f.value for f in reply.fields))


def test_a_phrase_said_over_and_over_is_read_once_and_full_width_letters_as_letters():
    cmd = REGISTRY.get("compare")
    assert coerce_args(cmd, {"topic": "Russian casualties " * 6000})["topic"] == "Russian casualties"
    assert coerce_args(cmd, {"topic": "ｔａｎｋｓ in New York New York"})["topic"] == "tanks in New York New York"
    with pytest.raises(UserError, match="That topic is 198,889 characters"):
        coerce_args(cmd, {"topic": " ".join(f"w{i}" for i in range(30000))})
