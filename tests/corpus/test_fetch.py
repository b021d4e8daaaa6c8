"""Tests for corpus.fetch against real aiohttp servers on 127.0.0.1.

Loopback is exactly what the fetcher refuses by default, so tests that need a
reachable "public" site pass ``address_policy=only_port(port)``: it admits the one
server playing the public site and nothing else. A second server plays the internal
service; it counts its hits so a test can prove a refused redirect never reached it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from yarl import URL

from corpus.errors import FetchError
from corpus.fetch import (
    AddressPolicy,
    BlockedAddressError,
    FetchedDocument,
    GuardedResolver,
    IPAddress,
    address_problem,
    create_session,
    fetch_url,
)

ARTICLE = "<html><head><title>Budget vote</title></head><body><p>Café news.</p></body></html>"


def only_port(port: int) -> AddressPolicy:
    """A policy admitting any address on ``port`` only: the test's one "public" server."""

    def policy(ip: IPAddress, p: int) -> bool:
        return p == port

    return policy


@dataclass
class Servers:
    """The running test servers and what the internal one has seen."""

    public: TestServer
    internal: TestServer
    internal_hits: list[str]
    release: asyncio.Event

    def url(self, path: str) -> str:
        return str(self.public.make_url(path))

    @property
    def public_port(self) -> int:
        assert self.public.port is not None
        return self.public.port

    @property
    def internal_port(self) -> int:
        assert self.internal.port is not None
        return self.internal.port


