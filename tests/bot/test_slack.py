"""The Slack front end: the real Bolt app, signed HTTP requests and Socket Mode envelopes,
its Web API client pointed at a fake Slack on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from bot.settings import Settings
from bot.slack_app import BOT_SCOPES, SlackFrontEnd, manifest
from bot.slack_digests import SlackDigests
from handlers.context import Context
from handlers.registry import REGISTRY
from handlers.types import Reply
from tests.bot.conftest import Clock, SleepyExtractor
from tests.bot.fake_slack import FakeSlack, signed_headers

SECRET = "signing-secret-never-logged"
HOSTILE = "<!channel> <!here> <!everyone> <@U999> <!subteam^S1|mods>"


@pytest_asyncio.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


def slack_settings(fake: FakeSlack, **extra: Any) -> Settings:
    options: dict[str, Any] = {
        "_env_file": None,
        "slack_bot_token": fake.bot_token,
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.api_url,
        "slack_moderator_group": "SMODS",
        "max_file_bytes": 20_000,
    }
    options.update(extra)
    return Settings(**options)


class Served:
    """The app served over HTTP on loopback, and ways to send it what Slack sends."""

    def __init__(self, front: SlackFrontEnd, url: str) -> None:
        self.front = front
        self.url = url

    async def post(self, body: str, *, content_type: str = "application/x-www-form-urlencoded",
                   headers: dict[str, str] | None = None, secret: str = SECRET,
                   timestamp: int | None = None) -> tuple[int, str]:
        sent = signed_headers(secret, body, timestamp=timestamp, content_type=content_type)
        sent.update(headers or {})
        async with aiohttp.ClientSession() as session, session.post(self.url, data=body.encode(), headers=sent) as resp:
            return resp.status, await resp.text()

    async def command(self, text: str, *, user: str = "UMEMBER", key: str = "r1", fake: FakeSlack) -> tuple[int, str]:
        return await self.post(urlencode({
            "command": "/brief", "text": text, "user_id": user, "user_name": user.lower(), "channel_id": "C1",
            "team_id": fake.team_id, "api_app_id": "A1", "response_url": fake.response_url(key), "trigger_id": "1.2",
        }))

    async def event(self, event: dict[str, Any], *, event_id: str = "Ev1", retry: int | None = None) -> int:
        body = json.dumps({"type": "event_callback", "team_id": "T0001", "api_app_id": "A1", "event": event,
                           "event_id": event_id, "event_time": int(time.time())})
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        status, _ = await self.post(body, content_type="application/json", headers=headers)
        return status

    async def action(self, value: str, *, user: str, fake: FakeSlack, key: str = "act") -> int:
        payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T0001"}, "api_app_id": "A1",
                   "response_url": fake.response_url(key), "trigger_id": "1.2", "container": {},
                   "actions": [{"type": "button", "action_id": "briefbot_page_next", "block_id": "b",
                                "value": value, "action_ts": "1"}]}
        status, _ = await self.post(urlencode({"payload": json.dumps(payload)}))
        return status


Serve = Callable[..., Awaitable[Served]]


@pytest_asyncio.fixture
async def serve(slack: FakeSlack, ctx: Context) -> AsyncIterator[Serve]:
    runners: list[tuple[web.AppRunner, SlackFrontEnd]] = []

    async def start(**extra: Any) -> Served:
        front = SlackFrontEnd(slack_settings(slack, **extra), ctx)
        runner = web.AppRunner(front.web_app(), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        runners.append((runner, front))
        return Served(front, f"http://127.0.0.1:{port}/slack/events")

    yield start
    for runner, front in runners:
        await front.drain()
        await runner.cleanup()


def _all_text(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _no_pings(fake: FakeSlack) -> None:
    """No payload the bot sent anywhere can ping anyone."""
    for call in fake.calls:
        payload = _all_text(call.args)
        for ping in ("<!channel>", "<!here>", "<!everyone>", "<@U999>", "<!subteam"):
            assert ping not in payload, (call.method, payload[:300])
    for _, body in fake.responses:
        payload = _all_text(body)
        assert "<!channel>" not in payload and "<!everyone>" not in payload and "<@U999>" not in payload


async def test_a_slash_command_is_acked_then_answered_with_cited_blocks(serve: Serve, slack: FakeSlack):
    app = await serve()
    status, body = await app.command("summary Bakhmut", fake=slack)
    assert status == 200 and body == ""  # the ack, at once
    [(key, reply)] = await slack.wait_for_responses(1)
    assert key == "r1" and reply["response_type"] == "in_channel"
    assert reply["text"] and reply["blocks"][0]["type"] == "header"
    assert "Bakhmut" in _all_text(reply["blocks"])
    context = [b for b in reply["blocks"] if b["type"] == "context"]
    assert context and "https://news.example/0" in _all_text(context)


async def test_a_mention_is_answered_in_its_thread_and_a_dm_in_the_dm(serve: Serve, slack: FakeSlack):
    app = await serve()
    assert await app.event({"type": "app_mention", "user": "UMEMBER", "channel": "C1", "ts": "100.1",
                            "text": "<@UBOT> articles Soledar"}, event_id="EvM") == 200
    [posted] = await slack.wait_for("chat.postMessage")
    assert posted.args["channel"] == "C1" and posted.args["thread_ts"] == "100.1"
    assert "Soledar" in _all_text(posted.args["blocks"])
    # a bare question in a DM means ask; the reply stays in the DM, not in a thread
    assert await app.event({"type": "message", "channel_type": "im", "user": "UMEMBER", "channel": "D1",
                            "ts": "200.1", "text": "how many convoys reached the district?"}, event_id="EvD") == 200
    posts = await slack.wait_for("chat.postMessage", 2)
    assert posts[1].args["channel"] == "D1" and "thread_ts" not in posts[1].args


async def test_its_own_and_other_bots_messages_never_start_a_command(serve: Serve, slack: FakeSlack):
    app = await serve()
    await app.event({"type": "message", "channel_type": "im", "user": "UBOT", "bot_id": "BBOT", "channel": "D1",
                     "ts": "1.1", "text": "help"}, event_id="EvB1")
    await app.event({"type": "message", "channel_type": "im", "subtype": "bot_message", "bot_id": "BOTHER",
                     "channel": "D1", "ts": "1.2", "text": "help"}, event_id="EvB2")
    await app.front.drain()
    assert slack.posted() == []


async def test_a_dm_that_mentions_the_bot_is_answered_once(serve: Serve, slack: FakeSlack):
    """Slack raises two events for it (message.im and app_mention): one answer, in the DM."""
    app = await serve()
    text = "<@UBOT> articles"
    await app.event({"type": "app_mention", "user": "UMEMBER", "channel": "D1", "ts": "900.1", "text": text},
                    event_id="EvDM1")
    await app.event({"type": "message", "channel_type": "im", "user": "UMEMBER", "channel": "D1", "ts": "900.1",
                     "text": text}, event_id="EvDM2")
    await app.front.drain()
    [post] = slack.posted()
    assert post.args["channel"] == "D1" and "thread_ts" not in post.args


async def test_a_message_from_another_bot_is_ignored(serve: Serve, slack: FakeSlack):
    app = await serve()
    await app.event({"type": "app_mention", "user": "UX", "bot_id": "BOTHER", "channel": "C1", "ts": "950.1",
                     "text": "<@UBOT> help"}, event_id="EvOB")
    await app.front.drain()
    assert slack.posted() == [] and slack.posted("chat.postEphemeral") == []


async def test_heavy_commands_have_a_cooldown_per_member(serve: Serve, slack: FakeSlack):
    app = await serve(cooldown_seconds=30.0)
    text = "Officials said {} convoys reached the eastern district overnight after heavy shelling nearby."
    await app.command("add " + text.format("three"), user="UMOD", fake=slack, key="first")
    await app.command("add " + text.format("four"), user="UMOD", fake=slack, key="second")
    replies = dict(await slack.wait_for_responses(2))
    assert "Slow down" not in replies["first"]["text"]
    assert replies["second"]["response_type"] == "ephemeral" and "Slow down" in replies["second"]["text"]


def test_empty_values_copied_from_the_example_mean_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_SLACK_BOT_TOKEN", "")
    monkeypatch.setenv("BRIEFBOT_SLACK_APP_TOKEN", "")
    monkeypatch.setenv("BRIEFBOT_DISCORD_GUILD_ID", "")
    settings = Settings(_env_file=None)
    assert settings.slack_bot_token is None and settings.slack_app_token is None
    assert settings.discord_guild_id is None


async def test_a_redelivered_event_is_answered_once(serve: Serve, slack: FakeSlack):
    app = await serve()
    event = {"type": "app_mention", "user": "UMEMBER", "channel": "C1", "ts": "300.1", "text": "<@UBOT> help"}
    assert await app.event(event, event_id="EvR") == 200
    assert await app.event(event, event_id="EvR", retry=1) == 200
    await app.front.drain()
    assert len(slack.posted()) == 1


async def test_user_errors_are_ephemeral(serve: Serve, slack: FakeSlack):
    app = await serve()
    await app.command("frobnicate the corpus", fake=slack)
    [(_, reply)] = await slack.wait_for_responses(1)
    assert reply["response_type"] == "ephemeral" and "Unknown command" in reply["text"]
    await app.event({"type": "app_mention", "user": "UMEMBER", "channel": "C1", "ts": "400.1",
                     "text": "<@UBOT> article 99999"}, event_id="EvE")
    [eph] = await slack.wait_for("chat.postEphemeral")
    assert eph.args["user"] == "UMEMBER" and slack.posted() == []


async def test_a_bad_or_stale_signature_is_rejected(serve: Serve, slack: FakeSlack):
    app = await serve()
    body = urlencode({"command": "/brief", "text": "help", "user_id": "UMEMBER", "channel_id": "C1",
                      "response_url": slack.response_url()})
    assert (await app.post(body, secret="wrong"))[0] == 401
    assert (await app.post(body, timestamp=int(time.time()) - 3600))[0] == 401
    await app.front.drain()
    assert slack.responses == []


async def test_echoed_text_never_pings_anyone(serve: Serve, slack: FakeSlack):
    app = await serve()
    await app.command(f"ask {HOSTILE}", fake=slack)
    await app.command(f"frobnicate {HOSTILE}", fake=slack, key="r2")
    await app.event({"type": "app_mention", "user": "UMEMBER", "channel": "C1", "ts": "500.1",
                     "text": f"<@UBOT> source {HOSTILE}"}, event_id="EvH")
    await slack.wait_for_responses(2)
    await slack.wait_for("chat.postMessage")
    _no_pings(slack)


async def test_pages_turn_for_the_asker_only(serve: Serve, slack: FakeSlack, ctx: Context):
    for i in range(3, 40):
        from tests.bot.conftest import article_text

        await ctx.corpus.ingest_text(article_text(i), added_by="tests")
    app = await serve()
    await app.command("articles", fake=slack)
    [(_, first)] = await slack.wait_for_responses(1)
    actions = [b for b in first["blocks"] if b["type"] == "actions"]
    assert actions, "a long list is paged"
    value = actions[0]["elements"][-1]["value"]
    assert await app.action(value, user="UADMIN", fake=slack, key="other") == 200
    await app.action(value, user="UMEMBER", fake=slack, key="asker")
    responses = await slack.wait_for_responses(3)
    by_key = {k: body for k, body in responses}
    assert by_key["other"]["response_type"] == "ephemeral" and by_key["other"]["replace_original"] is False
    assert "Only <@UMEMBER>" in by_key["other"]["text"]
    assert by_key["asker"]["replace_original"] is True and "Page 2 of" in _all_text(by_key["asker"]["blocks"])


async def test_a_moderator_adds_a_shared_file_and_a_member_is_refused(serve: Serve, slack: FakeSlack):
    app = await serve()
    text = "title: Grain deal\n\nThe grain corridor reopened on Tuesday after talks, officials said in Istanbul."
    slack.add_file("F1", "grain.txt", text.encode())
    slack.add_file("F2", "photo.png", b"\x89PNG", mimetype="image/png", filetype="png")
    event = {"type": "app_mention", "user": "UMEMBER", "channel": "C1", "ts": "600.1", "text": "<@UBOT> add",
             "files": [{"id": "F1"}]}
    await app.event(event, event_id="EvF1")
    [refused] = await slack.wait_for("chat.postEphemeral")
    assert "moderator" in refused.args["text"]
    assert not [c for c in slack.calls if c.method == "files.info"], "nothing is fetched for a member"
    await app.event({**event, "user": "UMOD", "ts": "600.2"}, event_id="EvF2")  # in the moderator group
    [added] = await slack.wait_for("chat.postMessage")
    assert "Grain deal" in _all_text(added.args["blocks"])
    await app.event({**event, "user": "UADMIN", "ts": "600.3", "files": [{"id": "F2"}]}, event_id="EvF3")
    eph = await slack.wait_for("chat.postEphemeral", 2)
    assert "photo.png" in eph[1].args["text"] and ".txt" in eph[1].args["text"]


async def test_a_ratelimited_answer_is_waited_out_not_dropped(serve: Serve, slack: FakeSlack):
    app = await serve()
    slack.ratelimit("chat.postMessage", times=1, retry_after=1)
    await app.event({"type": "app_mention", "user": "UMEMBER", "channel": "C1", "ts": "700.1",
                     "text": "<@UBOT> help"}, event_id="EvL")
    posts = await slack.wait_for("chat.postMessage", 2, timeout=8)
    assert posts[0].status == 429 and posts[1].status == 200


async def test_a_digest_is_posted_by_the_clock_and_never_twice_after_a_restart(
    serve: Serve, slack: FakeSlack, ctx: Context, clock: Clock
):
    app = await serve()
    await app.command("subscribe daily 09:00", user="UMEMBER", fake=slack, key="member")
    await app.command("subscribe daily 09:00", user="UMOD", fake=slack, key="mod")
    replies = dict(await slack.wait_for_responses(2))
    assert replies["member"]["response_type"] == "ephemeral" and "moderator" in replies["member"]["text"]
    assert "daily at 09:00 UTC" in _all_text(replies["mod"]["blocks"])
    [sub] = await ctx.corpus.store.subscriptions()
    assert sub.channel == "slack:C1"  # channels are keyed by platform: one database serves both
    from tests.bot.conftest import article_text

    await ctx.corpus.ingest_text(article_text(70), added_by="tests")
    digests = SlackDigests(app.front, ctx)
    assert await digests.run_due_digests() == []  # 08:30: not yet
    clock.now += timedelta(hours=1)
    assert await digests.run_due_digests() == [sub.id]
    [post] = slack.posted()
    assert post.args["channel"] == "C1" and "Report 70" in _all_text(post.args["blocks"])
    assert await digests.run_due_digests() == []
    # a restart: a new front end and scheduler over the same database post nothing more
    again = SlackDigests(SlackFrontEnd(slack_settings(slack), ctx), ctx)
    assert await again.run_due_digests() == [] and len(slack.posted()) == 1


async def test_a_channel_the_bot_left_is_paused_and_reported_once(
    slack: FakeSlack, ctx: Context, caplog: pytest.LogCaptureFixture
):
    import logging

    store = ctx.corpus.store
    sub = await store.add_subscription(channel="slack:", kind="new", weekday=None, at_time=None, topic="",
                                       created_by="tests", marker=None)
    digests = SlackDigests(SlackFrontEnd(slack_settings(slack), ctx), ctx)
    caplog.set_level(logging.WARNING)
    assert await digests.run_due_digests() == []  # channel_not_found
    from tests.bot.conftest import article_text

    await ctx.corpus.ingest_text(article_text(80), added_by="tests")  # news, but the channel is gone
    assert await digests.run_due_digests() == [] and await digests.run_due_digests() == []
    assert len(slack.posted()) == 1, "not retried every minute"
    assert caplog.text.count("paused") == 1
    assert (await store.get_subscription(sub.id)).paused == "channel_not_found"
    # subscribing the channel again resumes it
    await store.add_subscription(channel="slack:", kind="new", weekday=None, at_time=None, topic="",
                                 created_by="tests", marker=None)
    assert (await store.get_subscription(sub.id)).paused is None


async def test_one_failing_subscription_does_not_hold_up_the_others(slack: FakeSlack, ctx: Context):
    store = ctx.corpus.store
    for channel in ("slack:C1", "slack:C2"):
        await store.add_subscription(channel=channel, kind="new", weekday=None, at_time=None, topic="",
                                     created_by="tests", marker=None)
    front = SlackFrontEnd(slack_settings(slack), ctx)
    posted: list[str] = []

    async def post(channel: str, reply: Reply) -> None:
        if channel == "C1":
            raise aiohttp.ClientConnectionError("connection reset")
        posted.append(channel)

    front.post = post  # type: ignore[method-assign]
    [done] = await SlackDigests(front, ctx).run_due_digests()
    assert posted == ["C2"] and (await store.get_subscription(done)).channel == "slack:C2"


async def test_socket_mode_round_trip(slack: FakeSlack, ctx: Context):
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    front = SlackFrontEnd(slack_settings(slack, slack_app_token=slack.app_token), ctx)
    handler = AsyncSocketModeHandler(front.app, slack.app_token)
    await handler.connect_async()
    try:
        ack = await slack.send_envelope({
            "command": "/brief", "text": "articles Kherson", "user_id": "UMEMBER", "channel_id": "C1",
            "team_id": slack.team_id, "api_app_id": "A1", "response_url": slack.response_url("sock"),
            "trigger_id": "1.2",
        })
        assert ack is not None and "envelope_id" in ack
        [(key, reply)] = await slack.wait_for_responses(1)
        assert key == "sock" and "Kherson" in _all_text(reply["blocks"])
    finally:
        await front.drain()
        await handler.close_async()


async def test_a_chart_is_uploaded_into_the_thread_it_answers(slack: FakeSlack, ctx: Context):
    from handlers.types import Image

    front = SlackFrontEnd(slack_settings(slack), ctx)
    reply = Reply("compare", True, "Figures differ", image=Image("chart.png", b"\x89PNG fake", "Tanks <!here>"))
    await front._upload_image(reply, "C1", "800.1")
    [done] = await slack.wait_for("files.completeUploadExternal")
    assert done.args["channel_id"] == "C1" and done.args["thread_ts"] == "800.1"
    assert list(slack.uploads.values()) == [b"\x89PNG fake"]
    assert "<!here>" not in done.args["files"]


async def test_a_change_is_logged_with_the_slack_user_id_and_name(serve: Serve, slack: FakeSlack, ctx: Context):
    slack.users["UMOD"]["name"] = "mod.person"
    app = await serve()
    text = "Officials said the convoy reached the eastern district overnight after heavy shelling nearby."
    await app.command(f"add {text}", user="UMOD", fake=slack)
    [(_, reply)] = await slack.wait_for_responses(1)
    assert reply["response_type"] == "in_channel"
    changes = await ctx.corpus.store.changes(5)
    assert any("mod.person" in c.actor and "UMOD" in c.actor for c in changes), changes


def test_the_manifest_matches_the_registry() -> None:
    settings = Settings(_env_file=None, slack_command="brief")
    socket = manifest(settings)
    [slash] = socket["features"]["slash_commands"]
    assert slash["command"] == "/brief" and "url" not in slash
    for cmd in REGISTRY.for_chat():
        assert cmd.usage() in slash["usage_hint"] or len(slash["usage_hint"]) == 1000
    # what each listener and Web API call needs, and nothing more
    assert set(socket["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES == {
        "commands",  # the slash command
        "app_mentions:read", "im:history", "im:read", "im:write",  # mentions and DMs
        "chat:write",  # answers, digests, ephemeral errors
        "files:read", "files:write",  # a shared file for add, the compare chart
        "users:read", "usergroups:read",  # who is an admin or in the moderator group
    }
    assert socket["settings"]["socket_mode_enabled"] is True
    assert socket["settings"]["event_subscriptions"]["bot_events"] == ["app_mention", "message.im"]
    http = manifest(settings, request_url="https://bot.example/slack/events")
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["features"]["slash_commands"][0]["url"] == "https://bot.example/slack/events"
    assert http["settings"]["interactivity"]["request_url"] == "https://bot.example/slack/events"


def test_secrets_never_show_in_settings_dumps() -> None:
    settings = Settings(_env_file=None, slack_bot_token="xoxb-secret", slack_signing_secret="shh",
                        slack_app_token="xapp-secret")
    shown = json.dumps(settings.redacted(), default=str) + repr(settings)
    assert "xoxb-secret" not in shown and "shh" not in shown and "xapp-secret" not in shown


@pytest.mark.parametrize("text", ["", "   "])
async def test_an_empty_command_shows_help(serve: Serve, slack: FakeSlack, text: str):
    app = await serve()
    await app.command(text, fake=slack)
    [(_, reply)] = await slack.wait_for_responses(1)
    assert reply["response_type"] == "in_channel" and "ask" in _all_text(reply["blocks"])


async def test_run_slack_serves_http_and_stops_cleanly(slack: FakeSlack, ctx: Context, caplog: pytest.LogCaptureFixture):
    """What `briefbot run` starts with a bot token and no app token: HTTP on the configured
    port, the digest loop beside it; the token and secret never reach the log."""
    import asyncio
    import logging
    import socket

    from bot.slack_app import run_slack

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = slack_settings(slack, slack_host="127.0.0.1", slack_port=port)
    stop = asyncio.Event()
    caplog.set_level(logging.DEBUG)
    task = asyncio.create_task(run_slack(settings, ctx, stop=stop))
    served = Served(None, f"http://127.0.0.1:{port}/slack/events")  # type: ignore[arg-type]
    for _ in range(100):
        try:
            status, _ = await served.command("help", fake=slack)
            break
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    assert status == 200
    await slack.wait_for_responses(1)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert slack.bot_token not in caplog.text and SECRET not in caplog.text


def test_briefbot_slack_manifest_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["slack-manifest", "--request-url", "https://bot.example/slack/events"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["features"]["slash_commands"][0]["url"] == "https://bot.example/slack/events"
    assert printed["settings"]["socket_mode_enabled"] is False


async def test_the_ack_comes_before_slow_work(serve: Serve, slack: FakeSlack, extractor: SleepyExtractor):
    """A command that takes longer than Slack's 3 seconds is acknowledged at once and answered
    through its response_url when done."""
    extractor.delay = 3.5
    app = await serve()
    text = "Officials said the convoy reached the eastern district overnight after heavy shelling nearby."
    started = time.monotonic()
    status, _ = await app.command(f"add {text}", user="UMOD", fake=slack)
    assert status == 200 and time.monotonic() - started < 1.0
    [(_, reply)] = await slack.wait_for_responses(1, timeout=10)
    assert reply["response_type"] == "in_channel" and time.monotonic() - started >= 3.5


async def test_run_slack_in_socket_mode_answers_over_the_socket(slack: FakeSlack, ctx: Context):
    """With an app-level token `briefbot run` connects in Socket Mode: no port, no public URL."""
    import asyncio

    from bot.slack_app import run_slack

    settings = slack_settings(slack, slack_app_token=slack.app_token, slack_signing_secret=None)
    stop = asyncio.Event()
    task = asyncio.create_task(run_slack(settings, ctx, stop=stop))
    try:
        ack = await slack.send_envelope({
            "command": "/brief", "text": "articles Soledar", "user_id": "UMEMBER", "channel_id": "C1",
            "team_id": slack.team_id, "api_app_id": "A1", "response_url": slack.response_url("run-sock"),
            "trigger_id": "1.2",
        }, timeout=10)
        assert ack is not None
        [(key, reply)] = await slack.wait_for_responses(1)
        assert key == "run-sock" and "Soledar" in _all_text(reply["blocks"])
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)
