"""A small fake Discord: REST under ``/api/v10`` and a gateway websocket, on loopback.

It speaks just enough of the real protocol for discord.py 2.7 to log in, connect, see a
guild, receive messages and interactions, and send, edit and page replies. Every request
the bot makes is recorded (method, path, query, JSON or multipart payload) so tests can
assert on exactly what would have reached Discord. Unknown routes answer a JSON 404, so a
gap in the fake shows up as a failure instead of a silent success.

Interactions keep Discord's rules: a callback more than three seconds after its
interaction gets 404 (10062 Unknown interaction), a second callback 400 (40060 already
acknowledged), and followups or edits of the original response 404 until the interaction
was acknowledged. A bot that answers late here would lose the command in a real server.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1420070400000
API = "/api/v10"

VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_HISTORY = 1 << 16
ADMINISTRATOR = 1 << 3
EVERYONE_PERMS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_HISTORY

_counter = itertools.count(1)


def snowflake() -> int:
    """A fresh snowflake for the current time; discord.py expires interactions by it."""
    return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(_counter) % 4096)


def iso_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py only parses JSON when the Content-Type is exactly application/json.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json", **(headers or {})}
    )


@dataclass
class Recorded:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any = None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    status: int = 200
    #: When the fake received it (``time.monotonic()``), for latency as a member would see it.
    at: float = field(default_factory=time.monotonic)

    def message_payloads(self) -> list[dict[str, Any]]:
        """The message bodies in this request (an interaction callback nests them in ``data``)."""
        if not isinstance(self.json, dict):
            return []
        if "/callback" in self.path:
            data = self.json.get("data")
            return [data] if isinstance(data, dict) else []
        return [self.json]


@dataclass
class Person:
    id: int
    name: str
    roles: list[int] = field(default_factory=list)

    def user(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.name,
            "avatar": None,
            "bot": False,
        }

    def member(self) -> dict[str, Any]:
        return {
            "user": self.user(),
            "roles": [str(r) for r in self.roles],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }


class FakeDiscord:
    """One guild with a few channels, roles and people, and a bot to serve."""

    def __init__(self) -> None:
        self.app_id = snowflake()
        self.bot_id = self.app_id
        self.guild_id = snowflake()
        self.moderator_role = snowflake()  # named in the settings: privilege by name
        self.editor_role = snowflake()  # Manage Messages: privilege by permission
        self.admin_role = snowflake()  # Administrator
        self.general = snowflake()  # everyone may read and post
        self.news = snowflake()  # where digests go
        self.locked = snowflake()  # the bot may not post here (permission overwrite)
        self.refusing = snowflake()  # the bot appears allowed, but Discord answers 403
        self.owner = Person(snowflake(), "olga")
        self.moderator = Person(snowflake(), "mo", [self.moderator_role])
        self.member = Person(snowflake(), "alice")
        self.other = Person(snowflake(), "bob")
        self.editor = Person(snowflake(), "eddie", [self.editor_role])
        self.admin = Person(snowflake(), "ada", [self.admin_role])
        self.people = [self.owner, self.moderator, self.member, self.other, self.editor, self.admin]
        self.requests: list[Recorded] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.identify: dict[str, Any] | None = None
        self._interactions: dict[str, dict[str, Any]] = {}  # token -> {id, channel_id, original, created, acked}
        #: Discord forgets an interaction not answered within three seconds.
        self.interaction_window = 3.0
        #: Callbacks refused for coming late or twice: (token, code).
        self.refused_callbacks: list[tuple[str, int]] = []
        #: More text channels, added before the bot connects (name by id).
        self.extra_channels: dict[int, str] = {}
        #: Called with every REST request once it has been answered (its ``status`` set).
        self.listeners: list[Callable[[Recorded], None]] = []
        #: The heartbeat interval announced in HELLO (seconds); Discord's is about 41 s.
        self.heartbeat_interval = 45.0
        #: Heartbeats received: (when, seconds since the previous one or since HELLO).
        self.heartbeats: list[tuple[float, float]] = []
        self._last_beat: float | None = None
        self._rate_limits: list[tuple[str, re.Pattern[str], float, bool]] = []
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_get("/", self._gateway)
        app.router.add_get("/attachments/{name}", self._attachment)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ payloads

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": str(self.bot_id),
            "username": "briefbot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "verified": True,
            "flags": 0,
            "mfa_enabled": False,
        }

    def bot_member(self) -> dict[str, Any]:
        return {
            "user": self.bot_user(),
            "roles": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
            "premium_since": None,
        }

    def channel(self, channel_id: int) -> dict[str, Any] | None:
        names = {
            self.general: "general", self.news: "news", self.locked: "locked", self.refusing: "refusing",
            **self.extra_channels,
        }
        if channel_id not in names:
            return None
        overwrites = []
        if channel_id == self.locked:
            overwrites.append({"id": str(self.bot_id), "type": 1, "allow": "0", "deny": str(SEND_MESSAGES)})
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": names[channel_id],
            "position": list(names).index(channel_id),
            "permission_overwrites": overwrites,
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def guild(self) -> dict[str, Any]:
        roles = [
            {
                "id": str(self.guild_id),
                "name": "@everyone",
                "permissions": str(EVERYONE_PERMS),
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            },
            {
                "id": str(self.moderator_role),
                "name": "Moderator",
                "permissions": "0",
                "position": 1,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            },
            {
                "id": str(self.editor_role),
                "name": "Editors",
                "permissions": str(MANAGE_MESSAGES),
                "position": 2,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            },
            {
                "id": str(self.admin_role),
                "name": "Admins",
                "permissions": str(ADMINISTRATOR),
                "position": 3,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            },
        ]
        ids = (self.general, self.news, self.locked, self.refusing, *self.extra_channels)
        channels = [self.channel(c) for c in ids]
        return {
            "id": str(self.guild_id),
            "name": "Newsroom",
            "icon": None,
            "owner_id": str(self.owner.id),
            "roles": roles,
            "channels": channels,
            "threads": [],
            "emojis": [],
            "stickers": [],
            "members": [self.bot_member(), *(p.member() for p in self.people)],
            "member_count": 1 + len(self.people),
            "voice_states": [],
            "presences": [],
            "features": [],
            "large": False,
            "unavailable": False,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "system_channel_flags": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "afk_timeout": 300,
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def _message(
        self,
        channel_id: int,
        body: dict[str, Any],
        files: list[tuple[str, bytes]],
        author: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        mid = snowflake()
        attachments = []
        for i, (name, data) in enumerate(files):
            key = f"{mid}-{i}-{name}"
            self.files[key] = data
            attachments.append(
                {
                    "id": str(snowflake()),
                    "filename": name,
                    "size": len(data),
                    "url": f"{self.base_url}/attachments/{key}",
                    "proxy_url": f"{self.base_url}/attachments/{key}",
                }
            )
        msg = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "guild_id": str(self.guild_id),
            "author": author or self.bot_user(),
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "attachments": attachments,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
            **extra,
        }
        self.messages[mid] = msg
        return msg

    def _edit(self, mid: int, body: dict[str, Any]) -> dict[str, Any]:
        msg = self.messages[mid]
        for key in ("content", "embeds", "components"):
            if key in body and body[key] is not None:
                msg[key] = body[key]
        msg["edited_timestamp"] = iso_now()
        msg["flags"] = msg.get("flags", 0) & ~128  # no longer "thinking"
        return msg

    # ------------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json(
            {"op": 10, "d": {"heartbeat_interval": round(self.heartbeat_interval * 1000)}, "s": None, "t": None}
        )
        self._last_beat = time.monotonic()
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            op = data.get("op")
            if op == 1:
                now = time.monotonic()
                if self._last_beat is not None:
                    self.heartbeats.append((now, now - self._last_beat))
                self._last_beat = now
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif op == 2:
                self.identify = data["d"]
                await self._dispatch(
                    "READY",
                    {
                        "v": 10,
                        "user": self.bot_user(),
                        "guilds": [{"id": str(self.guild_id), "unavailable": True}],
                        "session_id": "fake-session",
                        "resume_gateway_url": f"ws://127.0.0.1:{self.port}/",
                        "application": {"id": str(self.app_id), "flags": 0},
                        "private_channels": [],
                        "relationships": [],
                    },
                )
                await self._dispatch("GUILD_CREATE", self.guild())
            elif op == 6:
                await ws.send_json({"op": 9, "d": False, "s": None, "t": None})
        if self._ws is ws:
            self._ws = None
        return ws

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        if self._ws is None:
            raise RuntimeError("the bot is not connected to the fake gateway")
        self._seq += 1
        await self._ws.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    async def wait_connected(self, timeout: float = 5.0) -> None:
        await self.poll(lambda: self._ws is not None and self.identify is not None, timeout)

    def late_heartbeats(self, grace: float = 0.0, since: float = 0.0) -> list[float]:
        """How late (seconds) each heartbeat received after ``since`` (``time.monotonic()``)
        came, when that is more than ``grace`` past the announced interval; the one still due
        while connected counts too."""
        gaps = [gap for at, gap in self.heartbeats if at >= since]
        if self._ws is not None and self._last_beat is not None:
            gaps.append(time.monotonic() - self._last_beat)
        return [g - self.heartbeat_interval for g in gaps if g > self.heartbeat_interval + grace]

    # ------------------------------------------------------------------ setting up the guild

    def add_channel(self, name: str) -> int:
        """Another text channel everyone may post in; add it before the bot connects."""
        channel_id = snowflake()
        self.extra_channels[channel_id] = name
        return channel_id

    def add_person(self, name: str, roles: list[int] | None = None) -> Person:
        """Another member of the guild; add them before the bot connects."""
        person = Person(snowflake(), name, list(roles or []))
        self.people.append(person)
        return person

    def synced_commands(self) -> list[dict[str, Any]]:
        """The application commands the bot last published (``briefbot sync-commands``)."""
        puts = [r for r in self.find("PUT", r"^/applications/\d+(?:/guilds/\d+)?/commands$") if r.status == 200]
        return list(puts[-1].json) if puts else []

    # ------------------------------------------------------------------ injecting what people do

    async def send_message(
        self, author: Person, channel_id: int, content: str, attachments: list[tuple[str, bytes | int]] | None = None
    ) -> dict[str, Any]:
        """A person posts a message; an attachment given as an int is that many bytes, never served."""
        files: list[dict[str, Any]] = []
        for name, data in attachments or []:
            key = f"upload-{snowflake()}-{name}"
            size = data if isinstance(data, int) else len(data)
            if not isinstance(data, int):
                self.files[key] = data
            files.append(
                {
                    "id": str(snowflake()),
                    "filename": name,
                    "size": size,
                    "url": f"{self.base_url}/attachments/{key}",
                    "proxy_url": f"{self.base_url}/attachments/{key}",
                    "content_type": "text/plain",
                }
            )
        msg = {
            "id": str(snowflake()),
            "channel_id": str(channel_id),
            "guild_id": str(self.guild_id),
            "author": author.user(),
            "member": {k: v for k, v in author.member().items() if k != "user"},
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": files,
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        await self._dispatch("MESSAGE_CREATE", msg)
        return msg

    def _interaction(
        self, itype: int, author: Person, channel_id: int, data: dict[str, Any], message: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        iid = snowflake()
        token = f"token-{iid}"
        self._interactions[token] = {
            "id": iid, "channel_id": channel_id, "original": None, "created": time.monotonic(), "acked": False,
        }
        member = author.member()
        member["permissions"] = str(EVERYONE_PERMS)
        payload = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": itype,
            "data": data,
            "token": token,
            "version": 1,
            "guild_id": str(self.guild_id),
            "channel_id": str(channel_id),
            "channel": self.channel(channel_id),
            "member": member,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": str(EVERYONE_PERMS),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        return payload

    async def slash(
        self,
        author: Person,
        channel_id: int,
        name: str,
        options: dict[str, Any] | None = None,
        attachments: dict[str, tuple[str, bytes]] | None = None,
    ) -> str:
        """Run ``/name`` with options; returns the interaction token (to find its replies)."""
        opts = []
        for key, value in (options or {}).items():
            kind = 4 if isinstance(value, int) and not isinstance(value, bool) else 3
            opts.append({"name": key, "type": kind, "value": value})
        resolved: dict[str, Any] = {}
        for key, (filename, data) in (attachments or {}).items():
            att_id = str(snowflake())
            store_key = f"upload-{att_id}-{filename}"
            self.files[store_key] = data
            resolved.setdefault("attachments", {})[att_id] = {
                "id": att_id,
                "filename": filename,
                "size": len(data),
                "url": f"{self.base_url}/attachments/{store_key}",
                "proxy_url": f"{self.base_url}/attachments/{store_key}",
                "content_type": "text/plain",
            }
            opts.append({"name": key, "type": 11, "value": att_id})
        data = {"id": str(snowflake()), "name": name, "type": 1, "options": opts, "guild_id": str(self.guild_id)}
        if resolved:
            data["resolved"] = resolved
        payload = self._interaction(2, author, channel_id, data)
        await self._dispatch("INTERACTION_CREATE", payload)
        return payload["token"]

    async def autocomplete(self, author: Person, channel_id: int, name: str, option: str, current: str) -> str:
        data = {
            "id": str(snowflake()),
            "name": name,
            "type": 1,
            "guild_id": str(self.guild_id),
            "options": [{"name": option, "type": 3, "value": current, "focused": True}],
        }
        payload = self._interaction(4, author, channel_id, data)
        await self._dispatch("INTERACTION_CREATE", payload)
        return payload["token"]

    async def press(self, author: Person, message_id: int, custom_id: str) -> str:
        message = self.messages[message_id]
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(3, author, int(message["channel_id"]), data, message=message)
        self._interactions[payload["token"]]["message_id"] = message_id
        await self._dispatch("INTERACTION_CREATE", payload)
        return payload["token"]

    # ------------------------------------------------------------------ REST

    def rate_limit_once(
        self, method: str, path_pattern: str, retry_after: float = 0.3, is_global: bool = False
    ) -> None:
        """Answer the next matching request with a 429, as Discord does when a bucket is empty."""
        self._rate_limits.append((method, re.compile(path_pattern), retry_after, is_global))

    async def _attachment(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.requests.append(Recorded("GET", f"/attachments/{name}", dict(request.query)))
        if name not in self.files:
            return json_response({"message": "Unknown attachment", "code": 10000}, 404)
        return web.Response(body=self.files[name], headers={"Content-Type": "application/octet-stream"})

    async def _read_body(self, request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        ctype = request.headers.get("Content-Type", "")
        if ctype.startswith("multipart/"):
            payload: Any = None
            files: list[tuple[str, bytes]] = []
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    payload = json.loads(await part.text())
                else:
                    files.append((part.filename or part.name or "file", await part.read()))
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            return raw.decode("utf-8", "replace"), []

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await self._read_body(request)
        record = Recorded(request.method, path, dict(request.query), body, files)
        self.requests.append(record)
        for i, (method, pattern, retry_after, is_global) in enumerate(self._rate_limits):
            if method == request.method and pattern.search(path):
                del self._rate_limits[i]
                record.status = 429
                return json_response(
                    {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global},
                    429,
                    {
                        "Via": "1.1 google",
                        "Retry-After": str(max(1, round(retry_after))),
                        "X-RateLimit-Limit": "5",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset-After": str(retry_after),
                        "X-RateLimit-Bucket": "fake-bucket",
                        "X-RateLimit-Scope": "user",
                        **({"X-RateLimit-Global": "true"} if is_global else {}),
                    },
                )
        response = await self._route(request.method, path, request.query, body, files)
        record.status = response.status
        for listener in self.listeners:
            listener(record)
        return response

    async def _route(
        self, method: str, path: str, query: Any, body: Any, files: list[tuple[str, bytes]]
    ) -> web.Response:
        m = re.fullmatch
        if method == "GET" and path == "/users/@me":
            return json_response(self.bot_user())
        if method == "GET" and path == "/oauth2/applications/@me":
            return json_response(
                {
                    "id": str(self.app_id),
                    "name": "briefbot",
                    "icon": None,
                    "description": "",
                    "bot_public": False,
                    "bot_require_code_grant": False,
                    "owner": self.owner.user(),
                    "verify_key": "0" * 64,
                    "flags": 0,
                    "team": None,
                    "summary": "",
                }
            )
        if method == "GET" and path in ("/gateway", "/gateway/bot"):
            return json_response(
                {
                    "url": f"ws://127.0.0.1:{self.port}/",
                    "shards": 1,
                    "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
                }
            )
        if (hit := m(r"/channels/(\d+)", path)) and method == "GET":
            channel = self.channel(int(hit.group(1)))
            return (
                json_response(channel) if channel else json_response({"message": "Unknown Channel", "code": 10003}, 404)
            )
        if (hit := m(r"/channels/(\d+)/typing", path)) and method == "POST":
            return web.Response(status=204)
        if (hit := m(r"/channels/(\d+)/messages", path)) and method == "POST":
            channel_id = int(hit.group(1))
            if self.channel(channel_id) is None:
                return json_response({"message": "Unknown Channel", "code": 10003}, 404)
            if channel_id in (self.locked, self.refusing):
                return json_response({"message": "Missing Permissions", "code": 50013}, 403)
            return json_response(self._message(channel_id, body or {}, files))
        if (hit := m(r"/channels/(\d+)/messages/(\d+)", path)) and method == "PATCH":
            mid = int(hit.group(2))
            if mid not in self.messages:
                return json_response({"message": "Unknown Message", "code": 10008}, 404)
            return json_response(self._edit(mid, body or {}))
        if (hit := m(r"/interactions/(\d+)/([^/]+)/callback", path)) and method == "POST":
            return self._callback(hit.group(2), body or {}, files)
        if hit := m(r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", path):
            state = self._interactions.get(hit.group(2))
            if state is None or not state["acked"]:
                return json_response({"message": "Unknown Webhook", "code": 10015}, 404)
            mid = state["original"] if hit.group(3) == "@original" else int(hit.group(3))
            if mid is None or mid not in self.messages:
                return json_response({"message": "Unknown Message", "code": 10008}, 404)
            if method == "GET":
                return json_response(self.messages[mid])
            if method == "PATCH":
                return json_response(self._edit(mid, body or {}))
            if method == "DELETE":
                self.messages.pop(mid, None)
                return web.Response(status=204)
        if (hit := m(r"/webhooks/(\d+)/([^/]+)", path)) and method == "POST":
            state = self._interactions.get(hit.group(2))
            if state is None or not state["acked"]:  # a followup needs an acknowledged interaction
                return json_response({"message": "Unknown Webhook", "code": 10015}, 404)
            original = state["original"]
            if original is not None and self.messages[original].get("flags", 0) & 128:
                # The first followup after a deferral replaces the "thinking…" message.
                return json_response(self._edit(original, body or {}))
            return json_response(self._message(state["channel_id"], body or {}, files, webhook_id=str(self.app_id)))
        if (hit := m(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", path)) and method == "PUT":
            out = []
            for cmd in body or []:
                out.append(
                    {
                        **cmd,
                        "id": str(snowflake()),
                        "application_id": str(self.app_id),
                        "version": str(snowflake()),
                        "type": cmd.get("type", 1),
                        **({"guild_id": hit.group(2)} if hit.group(2) else {}),
                    }
                )
            return json_response(out)
        return json_response({"message": f"404: no fake route for {method} {path}", "code": 0}, 404)

    def _callback(self, token: str, body: dict[str, Any], files: list[tuple[str, bytes]]) -> web.Response:
        """Discord's rules: one callback per interaction, within three seconds of it."""
        state = self._interactions.get(token)
        if state is None or time.monotonic() - state["created"] > self.interaction_window:
            self.refused_callbacks.append((token, 10062))
            return json_response({"message": "Unknown interaction", "code": 10062}, 404)
        if state["acked"]:
            self.refused_callbacks.append((token, 40060))
            return json_response({"message": "Interaction has already been acknowledged.", "code": 40060}, 400)
        state["acked"] = True
        rtype = body.get("type")
        data = body.get("data") or {}
        interaction = {
            "id": str(state["id"]),
            "type": 2,
            "response_message_loading": rtype == 5,
            "response_message_ephemeral": bool(data.get("flags", 0) & 64),
        }
        resource: dict[str, Any] | None = None
        if rtype in (4, 5):
            flags = data.get("flags", 0) | (128 if rtype == 5 else 0)
            msg = self._message(
                state["channel_id"],
                {**data, "flags": flags},
                files,
                interaction_metadata={
                    "id": str(state["id"]),
                    "type": 2,
                    "user": self.owner.user(),
                    "authorizing_integration_owners": {},
                },
            )
            state["original"] = int(msg["id"])
            interaction["response_message_id"] = msg["id"]
            resource = {"type": rtype, "message": msg}
        elif rtype == 7:
            # A component press that edits the message the button is on.
            target = state.get("message_id")
            if target is not None:
                msg = self._edit(target, data)
                interaction["response_message_id"] = msg["id"]
                resource = {"type": 7, "message": msg}
        out: dict[str, Any] = {"interaction": interaction}
        if resource is not None:
            out["resource"] = resource
        return json_response(out)

    # ------------------------------------------------------------------ assertions

    async def poll(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy; return its value (no fixed sleeps in tests)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
            await asyncio.sleep(0.01)

    def find(self, method: str, pattern: str, since: int = 0) -> list[Recorded]:
        rx = re.compile(pattern)
        return [r for r in self.requests[since:] if r.method == method and rx.search(r.path)]

    async def wait_request(
        self, method: str, pattern: str, *, since: int = 0, count: int = 1, timeout: float = 5.0
    ) -> list[Recorded]:
        def ready() -> list[Recorded] | None:
            found = [r for r in self.find(method, pattern, since) if r.status != 429]
            return found if len(found) >= count else None

        return await self.poll(ready, timeout)

    def original(self, token: str) -> int:
        """The id of the message that answered an interaction."""
        mid = self._interactions[token]["original"]
        if mid is None:
            raise AssertionError("the interaction has no response message yet")
        return mid