def _public_app(release: asyncio.Event) -> web.Application:
    """Routes for the server that plays an ordinary news site."""

    async def article(request: web.Request) -> web.Response:
        return web.Response(text=ARTICLE, content_type="text/html", charset="utf-8")

    async def plain(request: web.Request) -> web.Response:
        return web.Response(text="just text", content_type="text/plain")

    async def image(request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG\r\n\x1a\n", content_type="image/png")

    async def pdf(request: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.7", content_type="application/pdf")

    async def gzip_body(request: web.Request) -> web.Response:
        return web.Response(body=b"\x1f\x8b\x08\x00", content_type="application/gzip")

    async def server_error(request: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently("/article")

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    async def slow(request: web.Request) -> web.Response:
        await _wait(release)
        return web.Response(text="late", content_type="text/html")

    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        try:
            await response.write(b"<html>")
            await _wait(release)
            await response.write(b"</html>")
        except ConnectionError:
            pass
        return response

    async def big_declared(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 10_000, content_type="text/plain")

    async def big_chunked(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for _ in range(50):
                await response.write(b"y" * 1000)
                await asyncio.sleep(0)
            await response.write_eof()
        except ConnectionError:
            pass
        return response

    app = web.Application()
    app.router.add_get("/article", article)
    app.router.add_get("/plain.txt", plain)
    app.router.add_get("/image.png", image)
    app.router.add_get("/paper.pdf", pdf)
    app.router.add_get("/dump.jsonl.gz", gzip_body)
    app.router.add_get("/archive.tar.gz", gzip_body)
    app.router.add_get("/error", server_error)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/moved", moved)
    app.router.add_get("/loop", loop)
    app.router.add_get("/slow", slow)
    app.router.add_get("/trickle", trickle)
    app.router.add_get("/big-declared", big_declared)
    app.router.add_get("/big-chunked", big_chunked)
    return app


async def _wait(release: asyncio.Event) -> None:
    """Hold a handler until the test ends (bounded, so a failing test cannot hang)."""
    try:
        await asyncio.wait_for(release.wait(), timeout=3)
    except TimeoutError:
        pass


@pytest_asyncio.fixture
async def servers() -> AsyncIterator[Servers]:
    release = asyncio.Event()
    hits: list[str] = []

    async def secret(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text="internal secret", content_type="text/html")

    internal_app = web.Application()
    internal_app.router.add_get("/{tail:.*}", secret)

    public = TestServer(_public_app(release), host="127.0.0.1")
    internal = TestServer(internal_app, host="127.0.0.1")
    await public.start_server()
    await internal.start_server()
    try:
        yield Servers(public, internal, hits, release)
    finally:
        release.set()
        await public.close()
        await internal.close()


async def _refusal(url: str, **kwargs: object) -> str:
    """The FetchError message fetching ``url`` produces (fails the test if none)."""
    with pytest.raises(FetchError) as info:
        await fetch_url(url, **kwargs)  # type: ignore[arg-type]
    message = info.value.message
    assert "\n" not in message
    return message


# ----------------------------------------------------------------- successful fetches


@pytest.mark.asyncio
async def test_fetches_html_with_allow_private(servers: Servers) -> None:
    url = servers.url("/article")
    doc = await fetch_url(url, allow_private=True)
    assert isinstance(doc, FetchedDocument)
    assert doc.url == url
    assert doc.final_url == url
    assert doc.content_type == "text/html"
    assert doc.charset == "utf-8"
    assert doc.body == ARTICLE.encode("utf-8")


@pytest.mark.asyncio
async def test_follows_redirect_and_reports_final_url(servers: Servers) -> None:
    doc = await fetch_url(servers.url("/moved"), allow_private=True)
    assert doc.url == servers.url("/moved")
    assert doc.final_url == servers.url("/article")
    assert doc.body == ARTICLE.encode("utf-8")


@pytest.mark.asyncio
async def test_plain_text_and_jsonl_gz_are_accepted(servers: Servers) -> None:
    plain = await fetch_url(servers.url("/plain.txt"), allow_private=True)
    assert (plain.content_type, plain.body) == ("text/plain", b"just text")
    dump = await fetch_url(servers.url("/dump.jsonl.gz"), allow_private=True)
    assert dump.content_type == "application/gzip"
    assert dump.body.startswith(b"\x1f\x8b")


@pytest.mark.asyncio
async def test_shared_session_from_create_session(servers: Servers) -> None:
    async with create_session(address_policy=only_port(servers.public_port)) as session:
        first = await fetch_url(
            servers.url("/article"), session=session, address_policy=only_port(servers.public_port)
        )
        second = await fetch_url(
            servers.url("/plain.txt"), session=session, address_policy=only_port(servers.public_port)
        )
        assert not session.closed
    assert first.body == ARTICLE.encode("utf-8")
    assert second.body == b"just text"


# ------------------------------------------------------------------- address refusal


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://localhost/", "loopback"),
        ("http://10.0.0.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("https://192.168.1.1/admin", "private"),
    ],
)
async def test_refuses_non_public_addresses(url: str, reason: str) -> None:
    message = await _refusal(url, timeout=2)
    assert message.startswith("Refusing to fetch")
    assert reason in message


@pytest.mark.asyncio
@pytest.mark.parametrize("url", ["http://2130706433/", "http://127.1/", "http://0x7f.1/"])
async def test_refuses_odd_numeric_spellings_of_loopback(url: str) -> None:
    message = await _refusal(url, timeout=2)
    assert "address" in message or "Refusing" in message


@pytest.mark.asyncio
async def test_refuses_loopback_server_without_allow_private(servers: Servers) -> None:
    message = await _refusal(servers.url("/article"))
    assert "loopback" in message
    internal = f"http://localhost:{servers.internal_port}/"
    assert "loopback" in await _refusal(internal)
    assert servers.internal_hits == []


@pytest.mark.asyncio
@pytest.mark.parametrize("internal_host", ["127.0.0.1", "localhost"])
async def test_redirect_from_public_site_to_loopback_is_refused(
    servers: Servers, internal_host: str
) -> None:
    """The "public" site is admitted; its redirect to the internal service is not.

    ``127.0.0.1`` is caught by the per-hop literal check, ``localhost`` by the
    connector's GuardedResolver, so both refusal paths are exercised.
    """
    target = f"http://{internal_host}:{servers.internal_port}/secret"
    start = str(servers.public.make_url("/redirect").with_query(to=target))
    message = await _refusal(start, address_policy=only_port(servers.public_port))
    assert message.startswith("Refusing to follow the redirect")
    assert internal_host in message and "loopback" in message
    assert servers.internal_hits == []


@pytest.mark.asyncio
async def test_redirect_is_followed_when_policy_admits_target(servers: Servers) -> None:
    """Control for the test above: the same redirect works once the target is allowed."""
    target = f"http://localhost:{servers.internal_port}/secret"
    start = str(servers.public.make_url("/redirect").with_query(to=target))
    allowed = {servers.public_port, servers.internal_port}
    doc = await fetch_url(start, address_policy=lambda ip, port: port in allowed)
    assert doc.body == b"internal secret"
    assert servers.internal_hits == ["/secret"]


@pytest.mark.asyncio
async def test_redirect_to_other_scheme_is_refused(servers: Servers) -> None:
    start = str(servers.public.make_url("/redirect").with_query(to="file:///etc/passwd"))
    message = await _refusal(start, allow_private=True)
    assert "redirected" in message and "file:" in message


@pytest.mark.asyncio
async def test_too_many_redirects(servers: Servers) -> None:
    message = await _refusal(servers.url("/loop"), allow_private=True)
    assert "more than 5 times" in message


@pytest.mark.asyncio
async def test_caller_session_still_gets_address_check(servers: Servers) -> None:
    """A plain ClientSession has no GuardedResolver; the up-front check still refuses."""
    async with aiohttp.ClientSession() as session:
        url = f"http://localhost:{servers.internal_port}/secret"
        message = await _refusal(url, session=session)
    assert "loopback" in message
    assert servers.internal_hits == []


@pytest.mark.asyncio
async def test_guarded_connector_refuses_at_connect_time(servers: Servers) -> None:
    """The check lives in the connector itself, not only in fetch_url's pre-checks."""
    async with create_session() as session:
        with pytest.raises(aiohttp.ClientConnectorError) as info:
            await session.get(f"http://localhost:{servers.internal_port}/secret")
    assert isinstance(info.value.__cause__, BlockedAddressError)
    assert servers.internal_hits == []


@pytest.mark.asyncio
async def test_guarded_resolver_refuses_if_any_address_is_bad() -> None:
    with pytest.raises(BlockedAddressError):
        await GuardedResolver().resolve("localhost", 80)
    results = await GuardedResolver(lambda ip, port: True).resolve("localhost", 80)
    assert results and all(ipaddress.ip_address(r["host"]).is_loopback for r in results)


def test_address_problem_classification() -> None:
    def problem(text: str) -> str | None:
        return address_problem(ipaddress.ip_address(text))

    assert problem("93.184.216.34") is None
    assert problem("2606:4700:4700::1111") is None
    assert problem("::ffff:8.8.8.8") is None
    assert problem("224.0.0.1") == "a multicast address"
    assert problem("100.64.0.1") is not None
    assert problem("fe80::1") == "a link-local address"
    assert problem("fc00::1") == "a private address"
    assert "loopback" in (problem("::ffff:127.0.0.1") or "")
    assert "loopback" in (problem("2002:7f00:1::") or "")
    assert "private" in (problem("64:ff9b::a00:1") or "")


# ------------------------------------------------------------- URL shape refusals


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://example.com/file.txt", "Only http and https URLs can be added (got ftp:)."),
        ("file:///etc/passwd", "Only http and https URLs can be added (got file:)."),
        ("javascript:alert(1)", "Only http and https URLs can be added (got javascript:)."),
        ("example.com/article", "start the address with https://"),
        ("http:///path", "no host"),
    ],
)
async def test_refuses_bad_url_shapes(url: str, expected: str) -> None:
    assert expected in await _refusal(url)


@pytest.mark.asyncio
async def test_refuses_credentials_without_echoing_them(servers: Servers) -> None:
    url = str(servers.public.make_url("/article").with_user("alice").with_password("hunter2"))
    message = await _refusal(url, allow_private=True)
    assert "username or password" in message
    assert "hunter2" not in message and "alice" not in message


# ------------------------------------------------------------ response refusals


@pytest.mark.asyncio
async def test_timeout_while_waiting_for_headers(servers: Servers) -> None:
    started = time.monotonic()
    message = await _refusal(servers.url("/slow"), timeout=0.5, allow_private=True)
    assert message == f"Timed out after 0.5 s fetching {servers.url('/slow')}."
    assert time.monotonic() - started < 1.5


@pytest.mark.asyncio
async def test_timeout_covers_slow_body(servers: Servers) -> None:
    started = time.monotonic()
    message = await _refusal(servers.url("/trickle"), timeout=0.5, allow_private=True)
    assert message.startswith("Timed out after 0.5 s")
    assert time.monotonic() - started < 1.5


@pytest.mark.asyncio
async def test_oversize_refused_by_content_length(servers: Servers) -> None:
    message = await _refusal(servers.url("/big-declared"), max_bytes=1000, allow_private=True)
    assert "too large (10 kB; the limit is 1 kB)" in message


@pytest.mark.asyncio
async def test_oversize_refused_while_streaming_chunked_body(servers: Servers) -> None:
    message = await _refusal(servers.url("/big-chunked"), max_bytes=5000, allow_private=True)
    assert "larger than the 5 kB limit" in message


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/image.png", "image/png"),
        ("/paper.pdf", "application/pdf"),
        ("/archive.tar.gz", "application/gzip"),
    ],
)
async def test_refuses_unsupported_content_types(
    servers: Servers, path: str, media_type: str
) -> None:
    message = await _refusal(servers.url(path), allow_private=True)
    assert f"is {media_type}, which can't be added" in message


