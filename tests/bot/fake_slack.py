"""A small fake Slack: the Web API under ``/api/``, response_url endpoints and a Socket Mode websocket, on loopback.

Tests point the real slack_bolt ``AsyncApp`` at it with ``AsyncWebClient(token=..., base_url=fake.api_url)``.
It keeps the parts of Slack's behaviour the bot depends on:

* every Web API call checks the bearer token first; a wrong one answers ``{"ok": false, "error": "invalid_auth"}``
  (``apps.connections.open`` takes only the app-level token, as Slack does);
* ``auth.test`` has Slack's shape, so Bolt's authorization middleware learns the bot user and team;
* a method told to rate-limit answers HTTP 429 with ``Retry-After`` and ``{"ok": false, "error": "ratelimited"}``;
* ``files_upload_v2``'s three steps work: ``files.getUploadURLExternal``, a POST of the bytes to the returned
  URL, then ``files.completeUploadExternal``;
* Socket Mode sends ``hello`` on connect, then envelopes that the client acknowledges by ``envelope_id``.

Every Web API call is recorded before it is answered (failures and 429s too), so tests can assert on exactly
what would have reached Slack. Methods the fake does not know answer ``{"ok": true}``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import quote

from aiohttp import WSMsgType, web


def signed_headers(
    secret: str,
    body: str,
    *,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    """Headers Slack sends with an HTTP-mode request: Bolt rejects the request unless the signature checks out."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": f"v0={digest}",
    }


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # The SDK parses the body as JSON whatever the status, so 429s carry a JSON body too.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


@dataclass
class Call:
    """One Web API call as the fake received it."""

    method: str  # e.g. "chat.postMessage"
    args: dict[str, Any]  # body merged over query params; "blocks"/"attachments" decoded when sent as JSON strings
    token: str | None  # the bearer token, or the "token" form field
    status: int = 200  # the HTTP status the fake answered with
    response: dict[str, Any] = field(default_factory=dict)  # the JSON the fake answered with


def _user(user_id: str, name: str, **flags: bool) -> dict[str, Any]:
    return {
        "id": user_id,
        "team_id": "T0001",
        "name": name,
        "real_name": name.title(),
        "deleted": False,
        "is_bot": False,
        "is_admin": flags.get("is_admin", False),
        "is_owner": flags.get("is_owner", False),
        "is_primary_owner": flags.get("is_owner", False),
        "is_restricted": False,
        "is_ultra_restricted": False,
        "tz": "UTC",
        "profile": {"display_name": name, "real_name": name.title()},
    }


