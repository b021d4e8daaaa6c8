"""The Slack front end: every registry command in Slack, on slack-bolt's ``AsyncApp``.

Three ways in, all generated from :data:`handlers.registry.REGISTRY` so no command is
written twice: one slash command (``/brief ask how many…``; its first word picks the
command, the rest is parsed by the command's declared arguments), ``@briefbot …`` mentions
in channels and threads (a bare question means ``ask``), and direct messages to the app.

Slack drops a request that is not acknowledged within 3 seconds, so every listener acks
first and works after: a slash command answers through its ``response_url``, a mention or a
DM with ``chat.postMessage`` in the thread. Errors meant for the person are ephemeral. Events
Slack delivers again (``X-Slack-Retry-Num``, the same ``event_id``) are answered once, and a
``ratelimited`` Web API answer is waited out (``Retry-After``) by the client's retry handler
rather than dropped. The app runs in Socket Mode when an app-level token is configured, and
otherwise serves Slack's HTTP requests on a host and port, verifying each signature.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from handlers.context import Context
from handlers.registry import REGISTRY, Command, Registry, dispatch, load_commands, parse_text_args
from handlers.types import Attachment, Privilege, Reply, Request, User, UserError

from .settings import Settings
from .slack_render import PAGE_ACTION, SlackPage, plain, render_pages, with_pager
from .uploads import check_upload

log = logging.getLogger(__name__)

#: How long page buttons keep working, and how many paged replies are remembered.
PAGE_TTL = 15 * 60
PAGES_KEPT = 500
#: How long a user's privilege (users.info, the moderator group) is trusted before asking again.
PRIVILEGE_TTL = 300
#: Event ids remembered to answer a redelivered event once.
EVENTS_KEPT = 2000

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def _is_dm(event: dict[str, Any]) -> bool:
    return event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")


async def _respond(respond: Any, **message: Any) -> None:
    """``respond()`` through the response_url, which reports a refusal in its answer rather
    than raising: a refused message is logged and sent again as plain text, so the person
    still gets the answer."""
    message.setdefault("unfurl_links", False)
    message.setdefault("unfurl_media", False)
    result = await respond(**message)
    status = getattr(result, "status_code", 200)
    if status != 200 and message.get("blocks"):
        log.warning("Slack refused a reply (%s: %s); sending it as text", status, getattr(result, "body", ""))
        retry = {k: v for k, v in message.items() if k != "blocks"}
        result = await respond(**retry)
        status = getattr(result, "status_code", 200)
    if status != 200:
        log.warning("Slack refused a reply (%s: %s)", status, getattr(result, "body", ""))


def slack_text(text: str) -> str:
    """What a person typed, as plain text: Slack sends ``&``, ``<``, ``>`` escaped and links
    and mentions in angle brackets (``<https://x|x>``, ``<@U123>``)."""
    text = re.sub(r"<(https?://[^|>]+)(?:\|[^>]*)?>", r"\1", text)
    text = _MENTION.sub("", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def split_command(text: str, registry: Registry, *, default: str | None) -> tuple[Command | None, str]:
    """(command, the rest) of ``ask how many …``; with ``default`` a text that does not start
    with a command name is that command's argument (a bare question is ``ask``)."""
    word, _, rest = text.strip().partition(" ")
    cmd = registry.get(word) if word else None
    if cmd is not None and cmd.chat:
        return cmd, rest.strip()
    if not text.strip():
        return registry.get("help"), ""
    return (registry.get(default), text.strip()) if default else (None, text)


class _Pages:
    """Paged replies waiting for their buttons, with the one person allowed to turn them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._items: OrderedDict[str, tuple[float, str, list[SlackPage]]] = OrderedDict()
        self._clock = clock

    def keep(self, owner: str, pages: list[SlackPage]) -> str:
        key = uuid.uuid4().hex[:16]
        self._items[key] = (self._clock(), owner, pages)
        while len(self._items) > PAGES_KEPT:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> tuple[str, list[SlackPage]] | None:
        item = self._items.get(key)
        if item is None or self._clock() - item[0] > PAGE_TTL:
            self._items.pop(key, None)
            return None
        return item[1], item[2]


class SlackFrontEnd:
    """The Bolt app and what it needs: the corpus context, settings, caches of who may moderate."""

    def __init__(self, settings: Settings, ctx: Context, *, registry: Registry = REGISTRY) -> None:
        if settings.slack_bot_token is None:
            raise ValueError("BRIEFBOT_SLACK_BOT_TOKEN is not set")
        self.settings = settings
        self.ctx = ctx
        self.registry = registry
        if registry is REGISTRY:
            load_commands()
        token = settings.slack_bot_token.get_secret_value()
        client_options: dict[str, Any] = {"token": token}
        if settings.slack_api_url:
            client_options["base_url"] = settings.slack_api_url.rstrip("/") + "/"
        self.client = AsyncWebClient(**client_options)
        # "ratelimited" (HTTP 429) is waited out for its Retry-After, then retried
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else "unused"
        self.app = AsyncApp(
            client=self.client,
            signing_secret=secret,
            ignoring_self_events_enabled=True,
        )
        self.pages = _Pages()
        self._events: OrderedDict[str, None] = OrderedDict()
        self._people: dict[str, tuple[float, Privilege, str]] = {}
        self._last_heavy: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._register()

    def state(self, state: str) -> None:
        """Tell ``status`` how Slack is connected."""
        if self.ctx.runtime is not None:
            self.ctx.runtime.front_end("slack", state)

    # ------------------------------------------------------------------ listeners

    def _register(self) -> None:
        app = self.app
        app.command(f"/{self.settings.slack_command.lstrip('/')}")(self._on_command)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.action(re.compile(f"^{PAGE_ACTION}_"))(self._on_page)

    async def _on_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()  # within Slack's 3 seconds, whatever the command costs

        async def answer(reply: Reply) -> None:
            pages = render_pages(reply)
            kind = "ephemeral" if reply.error else "in_channel"
            page = pages[0] if reply.error else self._paged(pages, command.get("user_id", ""))
            await _respond(respond, text=page.text, blocks=page.blocks, response_type=kind)
            if reply.image is not None and not await self._upload_image(reply, command.get("channel_id", ""), None):
                await _respond(respond, response_type="ephemeral", replace_original=False,
                               text="The chart could not be posted here: invite me (`/invite @briefbot`) to see it.")

        self._spawn(self._run(
            text=slack_text(command.get("text", "")), user_id=command.get("user_id", ""),
            user_name=command.get("user_name", ""), channel=command.get("channel_id", ""),
            thread_ts=None, files=[], default=None, answer=answer,
        ))

    async def _on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if _is_dm(event):
            return  # a DM that mentions the bot also arrives as a DM message: answered there
        await self._on_event(event, body)

    async def _on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        # Direct messages only; channel messages reach the bot as mentions.
        if not _is_dm(event) or event.get("subtype") not in (None, "file_share"):
            return
        await self._on_event(event, body)

    async def _on_event(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("bot_id") or event.get("subtype") == "bot_message":
            return  # its own posts and other bots' never start a command
        # once per delivery (Slack retries) and once per message (a message may raise two events)
        message_key = f"{event.get('channel')}:{event.get('ts')}"
        if not self._first_delivery(body.get("event_id") or message_key) or not self._first_delivery(message_key):
            return
        channel = event.get("channel", "")
        thread_ts = event.get("thread_ts") or (None if _is_dm(event) else event.get("ts"))
        user_id = event.get("user", "")

        async def answer(reply: Reply) -> None:
            pages = render_pages(reply)
            if reply.error:
                await self.client.chat_postEphemeral(
                    channel=channel, user=user_id, text=pages[0].text, blocks=pages[0].blocks, thread_ts=thread_ts
                )
                return
            page = self._paged(pages, user_id)
            posted = await self.client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=page.text, blocks=page.blocks, unfurl_links=False
            )
            if reply.image is not None:
                # in a channel the chart goes under the answer; in a DM beside it
                await self._upload_image(reply, channel, thread_ts or (None if _is_dm(event) else posted.get("ts")))

        self._spawn(self._run(
            text=slack_text(event.get("text", "")), user_id=user_id, user_name=user_id, channel=channel,
            thread_ts=thread_ts, files=list(event.get("files") or []), default="ask", answer=answer,
        ))

    async def _on_page(self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        await ack()
        key, _, index = str(action.get("value", "")).partition(":")
        found = self.pages.get(key)
        user = (body.get("user") or {}).get("id", "")
        if found is None:
            await _respond(respond, text="These pages have expired: ask again.", response_type="ephemeral",
                           replace_original=False)
            return
        owner, pages = found
        if user != owner:
            await _respond(respond, text=f"Only <@{owner}> can turn these pages; ask the bot yourself to get your own.",
                           response_type="ephemeral", replace_original=False)
            return
        i = max(0, min(int(index) if index.isdigit() else 0, len(pages) - 1))
        page = with_pager(pages[i], key, i, len(pages))
        await _respond(respond, text=page.text, blocks=page.blocks, replace_original=True)

    # ------------------------------------------------------------------ running a command

    async def _run(
        self, *, text: str, user_id: str, user_name: str, channel: str, thread_ts: str | None,
        files: list[dict[str, Any]], default: str | None, answer: Callable[[Reply], Any],
    ) -> None:
        try:
            cmd, rest = split_command(text, self.registry, default=default)
            if cmd is None:
                word = text.split(" ", 1)[0][:40]
                raise UserError(f"Unknown command {word!r}. Try `/{self.settings.slack_command.lstrip('/')} help`.")
            privilege, name = await self.person(user_id)
            self._cool_down(cmd, user_id, privilege)
            attachments: list[Attachment] = []
            if files and cmd.accepts_attachments and privilege >= cmd.privilege:
                # Below the command's privilege the handler refuses; nothing is downloaded for it.
                checked = [await self._checked(f) for f in files]  # every file passes before any download
                attachments = [await self._download(f) for f in checked]
            request = Request(
                command=cmd.name,
                args=parse_text_args(cmd, rest),
                user=User(user_id, name if name != user_id else (user_name or user_id)),
                privilege=privilege,
                channel=f"slack:{channel}",
                text=text,
                attachments=attachments,
            )
            reply = await dispatch(self.ctx, request, self.registry)
        except UserError as exc:
            reply = Reply.failure("error", exc.message)
        except Exception:
            log.exception("slack command %s failed", text.split(maxsplit=1)[0][:40] if text.strip() else "(empty)")
            reply = Reply.failure("error", "Something went wrong on my side; the error is logged.")
        try:
            await answer(reply)
        except SlackApiError as exc:
            log.warning("Slack refused a reply: %s", exc.response.get("error") if exc.response else exc)
        except Exception:
            log.exception("sending a Slack reply failed")

    def _cool_down(self, cmd: Command, user_id: str, privilege: Privilege) -> None:
        """Heavy commands (``add``, ``compare``) once per cooldown per member, as on Discord."""
        wait = self.settings.cooldown_seconds
        if not cmd.heavy or wait <= 0 or privilege >= Privilege.ADMIN:
            return
        now = time.monotonic()
        last = self._last_heavy.get(user_id)
        if last is not None and now - last < wait:
            raise UserError(f"Slow down: you can use `{cmd.name}` again in {math.ceil(wait - (now - last))} s.")
        self._last_heavy[user_id] = now
        if len(self._last_heavy) > EVENTS_KEPT:
            self._last_heavy.pop(next(iter(self._last_heavy)))

    def _paged(self, pages: list[SlackPage], owner: str) -> SlackPage:
        if len(pages) == 1:
            return pages[0]
        key = self.pages.keep(owner, pages)
        return with_pager(pages[0], key, 0, len(pages))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the commands still being answered (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _first_delivery(self, event_id: str) -> bool:
        if event_id in self._events:
            log.info("event %s delivered again: already answered", event_id)
            return False
        self._events[event_id] = None
        while len(self._events) > EVENTS_KEPT:
            self._events.popitem(last=False)
        return True

    # ------------------------------------------------------------------ who may moderate

    async def privilege_of(self, user_id: str) -> Privilege:
        return (await self.person(user_id))[0]

    async def person(self, user_id: str) -> tuple[Privilege, str]:
        """(privilege, name) of a Slack user. Owners and admins of the workspace, then the
        moderators named in settings (users, or members of a user group); everyone else is a
        member. The name goes with every change in the ``changes`` log. Asked of Slack at most
        every few minutes."""
        now = time.monotonic()
        cached = self._people.get(user_id)
        if cached and now - cached[0] < PRIVILEGE_TTL:
            return cached[1], cached[2]
        privilege = Privilege.MEMBER
        name = user_id
        try:
            info = (await self.client.users_info(user=user_id)).get("user") or {}
            name = str(info.get("name") or info.get("real_name") or user_id)
            if info.get("is_primary_owner") or info.get("is_owner"):
                privilege = Privilege.OWNER
            elif info.get("is_admin"):
                privilege = Privilege.ADMIN
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error") if exc.response else exc)
        if privilege == Privilege.MEMBER and user_id in self.settings.slack_moderator_users:
            privilege = Privilege.MODERATOR
        group = self.settings.slack_moderator_group
        if privilege == Privilege.MEMBER and group:
            try:
                members = (await self.client.usergroups_users_list(usergroup=group)).get("users") or []
                if user_id in members:
                    privilege = Privilege.MODERATOR
            except SlackApiError as exc:
                log.warning("usergroups.users.list failed for %s: %s", group,
                            exc.response.get("error") if exc.response else exc)
        if len(self._people) > EVENTS_KEPT:
            self._people.clear()
        self._people[user_id] = (now, privilege, name)
        return privilege, name

    # ------------------------------------------------------------------ files

    async def _checked(self, file: dict[str, Any]) -> dict[str, Any]:
        """A shared file's metadata, refused by type and size before anything is downloaded."""
        if "url_private_download" not in file or "size" not in file:
            file = (await self.client.files_info(file=file.get("id", ""))).get("file") or {}
        name = str(file.get("name") or file.get("title") or "file")
        check_upload(name, int(file.get("size") or 0), self.settings.max_file_bytes, verb="share")
        if not (file.get("url_private_download") or file.get("url_private")):
            raise UserError(f"Slack gave no download link for {name[:80]}.")
        return file

    async def _download(self, file: dict[str, Any]) -> Attachment:
        """A checked file (:meth:`_checked`), downloaded with the bot token."""
        name = str(file.get("name") or file.get("title") or "file")
        url = file.get("url_private_download") or file.get("url_private")
        token = self.settings.slack_bot_token.get_secret_value() if self.settings.slack_bot_token else ""
        timeout = aiohttp.ClientTimeout(total=self.settings.fetch_timeout)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url, headers={"Authorization": f"Bearer {token}"}) as resp,
        ):
            if resp.status != 200:
                raise UserError(f"I could not download {name[:80]} from Slack ({resp.status}).")
            data = await resp.content.read(self.settings.max_file_bytes + 1)
            served = resp.headers.get("Content-Type", "")
        if len(data) > self.settings.max_file_bytes:
            raise UserError(f"{name[:80]} is larger than the limit of {self.settings.max_file_bytes:,} bytes.")
        if served.startswith("text/html") and not name.lower().endswith((".html", ".htm")):
            # Slack serves its login page instead of a file the token may not read
            raise UserError(f"Slack would not hand over {name[:80]}: the app needs the files:read scope.")
        return Attachment(name, data, file.get("mimetype"))

    async def _upload_image(self, reply: Reply, channel: str, thread_ts: str | None) -> bool:
        """The chart of a ``compare`` reply, in the same channel or thread; False when Slack
        refused it (a channel the bot is not in)."""
        image = reply.image
        if image is None:
            return True
        try:
            await self.client.files_upload_v2(
                channel=channel, thread_ts=thread_ts, file=image.data, filename=image.filename,
                title=plain(image.description or image.filename, 250), alt_txt=plain(image.description, 1000),
            )
        except SlackApiError as exc:
            log.warning("chart upload refused: %s", exc.response.get("error") if exc.response else exc)
            return False
        return True

    # ------------------------------------------------------------------ posting (digests)

    async def post(self, channel: str, reply: Reply) -> None:
        """Post a reply to a channel (a digest): every page, in order. Raises SlackApiError."""
        for page in render_pages(reply):
            await self.client.chat_postMessage(channel=channel, text=page.text, blocks=page.blocks,
                                               unfurl_links=False)

    # ------------------------------------------------------------------ serving

    def web_app(self) -> web.Application:
        """Slack's HTTP requests (commands, events, actions) on ``POST /slack/events``."""

        async def handle(request: web.Request) -> web.Response:
            bolt_request = await to_bolt_request(request)
            return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

        web_app = web.Application()
        web_app.router.add_post("/slack/events", handle)
        return web_app


