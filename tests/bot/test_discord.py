"""The Discord front end end to end: a live bot against the fake Discord on loopback."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from bot.discord_bot import BriefBot, autocomplete_entity, run_discord, sync_commands
from bot.settings import Settings
from corpus.service import Corpus
from handlers.context import Context
from handlers.registry import REGISTRY, Arg, Registry
from handlers.types import Citation, Field, Image, Reply, Request
from tests.bot.conftest import Clock, SleepyExtractor, StartBot, article_text
from tests.bot.fake_discord import FakeDiscord, Recorded

MESSAGES = r"^/channels/\d+/messages$"


def embeds_of(record: Recorded) -> list[dict[str, Any]]:
    return [e for p in record.message_payloads() for e in p.get("embeds") or []]


def field_values(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}


def custom_ids(payload: dict[str, Any]) -> list[tuple[str, bool]]:
    """(custom_id, disabled) of every button, in order."""
    return [
        (c["custom_id"], bool(c.get("disabled"))) for row in payload.get("components", []) for c in row["components"]
    ]


@pytest.fixture(autouse=True)
def mentions_are_disabled_in_every_payload(request: pytest.FixtureRequest):
    """Whatever a test made the bot send, no payload may be able to ping anyone."""
    # Asked for during setup, so the fake outlives this check at teardown.
    fake: FakeDiscord | None = request.getfixturevalue("fake") if "fake" in request.fixturenames else None
    yield
    if fake is None:
        return
    for record in fake.requests:
        for payload in record.message_payloads():
            if {"content", "embeds", "components"} & set(payload):
                assert payload.get("allowed_mentions", {}).get("parse") == [], (record.method, record.path, payload)


@pytest.mark.asyncio
async def test_prefix_command_replies_with_a_cited_embed(bot: BriefBot, fake: FakeDiscord):
    n = len(fake.requests)
    await fake.send_message(fake.member, fake.general, "!digest")
    (sent,) = await fake.wait_request("POST", MESSAGES, since=n)
    (embed,) = embeds_of(sent)
    assert embed["title"] == "Digest preview"
    assert "3 new articles" in embed["description"]
    sources = field_values(embed)["Sources"]
    assert "[1] [Wire, 2023-01-01](https://news.example/0)" in sources
    assert "convoys reached the district" in sources  # the cited sentence itself
    assert embed["footer"]["text"].endswith("sources")


@pytest.mark.asyncio
async def test_slash_command_replies_with_a_cited_embed(bot: BriefBot, fake: FakeDiscord):
    token = await fake.slash(fake.member, fake.general, "digest", {"topic": "Soledar"})
    (callback,) = await fake.wait_request("POST", f"/{token}/callback")
    assert callback.json["type"] == 4
    (embed,) = embeds_of(callback)
    assert embed["title"] == "Digest preview: Soledar"
    assert "1 new article about 'Soledar'" in embed["description"]
    assert "[2] [Ledger, 2023-01-02](https://news.example/1)" in field_values(embed)["Sources"]
    assert not callback.json["data"].get("flags")  # answers are public; only refusals are ephemeral


@pytest.mark.asyncio
async def test_slow_command_is_deferred_then_answered_by_followup(
    bot: BriefBot, fake: FakeDiscord, extractor: SleepyExtractor
):
    extractor.delay = 4.0  # longer than Discord's window: only a deferral keeps the command alive
    started = time.monotonic()
    token = await fake.slash(fake.moderator, fake.general, "add", {"source": article_text(40)})
    (first,) = await fake.wait_request("POST", f"/{token}/callback")
    assert first.json["type"] == 5  # "briefbot is thinking…" within Discord's three seconds
    assert time.monotonic() - started < 3.0
    (followup,) = await fake.wait_request("POST", rf"^/webhooks/\d+/{token}$", timeout=10)
    assert fake.refused_callbacks == []
    (embed,) = embeds_of(followup)
    assert embed["title"] == "Add article"
    assert "Added 1 of 1" in embed["description"]
    assert "Report 40 from Vuhledar" in next(iter(field_values(embed)))


async def test_any_command_past_the_deadline_is_deferred_and_a_quick_one_is_not(
    start_bot: StartBot, ctx: Context, fake: FakeDiscord
):
    """Deferral is decided by the clock, not by a flag on the command: a command nobody
    marked slow that takes 1.5 s is deferred; a quick one is answered in the first callback."""
    registry = Registry()

    @registry.command("ponder", "Think for a while, then answer.")
    async def ponder(_ctx: Context, _req: Request) -> Reply:
        await asyncio.sleep(1.5)
        return Reply("ponder", True, "Done pondering.")

    @registry.command("quick", "Answer at once.")
    async def quick(_ctx: Context, _req: Request) -> Reply:
        return Reply("quick", True, "Right away.")

    await start_bot(ctx, registry=registry)
    slow = await fake.slash(fake.member, fake.general, "ponder")
    fast = await fake.slash(fake.member, fake.general, "quick")
    (quick_cb,) = await fake.wait_request("POST", f"/{fast}/callback")
    assert quick_cb.json["type"] == 4 and "Right away." in json.dumps(quick_cb.json)
    (slow_cb,) = await fake.wait_request("POST", f"/{slow}/callback")
    assert slow_cb.json["type"] == 5
    (followup,) = await fake.wait_request("POST", rf"^/webhooks/\d+/{slow}$", timeout=5)
    assert "Done pondering." in json.dumps(followup.json)
    assert fake.refused_callbacks == []


async def test_the_fake_keeps_discords_interaction_rules(bot: BriefBot, fake: FakeDiscord):
    """A late or a second callback is refused as Discord refuses it, and a followup needs an
    acknowledged interaction: what the tests above rely on to mean anything."""
    import aiohttp

    fake.interaction_window = 0.2
    payload = fake._interaction(2, fake.member, fake.general, {"name": "nothing", "type": 1})
    token, iid = payload["token"], payload["id"]
    base = f"{fake.base_url}/api/v10"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/webhooks/{fake.app_id}/{token}", json={"content": "early", "allowed_mentions": {"parse": []}}) as r:
            assert r.status == 404  # no followup before an acknowledgement
        await asyncio.sleep(0.3)
        async with http.post(f"{base}/interactions/{iid}/{token}/callback", json={"type": 4, "data": {"content": "x", "allowed_mentions": {"parse": []}}}) as r:
            assert r.status == 404 and (await r.json())["code"] == 10062
    fake.interaction_window = 3.0
    payload = fake._interaction(2, fake.member, fake.general, {"name": "nothing", "type": 1})
    token, iid = payload["token"], payload["id"]
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/interactions/{iid}/{token}/callback", json={"type": 4, "data": {"content": "x", "allowed_mentions": {"parse": []}}}) as r:
            assert r.status == 200
        async with http.post(f"{base}/interactions/{iid}/{token}/callback", json={"type": 4, "data": {"content": "x", "allowed_mentions": {"parse": []}}}) as r:
            assert r.status == 400 and (await r.json())["code"] == 40060
    assert [code for _, code in fake.refused_callbacks] == [10062, 40060]


@pytest.mark.asyncio
async def test_long_reply_pages_turn_for_the_asker_only(start_bot: StartBot, ctx: Context, fake: FakeDiscord):
    for i in range(3, 33):
        await ctx.corpus.ingest_text(article_text(i), added_by="tests")
    await start_bot(ctx, page_timeout=1.0)
    token = await fake.slash(fake.member, fake.general, "articles")
    (callback,) = await fake.wait_request("POST", f"/{token}/callback")
    message = callback.json["data"]
    (page1,) = message["embeds"]
    assert page1["footer"]["text"] == "Page 1/3"
    assert "33 of 33 articles" in page1["description"]
    (_, prev_off), (next_id, next_off) = custom_ids(message)
    assert prev_off and not next_off
    message_id = fake.original(token)

    pressed = await fake.press(fake.member, message_id, next_id)
    (turn,) = await fake.wait_request("POST", f"/{pressed}/callback")
    assert turn.json["type"] == 7  # the same message, edited
    (page2,) = turn.json["data"]["embeds"]
    assert page2["footer"]["text"] == "Page 2/3"
    assert page2["description"] != page1["description"]
    assert [d for _, d in custom_ids(turn.json["data"])] == [False, False]

    stranger = await fake.press(fake.other, message_id, next_id)
    (refusal,) = await fake.wait_request("POST", f"/{stranger}/callback")
    assert refusal.json["type"] == 4
    assert refusal.json["data"]["content"] == "Only the person who asked can turn pages."
    assert refusal.json["data"]["flags"] & 64  # ephemeral: only the stranger sees it
    assert fake.messages[message_id]["embeds"][0]["footer"]["text"] == "Page 2/3"  # not turned

    (expired,) = await fake.wait_request("PATCH", rf"/webhooks/\d+/{token}/messages/@original", timeout=5)
    assert [d for _, d in custom_ids(expired.json)] == [True, True]


@pytest.mark.asyncio
async def test_moderator_adds_an_attachment_and_a_member_is_refused(bot: BriefBot, fake: FakeDiscord):
    n = len(fake.requests)
    upload = article_text(50).encode()
    await fake.send_message(fake.moderator, fake.general, "!add", attachments=[("report.md", upload)])
    (sent,) = await fake.wait_request("POST", MESSAGES, since=n)
    assert "Added 1 of 1" in embeds_of(sent)[0]["description"]
    assert fake.find("GET", r"^/attachments/upload-", since=n)  # downloaded once allowed
    assert await bot.ctx.corpus.store.list_articles("Report 50")

    n = len(fake.requests)
    await fake.send_message(fake.member, fake.general, "!add", attachments=[("other.md", article_text(51).encode())])
    (refused,) = await fake.wait_request("POST", MESSAGES, since=n)
    (embed,) = embeds_of(refused)
    assert embed["color"] == 0xE74C3C and "for moderators" in embed["description"]
    assert not fake.find("GET", r"^/attachments/", since=n)  # never downloaded for someone refused

    n = len(fake.requests)
    await fake.send_message(fake.owner, fake.general, "!add", attachments=[("huge.txt", 10_000_000)])
    (too_big,) = await fake.wait_request("POST", MESSAGES, since=n)
    assert "the limit is 20,000" in embeds_of(too_big)[0]["description"]
    assert not fake.find("GET", r"^/attachments/", since=n)  # refused on the declared size

    n = len(fake.requests)
    await fake.send_message(fake.moderator, fake.general, "!add", attachments=[("notes.pdf", b"%PDF")])
    (cooling,) = await fake.wait_request("POST", MESSAGES, since=n)
    assert "Slow down" in embeds_of(cooling)[0]["description"]  # add is heavy: one per 30 s per person

    n = len(fake.requests)
    await fake.send_message(fake.editor, fake.general, "!add " + article_text(52))  # pasted, unquoted
    (pasted,) = await fake.wait_request("POST", MESSAGES, since=n)
    assert "Added 1 of 1" in embeds_of(pasted)[0]["description"]
    assert await bot.ctx.corpus.store.list_articles("Report 52")


@pytest.mark.asyncio
async def test_slash_attachment_is_checked_before_download(bot: BriefBot, fake: FakeDiscord):
    n = len(fake.requests)
    token = await fake.slash(fake.moderator, fake.general, "add", attachments={"file": ("notes.pdf", b"%PDF-1.4")})
    (reply,) = await fake.wait_request("POST", f"/{token}/callback")
    assert reply.json["data"]["flags"] & 64
    assert ".txt, .md, .html" in embeds_of(reply)[0]["description"]
    assert not fake.find("GET", r"^/attachments/", since=n)


@pytest.mark.asyncio
async def test_user_errors_get_a_friendly_reply_and_bugs_are_logged(
    start_bot: StartBot, ctx: Context, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
):
    registry = Registry()

    async def boom(_ctx: Context, _req: Request) -> Reply:
        raise RuntimeError("kaboom")

    async def pick(_ctx: Context, req: Request) -> Reply:
        a = req.args
        return Reply(
            "pick", True, f"{a['colour']}|{a['count']}|{a['note']}", fields=[Field("privilege", req.privilege.name)]
        )

    registry.command("boom", "Always fails.")(boom)
    registry.command(
        "pick",
        "Choice, number and free text.",
        args=(
            Arg("colour", "a colour", kind="choice", choices=("red", "blue")),
            Arg("count", "how many", kind="int"),
            Arg("note", "anything", required=False),
        ),
    )(pick)
    bot = await start_bot(ctx, registry=registry)

    async def prefix(text: str) -> dict[str, Any]:
        n = len(fake.requests)
        await fake.send_message(fake.moderator, fake.general, text)
        (sent,) = await fake.wait_request("POST", MESSAGES, since=n)
        return embeds_of(sent)[0]

    ok = await prefix("!pick blue 3 rest of the line, unquoted")
    assert ok["description"] == "blue|3|rest of the line, unquoted"
    assert field_values(ok) == {"privilege": "MODERATOR"}  # from the Moderator role
    assert "Missing count" in (await prefix("!pick red"))["description"]
    assert "!pick <colour> <count> [note]" in (await prefix("!pick red many"))["description"]
    assert "must be one of: red, blue" in (await prefix("!pick green 1"))["description"]

    with caplog.at_level(logging.ERROR, logger="bot.discord_bot"):
        failed = await prefix("!boom")
    assert "Something went wrong" in failed["description"]
    assert any(
        "kaboom" in (r.exc_text or "") or (r.exc_info and "kaboom" in str(r.exc_info[1])) for r in caplog.records
    )

    n = len(fake.requests)
    await fake.send_message(fake.member, fake.general, "!frobnicate")
    await fake.send_message(fake.member, fake.general, "!pick red 2")
    (only,) = await fake.wait_request("POST", MESSAGES, since=n)  # the unknown command got no reply
    assert embeds_of(only)[0]["description"] == "red|2|None"

    pick_options = bot.tree.get_command("pick").to_dict(bot.tree)["options"]
    assert [(o["name"], o["type"], o["required"]) for o in pick_options] == [
        ("colour", 3, True),
        ("count", 4, True),
        ("note", 3, False),
    ]
    assert pick_options[0]["choices"] == [{"name": "red", "value": "red"}, {"name": "blue", "value": "blue"}]

    token = await fake.slash(fake.member, fake.general, "pick", {"colour": "red", "count": 2, "note": "x"})
    (slash_ok,) = await fake.wait_request("POST", f"/{token}/callback")
    assert embeds_of(slash_ok)[0]["description"] == "red|2|x"
    token = await fake.slash(fake.member, fake.general, "boom")
    (slash_failed,) = await fake.wait_request("POST", f"/{token}/callback")
    assert (
        slash_failed.json["data"]["flags"] & 64 and "Something went wrong" in embeds_of(slash_failed)[0]["description"]
    )

    # A slash command Discord still shows after it left the registry reaches the tree's error hook.
    token = await fake.slash(fake.member, fake.general, "vanished")
    (stale,) = await fake.wait_request("POST", f"/{token}/callback")
    assert stale.json["data"]["flags"] & 64 and "no longer available" in embeds_of(stale)[0]["description"]


@pytest.mark.asyncio
async def test_privilege_comes_from_ownership_permissions_roles_and_settings(
    start_bot: StartBot, ctx: Context, fake: FakeDiscord, settings: Settings
):
    registry = Registry()

    async def whoami(_ctx: Context, req: Request) -> Reply:
        return Reply("whoami", True, req.privilege.name)

    registry.command("whoami", "Say my privilege.")(whoami)
    settings.admin_user_ids = [str(fake.other.id)]
    await start_bot(ctx, registry=registry)
    seen = {}
    for person in (fake.owner, fake.admin, fake.other, fake.editor, fake.moderator, fake.member):
        token = await fake.slash(person, fake.general, "whoami")
        (reply,) = await fake.wait_request("POST", f"/{token}/callback")
        seen[person.name] = embeds_of(reply)[0]["description"]
    assert seen == {
        "olga": "OWNER",
        "ada": "ADMIN",
        "bob": "ADMIN",
        "eddie": "MODERATOR",
        "mo": "MODERATOR",
        "alice": "MEMBER",
    }


@pytest.mark.asyncio
async def test_a_chart_is_uploaded_and_shown_in_the_embed(start_bot: StartBot, ctx: Context, fake: FakeDiscord):
    registry = Registry()
    png = b"\x89PNG\r\n\x1a\n fake chart bytes"

    async def chart(_ctx: Context, _req: Request) -> Reply:
        return Reply("chart", True, "Losses over time.", title="Chart", image=Image("losses chart.png", png, "a chart"))

    registry.command("chart", "Draw a chart.")(chart)
    await start_bot(ctx, registry=registry)
    token = await fake.slash(fake.member, fake.general, "chart")
    (reply,) = await fake.wait_request("POST", f"/{token}/callback")
    assert reply.files == [("losses_chart.png", png)]
    (embed,) = embeds_of(reply)
    assert embed["image"]["url"] == "attachment://losses_chart.png"
    assert reply.json["data"]["attachments"][0]["filename"] == "losses_chart.png"


@pytest.mark.asyncio
async def test_run_discord_connects_without_syncing_and_never_logs_the_token(
    ctx: Context, fake: FakeDiscord, settings: Settings, caplog: pytest.LogCaptureFixture
):
    with caplog.at_level(logging.DEBUG):
        task = asyncio.create_task(run_discord(settings, ctx))
        await fake.wait_connected()
        n = len(fake.requests)
        await fake.send_message(fake.member, fake.general, "!help")
        await fake.wait_request("POST", MESSAGES, since=n)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    guilds, guild_messages, message_content = 1 << 0, 1 << 9, 1 << 15
    assert fake.identify["intents"] == guilds | guild_messages | message_content
    assert not fake.find("PUT", r"/commands$")  # slash commands are only synced on request
    secret = settings.discord_token.get_secret_value()
    assert all(secret not in r.getMessage() and secret not in (r.exc_text or "") for r in caplog.records)


@pytest.mark.asyncio
async def test_slash_refusal_is_ephemeral(bot: BriefBot, fake: FakeDiscord):
    token = await fake.slash(fake.member, fake.general, "article", {"id": "999"})
    (reply,) = await fake.wait_request("POST", f"/{token}/callback")
    assert reply.json["data"]["flags"] & 64
    (embed,) = embeds_of(reply)
    assert embed["color"] == 0xE74C3C and "There is no article 999" in embed["description"]


@pytest.mark.asyncio
async def test_autocomplete_offers_articles_and_fuzzy_entities(bot: BriefBot, fake: FakeDiscord):
    token = await fake.autocomplete(fake.member, fake.general, "article", "id", "Soled")
    (answer,) = await fake.wait_request("POST", f"/{token}/callback")
    assert answer.json["type"] == 8
    assert answer.json["data"]["choices"] == [{"name": "2 · Report 1 from Soledar", "value": "2"}]

    await bot.ctx.corpus.store.upsert_entity_names(
        [
            ("Volodymyr Zelensky", "Volodymyr Zelensky", "PERSON"),
            ("Zelenskyy", "Volodymyr Zelensky", "PERSON"),
            ("Yevgeny Prigozhin", "Yevgeny Prigozhin", "PERSON"),
        ]
    )
    choices = await autocomplete_entity(SimpleNamespace(client=bot), "zelenskiy")  # type: ignore[arg-type]
    assert choices[0].value == "Volodymyr Zelensky" and len(choices) == len({c.value for c in choices})


@pytest.mark.asyncio
async def test_rate_limited_send_is_retried(bot: BriefBot, fake: FakeDiscord):
    fake.rate_limit_once("POST", MESSAGES, retry_after=0.2)
    n = len(fake.requests)
    await fake.send_message(fake.member, fake.general, "!help")
    (sent,) = await fake.wait_request("POST", MESSAGES, since=n)
    attempts = fake.find("POST", MESSAGES, since=n)
    assert [r.status for r in attempts] == [429, 200]
    assert embeds_of(sent)[0]["title"] == "briefbot commands"
    assert attempts[0].json == attempts[1].json  # the same message, sent again


@pytest.mark.asyncio
async def test_a_long_ingest_does_not_hold_up_other_commands(
    bot: BriefBot, fake: FakeDiscord, extractor: SleepyExtractor
):
    extractor.delay = 2.0
    token = await fake.slash(fake.moderator, fake.general, "add", {"source": article_text(60)})
    await asyncio.wait_for(extractor.running.wait(), 5)  # spaCy's stand-in is now busy for 2 s
    started = asyncio.get_running_loop().time()
    n = len(fake.requests)
    await fake.send_message(fake.member, fake.general, "!articles")
    (listing,) = await fake.wait_request("POST", MESSAGES, since=n, timeout=1.5)
    assert asyncio.get_running_loop().time() - started < 1.0
    assert not fake.find("POST", rf"^/webhooks/\d+/{token}$")  # the ingest is still running
    assert "3 of 3 articles" in embeds_of(listing)[0]["description"]
    (done,) = await fake.wait_request("POST", rf"^/webhooks/\d+/{token}$", timeout=5)
    assert "Added 1 of 1" in embeds_of(done)[0]["description"]


@pytest.mark.asyncio
async def test_digest_is_posted_once_per_slot_across_restarts(
    start_bot: StartBot, ctx: Context, corpus: Corpus, clock: Clock, fake: FakeDiscord, db_path
):
    bot = await start_bot(ctx)
    n = len(fake.requests)
    await fake.send_message(fake.moderator, fake.news, "!subscribe daily 09:00")
    (confirm,) = await fake.wait_request("POST", MESSAGES, since=n)
    assert "daily at 09:00 UTC" in embeds_of(confirm)[0]["description"]
    assert "Next digest: 2024-03-04 09:00 UTC" in embeds_of(confirm)[0]["description"]
    await corpus.ingest_text(article_text(70), added_by="tests")

    news = rf"^/channels/{fake.news}/messages$"
    assert await bot.scheduler.run_due_digests() == []  # 08:30: not yet
    clock.now = datetime(2024, 3, 4, 9, 1, tzinfo=UTC)
    n = len(fake.requests)
    (sub_id,) = await bot.scheduler.run_due_digests()
    (digest,) = fake.find("POST", news, since=n)
    (embed,) = embeds_of(digest)
    assert embed["title"] == "Digest" and "1 new article since" in embed["description"]
    assert "Report 70 from Vuhledar" in next(iter(field_values(embed)))
    assert (await corpus.store.get_subscription(sub_id)).last_slot == "2024-03-04T09:00+00:00"
    assert await bot.scheduler.run_due_digests() == []
    await bot.close()

    # A restart (new bot, the database reopened) at the same time posts nothing again.
    reopened = await Corpus.open(db_path, seed=False)
    try:
        restarted = Context(reopened, clock=clock)
        n = len(fake.requests)
        bot2 = await start_bot(restarted)
        assert await bot2.scheduler.run_due_digests() == []
        assert not fake.find("POST", news, since=n)
        await bot2.close()

        # Down over the next 09:00: the missed digest is posted once, on start.
        await reopened.ingest_text(article_text(71), added_by="tests")
        clock.now = datetime(2024, 3, 5, 9, 5, tzinfo=UTC)
        n = len(fake.requests)
        bot3 = await start_bot(restarted)
        (missed,) = await fake.wait_request("POST", news, since=n)
        assert "Report 71" in next(iter(field_values(embeds_of(missed)[0])))
        assert await bot3.scheduler.run_due_digests() == []
        assert len(fake.find("POST", news, since=n)) == 1
    finally:
        await reopened.close()


@pytest.mark.asyncio
async def test_digest_skips_channels_it_may_not_post_in(
    bot: BriefBot, ctx: Context, corpus: Corpus, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
):
    store = corpus.store
    marker = await store.latest_added_at()

    async def subscribe_new(channel_id: int):
        return await store.add_subscription(
            channel=f"discord:{channel_id}", kind="new", weekday=None, at_time=None, topic="",
            created_by="tests", marker=marker,
        )

    locked = await subscribe_new(fake.locked)
    refusing = await subscribe_new(fake.refusing)
    news = await subscribe_new(fake.news)
    await corpus.ingest_text(article_text(80), added_by="tests")
    n = len(fake.requests)
    with caplog.at_level(logging.WARNING, logger="bot.digest_scheduler"):
        assert await bot.scheduler.run_due_digests() == [news.id]
    assert not fake.find("POST", rf"^/channels/{fake.locked}/messages$", since=n)  # known forbidden: not tried
    assert [r.status for r in fake.find("POST", rf"^/channels/{fake.refusing}/messages$", since=n)] == [403]
    assert (await store.get_subscription(locked.id)).marker == marker  # not marked: tried again later
    assert (await store.get_subscription(refusing.id)).marker == marker
    assert (await store.get_subscription(news.id)).marker != marker
    assert sum("may not post" in r.getMessage() or "refused" in r.getMessage() for r in caplog.records) == 2
    assert not bot.is_closed()


@pytest.mark.asyncio
async def test_sync_commands_publishes_every_registry_command(fake: FakeDiscord, settings: Settings):
    count = await sync_commands(settings, fake.guild_id)
    (put,) = fake.find("PUT", rf"^/applications/{fake.app_id}/guilds/{fake.guild_id}/commands$")
    names = {c["name"] for c in put.json}
    assert names == {c.name for c in REGISTRY.for_chat()} and count == len(names)
    article = next(c for c in put.json if c["name"] == "article")
    assert article["options"] == [
        {
            "type": 3,
            "name": "id",
            "description": "the article id (see `articles`)",
            "required": True,
            "autocomplete": True,
        }
    ]
    add = next(c for c in put.json if c["name"] == "add")
    assert [o["type"] for o in add["options"]] == [11, 3]  # an attachment, then the text
    assert not [r for r in fake.requests if r.path.startswith("/gateway")]  # HTTP only, no connection


def test_render_respects_discord_limits():
    from bot.discord_render import pack_embeds, render_pages

    reply = Reply(
        "x",
        True,
        "word " * 3000,
        title="T" * 400,
        fields=[Field(f"field {i}", "v" * 1500) for i in range(40)],
        citations=[
            Citation(i, "title", "Outlet", "2023-01-01", f"https://e.example/{i}", "s " * 200) for i in range(30)
        ],
        columns=["a", "b"],
        table=[[str(i), "cell " * 30] for i in range(50)],
    )
    pages = render_pages(reply)
    assert len(pages) > 3
    for page in pages:
        d = page.to_dict()
        assert len(d["title"]) <= 256 and len(d.get("description") or "") <= 4096
        assert len(d.get("fields", [])) <= 25 and len(page) <= 6000
        assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in d.get("fields", []))
    for group in pack_embeds(pages):
        assert len(group) <= 10 and sum(len(e) for e in group) <= 6000
    error = render_pages(Reply.failure("x", "nope"))
    assert len(error) == 1 and error[0].colour.value == 0xE74C3C and error[0].description == "nope"