class FakeSlack:
    """One workspace with an admin, an owner, a plain member and a moderator (by user group), and a bot to serve."""

    bot_token: str = "xoxb-test"
    app_token: str = "xapp-test"
    team_id = "T0001"
    bot_user_id = "UBOT"
    bot_id = "BBOT"

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []
        self.acks: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, Any]] = {
            "UADMIN": _user("UADMIN", "ada", is_admin=True),
            "UOWNER": _user("UOWNER", "olga", is_owner=True),
            "UMEMBER": _user("UMEMBER", "alice"),
            "UMOD": _user("UMOD", "mo"),
        }
        self.usergroups: dict[str, list[str]] = {"SMODS": ["UMOD"]}
        self.files: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}  # file id -> bytes POSTed to its upload URL
        self._pending_uploads: dict[str, dict[str, Any]] = {}  # file id -> getUploadURLExternal args
        self._ratelimits: dict[str, list[int]] = {}  # method -> [remaining, retry_after]
        self._ts = 0
        self._file_seq = 0
        self._ws: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/files/{file_id}/{name}", self._download)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
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
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """For ``AsyncWebClient(base_url=...)``: the SDK appends the method name, so the slash matters."""
        return f"{self.base_url}/api/"

    def response_url(self, key: str = "r1") -> str:
        """A response_url to put in a slash command payload; what is POSTed there lands in ``responses``."""
        return f"{self.base_url}/response/{key}"

    # ------------------------------------------------------------------ arranging

    def add_file(
        self, file_id: str, name: str, content: bytes, mimetype: str = "text/plain", filetype: str = "text"
    ) -> None:
        """A file someone shared, for ``files.info`` and a download with the bot token."""
        self.files[file_id] = {
            "name": name,
            "mimetype": mimetype,
            "filetype": filetype,
            "size": len(content),
            "content": content,
        }

    def ratelimit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with a 429, as Slack does when a tier's budget is spent."""
        self._ratelimits[method] = [times, retry_after]

    # ------------------------------------------------------------------ Web API

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                raw = await request.read()
                body = json.loads(raw) if raw else {}
                if isinstance(body, dict):
                    args.update(body)
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                for key, value in (await request.post()).items():
                    args[key] = value if isinstance(value, str) else value.file.read()
        for key in ("blocks", "attachments"):
            if isinstance(args.get(key), str):
                try:
                    args[key] = json.loads(args[key])
                except ValueError:
                    pass  # left as sent; Slack would answer invalid_blocks
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        token: str | None = None
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth.removeprefix("Bearer ").strip()
        elif isinstance(args.get("token"), str):
            token = args["token"]
        args.pop("token", None)
        call = Call(method, args, token)
        self.calls.append(call)

        headers: dict[str, str] = {}
        allowed = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != allowed:
            status, body = 200, {"ok": False, "error": "invalid_auth"}
        elif (limit := self._ratelimits.get(method)) and limit[0] > 0:
            limit[0] -= 1
            status, body = 429, {"ok": False, "error": "ratelimited"}
            headers["Retry-After"] = str(limit[1])
        else:
            status, body = 200, self._answer(method, args)
        call.status, call.response = status, body
        return _json(body, status, headers)

    def _next_ts(self) -> str:
        self._ts += 1
        return f"1700000000.{self._ts * 100:06d}"

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.com/",
                "team": "Fake",
                "user": "briefbot",
                "team_id": self.team_id,
                "user_id": self.bot_user_id,
                "bot_id": self.bot_id,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            if not args.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            if not (args.get("text") or args.get("blocks") or args.get("attachments")):
                return {"ok": False, "error": "no_text"}
            ts = self._next_ts()
            message = {
                "type": "message",
                "user": self.bot_user_id,
                "bot_id": self.bot_id,
                "ts": ts,
                "text": args.get("text", ""),
                "blocks": args.get("blocks", []),
            }
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            return {"ok": True, "channel": args["channel"], "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            if not args.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            if not args.get("ts"):
                return {"ok": False, "error": "message_not_found"}
            return {"ok": True, "channel": args.get("channel"), "ts": args["ts"], "text": args.get("text", "")}
        if method == "users.info":
            user = self.users.get(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "usergroups.users.list":
            members = self.usergroups.get(str(args.get("usergroup")))
            return (
                {"ok": True, "users": list(members)}
                if members is not None
                else {"ok": False, "error": "no_such_subteam"}
            )
        if method == "files.info":
            file_id = str(args.get("file"))
            return (
                {"ok": True, "file": self._file(file_id)}
                if file_id in self.files
                else {"ok": False, "error": "file_not_found"}
            )
        if method == "files.getUploadURLExternal":
            self._file_seq += 1
            file_id = f"FUP{self._file_seq:04d}"
            self._pending_uploads[file_id] = dict(args)
            return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return self._complete_upload(args)
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": True}

    def _file(self, file_id: str) -> dict[str, Any]:
        info = {k: v for k, v in self.files[file_id].items() if k != "content"}
        url = f"{self.base_url}/files/{file_id}/{quote(info['name'])}"
        return {"id": file_id, **info, "url_private": url, "url_private_download": url}

    def _complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except ValueError:
                return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        out = []
        for item in files:
            file_id = item.get("id")
            if file_id not in self._pending_uploads or file_id not in self.uploads:
                return {"ok": False, "error": "file_not_found"}
            pending = self._pending_uploads.pop(file_id)
            title = item.get("title") or pending.get("filename") or file_id
            # Once completed the file exists like any other, so files.info and downloads work for it.
            self.add_file(file_id, str(pending.get("filename") or title), self.uploads[file_id])
            self.files[file_id]["title"] = title
            out.append({"id": file_id, "title": title})
        return {"ok": True, "files": out}

    # ------------------------------------------------------------------ plain HTTP endpoints

    async def _response_url(self, request: web.Request) -> web.Response:
        raw = await request.text()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {"_raw": raw}
        self.responses.append((request.match_info["key"], body))
        return web.Response(text="ok")

    async def _download(self, request: web.Request) -> web.Response:
        # Slack serves private files only to a request carrying a token; without one it answers an HTML login page.
        if request.headers.get("Authorization") != f"Bearer {self.bot_token}":
            return web.Response(status=403, text="forbidden")
        entry = self.files.get(request.match_info["file_id"])
        if entry is None:
            return web.Response(status=404, text="not found")
        return web.Response(body=entry["content"], content_type=entry["mimetype"])

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self._pending_uploads:
            return web.Response(status=404, text="unknown upload")
        data = b""
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                break
        else:
            data = await request.read()
        self.uploads[file_id] = data
        return web.Response(text=f"OK - {len(data)}")

    # ------------------------------------------------------------------ Socket Mode

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()  # autoping answers the SDK's keep-alive pings
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake-slack", "build_number": 1, "approximate_connection_time": 3600},
                "connection_info": {"app_id": "A0001"},
            }
        )
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            try:
                data = json.loads(msg.data)
            except ValueError:
                continue
            if isinstance(data, dict) and "envelope_id" in data:
                self.acks.append(data)
        if self._ws is ws:
            self._ws = None
        return ws

    async def send_envelope(
        self, payload: dict[str, Any], *, envelope_type: str = "slash_commands", timeout: float = 5.0
    ) -> dict[str, Any] | None:
        """Deliver one envelope to the connected app; return its ack, or None if none came within ``timeout``."""
        ws = await self.poll(lambda: self._ws if self._ws is not None and not self._ws.closed else None, timeout)
        envelope_id = str(uuid.uuid4())
        await ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": envelope_type,
                "payload": payload,
                "accepts_response_payload": True,
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )

        def acked() -> dict[str, Any] | None:
            return next((a for a in self.acks if a.get("envelope_id") == envelope_id), None)

        try:
            return await self.poll(acked, timeout)
        except AssertionError:
            return None

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

    def posted(self, method: str = "chat.postMessage") -> list[Call]:
        """The recorded calls of one method, in order (failed and rate-limited ones included)."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``count`` calls of ``method`` were recorded; the error names what was called instead."""
        try:
            await self.poll(lambda: len(self.posted(method)) >= count, timeout)
        except AssertionError:
            seen = [c.method for c in self.calls]
            raise AssertionError(
                f"expected {count} call(s) of {method} within {timeout}s, got {len(self.posted(method))}; seen: {seen}"
            ) from None
        return self.posted(method)

    async def wait_for_responses(self, count: int = 1, timeout: float = 5.0) -> list[tuple[str, dict[str, Any]]]:
        """Wait until ``count`` bodies were POSTed to response_url endpoints."""
        try:
            await self.poll(lambda: len(self.responses) >= count, timeout)
        except AssertionError:
            raise AssertionError(
                f"expected {count} response_url post(s) within {timeout}s, got {len(self.responses)}: {self.responses}"
            ) from None
        return list(self.responses)