@asynccontextmanager
async def raw_http_server(head: bytes, body_chunks: int, chunk: bytes) -> AsyncIterator[str]:
    """A bare asyncio server for responses aiohttp.web will not produce.

    aiohttp.web always adds a Content-Type and frames the body; this one sends ``head``
    verbatim, then ``body_chunks`` copies of ``chunk``, then closes the connection, so
    the body is delimited only by the close.
    """

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(head)
            for _ in range(body_chunks):
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/page"
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.asyncio
async def test_refuses_missing_content_type() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
    async with raw_http_server(head, 1, b"abc") as url:
        message = await _refusal(url, allow_private=True)
    assert "did not say what type" in message


@pytest.mark.asyncio
async def test_oversize_refused_when_body_is_delimited_by_close() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
    async with raw_http_server(head, 50, b"z" * 1000) as url:
        message = await _refusal(url, max_bytes=5000, allow_private=True)
    assert "larger than the 5 kB limit" in message


@pytest.mark.asyncio
async def test_http_404_names_status_and_hides_query(servers: Servers) -> None:
    url = servers.url("/nowhere?token=s3cret")
    message = await _refusal(url, allow_private=True)
    assert "HTTP 404" in message
    assert "s3cret" not in message
    assert str(URL(url).with_query(None)) in message


@pytest.mark.asyncio
async def test_http_500(servers: Servers) -> None:
    assert "HTTP 500" in await _refusal(servers.url("/error"), allow_private=True)


@pytest.mark.asyncio
async def test_connection_refused(servers: Servers) -> None:
    port = servers.internal_port
    await servers.internal.close()
    message = await _refusal(f"http://127.0.0.1:{port}/", allow_private=True, timeout=2)
    assert message.startswith("Could not connect to 127.0.0.1")


@pytest.mark.asyncio
async def test_invalid_arguments_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        await fetch_url("https://example.com/", timeout=0)
    with pytest.raises(ValueError):
        await fetch_url("https://example.com/", max_bytes=0)