async def run_slack(settings: Settings, ctx: Context, *, stop: asyncio.Event | None = None) -> None:
    """Serve Slack until cancelled (or ``stop`` is set): Socket Mode with an app-level token,
    else HTTP on the configured host and port."""
    front = SlackFrontEnd(settings, ctx)
    from .slack_digests import SlackDigests

    digests = SlackDigests(front, ctx)
    digests.start()
    stop = stop or asyncio.Event()
    try:
        if settings.slack_app_token is not None:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            handler = AsyncSocketModeHandler(front.app, settings.slack_app_token.get_secret_value())
            await handler.connect_async()
            log.info("Slack: connected in Socket Mode")
            front.state("connected (Socket Mode)")
            try:
                await stop.wait()
            finally:
                front.state("disconnected")
                await handler.close_async()
        else:
            if settings.slack_signing_secret is None:
                raise ValueError("Slack HTTP mode needs BRIEFBOT_SLACK_SIGNING_SECRET (or set an app token)")
            runner = web.AppRunner(front.web_app())
            await runner.setup()
            site = web.TCPSite(runner, settings.slack_host, settings.slack_port)
            await site.start()
            log.info("Slack: listening on http://%s:%s/slack/events", settings.slack_host, settings.slack_port)
            front.state(f"listening (HTTP, port {settings.slack_port})")
            try:
                await stop.wait()
            finally:
                front.state("stopped")
                await runner.cleanup()
    finally:
        await digests.stop()
        with contextlib.suppress(Exception):
            await front.drain()


def manifest(settings: Settings, *, request_url: str | None = None, registry: Registry = REGISTRY) -> dict[str, Any]:
    """The app manifest for Slack's "create an app from a manifest" screen, from the registry:
    the slash command and its usage hint, the bot scopes, the events, interactivity, and
    Socket Mode on when no public ``request_url`` is given."""
    name = settings.slack_command.lstrip("/")
    commands = [c for c in registry.for_chat()]
    hint = " | ".join(c.usage() for c in commands)
    socket = request_url is None
    slash: dict[str, Any] = {
        "command": f"/{name}",
        "description": "Ask briefbot: " + ", ".join(c.name for c in commands),
        "usage_hint": hint[:1000],
        "should_escape": False,
    }
    if not socket:
        slash["url"] = request_url
    settings_block: dict[str, Any] = {
        "event_subscriptions": {"bot_events": ["app_mention", "message.im"]},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": socket,
        "token_rotation_enabled": False,
    }
    if not socket:
        settings_block["event_subscriptions"]["request_url"] = request_url
        settings_block["interactivity"]["request_url"] = request_url
    return {
        "display_information": {
            "name": "briefbot",
            "description": "Briefings on a developing story, every answer quoted from the articles.",
        },
        "features": {
            "bot_user": {"display_name": "briefbot", "always_online": True},
            "app_home": {"messages_tab_enabled": True, "messages_tab_read_only_enabled": False},
            "slash_commands": [slash],
        },
        "oauth_config": {"scopes": {"bot": sorted(BOT_SCOPES)}},
        "settings": settings_block,
    }


#: What the bot does, scope by scope: read mentions and DMs, answer (and in DMs), take a
#: shared file for ``add``, upload a chart, read who is an admin or in the moderator group.
BOT_SCOPES = frozenset({
    "app_mentions:read", "chat:write", "commands", "files:read", "files:write", "im:history", "im:read",
    "im:write", "users:read", "usergroups:read",
})


def manifest_json(settings: Settings, *, request_url: str | None = None) -> str:
    return json.dumps(manifest(settings, request_url=request_url), indent=2)
