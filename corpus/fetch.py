"""Fetch an article URL on a user's behalf without letting them reach our own network.

A chat user can paste any URL, so fetching it is a server-side request forgery risk:
``http://169.254.169.254/`` (cloud metadata), ``http://localhost:6379/``, or a public
page that redirects to either. The defences here are layered:

* Every URL, including every redirect target, must be ``http``/``https``, carry no
  credentials and name a host. Redirects are followed by hand so each hop is checked.
* Host names are resolved by :class:`GuardedResolver`, an ``aiohttp`` resolver that
  refuses the lookup if *any* address is not public. Because the connector connects to
  exactly the addresses the resolver returned, the address that was checked is the
  address that is used, which closes the DNS-rebinding gap of "check, then resolve
  again to connect". aiohttp never consults the resolver for literal IP hosts, so
  those are checked in :func:`fetch_url` before each request.
* One deadline covers the whole fetch (all hops and the body), and the body is
  streamed and abandoned once it exceeds ``max_bytes``, whatever Content-Length said.

Which addresses are acceptable is an :data:`AddressPolicy`, a plain
``(ip, port) -> bool`` callable. Production uses :func:`public_only`; tests pass a
policy that admits one loopback port so a local server can play the "public" site.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
from aiohttp import hdrs
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDictProxy
from yarl import URL

from corpus.errors import FetchError

__all__ = [
    "DEFAULT_USER_AGENT",
    "FEED_ACCEPT",
    "FEED_TYPES",
    "MAX_REDIRECTS",
    "AddressPolicy",
    "BlockedAddressError",
    "FetchedDocument",
    "GuardedResolver",
    "IPAddress",
    "address_problem",
    "allow_any",
    "create_session",
    "fetch_url",
    "public_only",
]

logger = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "briefbot/0.1 (+news briefing bot)"
MAX_REDIRECTS = 5

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress, int], bool]
"""Decides whether connecting to ``(ip, port)`` is allowed."""

_ALLOWED_SCHEMES = frozenset({"http", "https"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ACCEPTED_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/markdown",
        "text/x-markdown",
        "application/json",
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonl",
        "application/jsonlines",
        "application/x-jsonlines",
    }
)
#: What an RSS or Atom feed is served as (text/html and text/plain too, by careless servers).
FEED_TYPES = frozenset(
    {
        "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
        "text/xml", "application/feed+json", "text/html", "text/plain",
    }
)
FEED_ACCEPT = "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"
_GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip"})
_ACCEPT_HEADER = (
    "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,"
    "application/json;q=0.8,application/x-ndjson;q=0.8,*/*;q=0.1"
)
_CHUNK_SIZE = 64 * 1024
_NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
_AI_ADDRCONFIG = getattr(socket, "AI_ADDRCONFIG", 0)


# --------------------------------------------------------------------------- policy


def _translated_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv4-mapped or NAT64 address is only a spelling of.

    ``::ffff:127.0.0.1`` reaches 127.0.0.1 on a dual-stack socket, and on an
    IPv6-only network with DNS64 every IPv4-only site resolves to ``64:ff9b::a.b.c.d``,
    so these are judged purely by the IPv4 address inside.
    """
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64_PREFIX:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _tunnelled_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 endpoints a 6to4 or Teredo address routes traffic towards."""
    tunnelled: list[ipaddress.IPv4Address] = []
    if ip.sixtofour is not None:
        tunnelled.append(ip.sixtofour)
    if ip.teredo is not None:
        tunnelled.extend(ip.teredo)
    return tunnelled


def _single_problem(ip: IPAddress) -> str | None:
    """Why one address (without looking inside it) is not public, or ``None``.

    The explicit flags come first because ``is_global`` on older Pythons misses some
    ranges (for instance it calls IPv4 multicast global).
    """
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "not a public address"
    return None


def address_problem(ip: IPAddress) -> str | None:
    """Describe why ``ip`` is not a public internet address, or return ``None``.

    The description ("a loopback address", ...) is worded to follow "X is" in a
    message shown to the user.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        translated = _translated_ipv4(ip)
        if translated is not None:
            problem = _single_problem(translated)
            return None if problem is None else f"{problem} ({translated})"
        for inner in _tunnelled_ipv4(ip):
            problem = _single_problem(inner)
            if problem is not None:
                return f"{problem} ({inner})"
    return _single_problem(ip)


def public_only(ip: IPAddress, port: int) -> bool:
    """The production policy: any port, but only public internet addresses."""
    return address_problem(ip) is None


def allow_any(ip: IPAddress, port: int) -> bool:
    """The ``allow_private=True`` policy: every address is acceptable."""
    return True


def _policy_for(allow_private: bool, address_policy: AddressPolicy | None) -> AddressPolicy:
    """An explicit policy wins; otherwise ``allow_private`` picks one of the two built-ins."""
    if address_policy is not None:
        return address_policy
    return allow_any if allow_private else public_only


class BlockedAddressError(OSError):
    """A host resolved to an address the policy refuses.

    It is an ``OSError`` because aiohttp's connector wraps resolver ``OSError``\\ s in
    ``ClientConnectorDNSError`` (keeping this one as the cause) instead of letting an
    arbitrary exception escape half-way through connection setup.
    """

    def __init__(self, host: str, ip: IPAddress, port: int) -> None:
        self.host = host
        self.ip = ip
        self.port = port
        self.reason = address_problem(ip) or f"not an allowed address (port {port})"
        super().__init__(f"{host} resolves to {ip}, {self.reason}")

    def describe(self) -> str:
        """One clause for a user message, e.g. "localhost is 127.0.0.1, a loopback address"."""
        if self.host == str(self.ip) or _parse_ip(self.host) == self.ip:
            return f"{self.host} is {self.reason}"
        return f"{self.host} resolves to {self.ip}, {self.reason}"


def _parse_ip(host: str) -> IPAddress | None:
    """``host`` as an IP address if it is an IP literal (scope ids allowed), else ``None``."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _check_address(host: str, ip: IPAddress, port: int, policy: AddressPolicy) -> None:
    """Raise :class:`BlockedAddressError` unless ``policy`` admits ``ip:port``."""
    if not policy(ip, port):
        raise BlockedAddressError(host, ip, port)


# ------------------------------------------------------------------------- resolver


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that refuses host names with any non-allowed address.

    Installing it in the connector (see :func:`create_session`) means the check runs
    on the very lookup whose result the connector connects to, for the first request
    and every redirect alike, so a name cannot resolve to a public address when
    checked and to 127.0.0.1 when used.
    """

    def __init__(self, policy: AddressPolicy = public_only) -> None:
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve with ``loop.getaddrinfo`` and refuse if any address fails the policy.

        Refusing the whole name rather than filtering bad addresses out is deliberate:
        a name that points partly at internal hosts is not one we want to talk to.
        """
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, family=family, flags=_AI_ADDRCONFIG
        )
        results: list[ResolveResult] = []
        for info_family, _, proto, _, sockaddr in infos:
            if info_family == socket.AF_INET6:
                if len(sockaddr) < 4:
                    continue
                address, resolved_port = str(sockaddr[0]), int(sockaddr[1])
                scope_id = int(sockaddr[3])
                if scope_id and "%" not in address:
                    address = f"{address}%{scope_id}"
            elif info_family == socket.AF_INET:
                address, resolved_port = str(sockaddr[0]), int(sockaddr[1])
            else:
                continue
            ip = ipaddress.ip_address(address)
            _check_address(host, ip, resolved_port, self._policy)
            results.append(
                ResolveResult(
                    hostname=host,
                    host=address,
                    port=resolved_port,
                    family=info_family,
                    proto=proto,
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        if not results:
            raise socket.gaierror(socket.EAI_NONAME, f"No usable address for {host}")
        return results

    async def close(self) -> None:
        """Nothing to release: lookups go through the event loop's executor."""


def create_session(
    *,
    allow_private: bool = False,
    address_policy: AddressPolicy | None = None,
    user_agent: str = DEFAULT_USER_AGENT,
) -> aiohttp.ClientSession:
    """A ``ClientSession`` whose connections are guarded by :class:`GuardedResolver`.

    Use it to share one connection pool across many :func:`fetch_url` calls without
    losing the connect-time address check. ``trust_env`` stays off: going through an
    environment proxy would make the proxy, not us, choose the address. The caller
    closes the session. Must be called with an event loop running.
    """
    policy = _policy_for(allow_private, address_policy)
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(policy))
    return aiohttp.ClientSession(
        connector=connector,
        headers={"User-Agent": user_agent},
        trust_env=False,
    )


# ---------------------------------------------------------------------------- fetch


@dataclass(frozen=True, slots=True)
class FetchedDocument:
    """The raw result of a successful fetch, ready for content extraction."""

    url: str
    final_url: str
    content_type: str
    charset: str | None
    body: bytes
    status: int = 200  # 304: not modified since the validators sent (body empty)
    etag: str | None = None
    last_modified: str | None = None


def _display(url: URL) -> str:
    """A URL safe to show and log: no credentials, query replaced by "?…", bounded length.

    Query strings of signed or tracking links often carry tokens, so they never reach
    logs or chat replies.
    """
    try:
        shown = url.with_user(None).with_password(None).with_query(None).with_fragment(None)
        text = str(shown)
    except (ValueError, TypeError):
        text = "that URL"
    if url.raw_query_string:
        text += "?…"
    if len(text) > 150:
        text = text[:149] + "…"
    return text


def _one_line(text: str) -> str:
    """Collapse whitespace so a message stays on one line."""
    return " ".join(text.split())


def _human_size(n: int) -> str:
    """Byte counts as people read them: "512 bytes", "40 kB", "5 MB"."""
    if n < 1000:
        return f"{n} bytes"
    if n < 1_000_000:
        return f"{n / 1000:.3g} kB"
    return f"{n / 1_000_000:.3g} MB"


def _url_problem(url: URL) -> str | None:
    """Why ``url`` may not be fetched at all (scheme, credentials, host), or ``None``."""
    scheme = url.scheme.lower()
    if not scheme:
        return "Only http and https URLs can be added; start the address with https://."
    if scheme not in _ALLOWED_SCHEMES:
        return f"Only http and https URLs can be added (got {scheme}:)."
    if url.raw_user is not None or url.raw_password is not None:
        return "URLs containing a username or password can't be added."
    if not url.host:
        return "That URL has no host name."
    return None


def _non_canonical_ipv4(host: str) -> bool:
    """True for numeric hosts like ``2130706433`` or ``127.1`` that are not dotted quads.

    ``getaddrinfo`` maps such spellings onto real addresses, so they are a classic way
    to sneak a loopback address past a naive string check; nobody links to articles
    that way, so they are refused outright.
    """
    digits = host.replace(".", "")
    return digits.isdigit() and _parse_ip(host) is None


async def _preflight(url: URL, policy: AddressPolicy, resolve_names: bool) -> None:
    """Check the host of ``url`` before connecting.

    Literal IPs are always checked here because aiohttp skips the resolver for them.
    Names are resolved and checked here only when the session is the caller's: its
    connector may not use :class:`GuardedResolver`, and an early check is then the
    best available (it cannot close the rebinding gap).
    """
    host = url.host or ""
    port = url.port or 0
    if _non_canonical_ipv4(host):
        raise FetchError(f"{host} is not a normal address; use the site's host name.")
    ip = _parse_ip(host)
    if ip is not None:
        _check_address(host, ip, port, policy)
    elif resolve_names:
        try:
            await GuardedResolver(policy).resolve(host, port, family=socket.AF_UNSPEC)
        except socket.gaierror:
            raise FetchError(f"Could not find the host {host}.") from None


def _find_blocked(exc: BaseException) -> BlockedAddressError | None:
    """The :class:`BlockedAddressError` behind an aiohttp connection error, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, BlockedAddressError):
            return current
        seen.add(id(current))
        os_error = getattr(current, "os_error", None)
        if isinstance(os_error, BlockedAddressError):
            return os_error
        current = current.__cause__ or current.__context__
    return None


def _blocked_message(blocked: BlockedAddressError, url: URL, origin: URL | None) -> str:
    """User message for a refused address, naming the redirect when there was one."""
    if origin is None:
        return f"Refusing to fetch {_display(url)}: {blocked.describe()}, not a public site."
    return (
        f"Refusing to follow the redirect from {_display(origin)} to {_display(url)}: "
        f"{blocked.describe()}, not a public site."
    )


def _client_error_message(exc: aiohttp.ClientError, url: URL) -> str:
    """User message for an aiohttp error that is not a refusal or a timeout."""
    host = url.host or "the server"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"Could not verify the TLS certificate of {host}."
    if isinstance(exc, aiohttp.ClientSSLError):
        return f"Could not set up a secure connection to {host}."
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"Could not find the host {host}."
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.strerror or exc.os_error.__class__.__name__
        return _one_line(f"Could not connect to {host}: {reason}.")
    if isinstance(exc, aiohttp.InvalidURL):
        return f"{_display(url)} is not a valid URL."
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return f"{host} closed the connection before answering."
    if isinstance(exc, aiohttp.ClientPayloadError):
        return f"{host} sent a broken response for {_display(url)}."
    return f"Fetching {_display(url)} failed ({exc.__class__.__name__})."


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _check_content_type(response: aiohttp.ClientResponse, asked: URL, accepted: frozenset[str]) -> str:
    """Return the response's media type, or refuse types we cannot turn into text.

    Gzip is accepted only for ``.jsonl.gz`` paths (asked-for or final), the one
    compressed format the ingest layer reads.
    """
    if hdrs.CONTENT_TYPE not in response.headers:
        raise FetchError(f"{_display(response.url)} did not say what type of content it is.")
    content_type = response.content_type.lower()
    if content_type in accepted:
        return content_type
    if content_type in _GZIP_TYPES and any(
        u.path.lower().endswith(".jsonl.gz") for u in (asked, response.url)
    ):
        return content_type
    raise FetchError(
        f"{_display(response.url)} is {content_type}, which can't be added; "
        "only web pages, plain text, Markdown and JSON/JSON Lines are supported."
    )


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """Read the body, refusing early by Content-Length and while streaming.

    Content-Length can be absent (chunked) or describe the compressed size, so the
    running total of decoded bytes is what is really enforced.
    """
    limit = _human_size(max_bytes)
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise FetchError(
            f"{_display(response.url)} is too large ({_human_size(declared)}; "
            f"the limit is {limit})."
        )
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(_CHUNK_SIZE):
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"{_display(response.url)} is larger than the {limit} limit.")
        chunks.append(chunk)
    return b"".join(chunks)


async def _fetch_with(
    session: aiohttp.ClientSession,
    start: URL,
    *,
    policy: AddressPolicy,
    preflight_names: bool,
    timeout: float,
    max_bytes: int,
    user_agent: str,
    extra_headers: Mapping[str, str] | None = None,
    accepted: frozenset[str] = _ACCEPTED_TYPES,
) -> tuple[URL, str, str | None, bytes, int, CIMultiDictProxy[str] | None]:
    """Follow up to :data:`MAX_REDIRECTS` redirects by hand and read the final body."""
    headers = {"User-Agent": user_agent, "Accept": _ACCEPT_HEADER, **(extra_headers or {})}
    request_timeout = aiohttp.ClientTimeout(total=timeout)
    current = start
    origin: URL | None = None
    for _hop in range(MAX_REDIRECTS + 1):
        if origin is not None:
            problem = _url_problem(current)
            if problem is not None:
                raise FetchError(
                    f"{_display(origin)} redirected to a URL that can't be followed. {problem}"
                )
        try:
            await _preflight(current, policy, preflight_names)
            async with session.get(
                current,
                allow_redirects=False,
                headers=headers,
                timeout=request_timeout,
            ) as response:
                if response.status in _REDIRECT_STATUSES:
                    location = response.headers.get(hdrs.LOCATION)
                    if not location:
                        raise FetchError(
                            f"{_display(current)} redirected without saying where to."
                        )
                    try:
                        target = current.join(URL(location))
                    except ValueError:
                        raise FetchError(
                            f"{_display(current)} redirected to an invalid URL."
                        ) from None
                    logger.debug("Redirect %s -> %s", _display(current), _display(target))
                    origin, current = current, target
                    continue
                if response.status == 304:  # the validators we sent still hold
                    return current, "", None, b"", 304, response.headers
                if not 200 <= response.status < 300:
                    reason = f" ({response.reason})" if response.reason else ""
                    raise FetchError(
                        f"{_display(current)} answered HTTP {response.status}{reason}.",
                        status=response.status,
                        retry_after=_retry_after(response.headers.get(hdrs.RETRY_AFTER)),
                    )
                content_type = _check_content_type(response, start, accepted)
                body = await _read_capped(response, max_bytes)
                return current, content_type, response.charset, body, response.status, response.headers
        except TimeoutError:
            raise
        except BlockedAddressError as exc:
            raise FetchError(_blocked_message(exc, current, origin)) from None
        except aiohttp.ClientError as exc:
            blocked = _find_blocked(exc)
            if blocked is not None:
                raise FetchError(_blocked_message(blocked, current, origin)) from None
            raise FetchError(_client_error_message(exc, current)) from exc
    raise FetchError(
        f"{_display(start)} redirected more than {MAX_REDIRECTS} times; giving up."
    )


async def fetch_url(
    url: str,
    *,
    timeout: float = 15.0,
    max_bytes: int = 5_000_000,
    allow_private: bool = False,
    user_agent: str = DEFAULT_USER_AGENT,
    session: aiohttp.ClientSession | None = None,
    address_policy: AddressPolicy | None = None,
    headers: Mapping[str, str] | None = None,
    accepted_types: frozenset[str] | None = None,
) -> FetchedDocument:
    """Fetch ``url`` for ingestion, refusing anything unsafe or unusable.

    ``headers`` are sent besides ours (a feed poll's ``If-None-Match`` and
    ``If-Modified-Since``: a 304 answer comes back as a document with ``status`` 304 and no
    body); ``accepted_types`` replaces the media types accepted (:data:`FEED_TYPES`).

    Every refusal or failure is a :class:`~corpus.errors.FetchError` whose message is
    one line fit to show the user. ``timeout`` bounds the whole fetch, redirects and
    body included.

    ``allow_private=True`` admits every address (for local testing and trusted
    deployments). ``address_policy`` replaces both built-in policies when given; it is
    how tests admit a single loopback port while everything else stays refused.

    Without ``session`` a private one with :class:`GuardedResolver` is created and
    closed. With a caller's ``session`` its connection pool is reused; host names are
    then also resolved and checked up front, but only a session from
    :func:`create_session` checks the address actually connected to.
    """
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    asked = url.strip()
    try:
        start = URL(asked)
    except (ValueError, TypeError):
        raise FetchError("That doesn't look like a valid URL.") from None
    problem = _url_problem(start)
    if problem is not None:
        logger.info("Refused URL: %s", problem)
        raise FetchError(problem)

    policy = _policy_for(allow_private, address_policy)
    logger.debug("Fetching %s", _display(start))
    try:
        async with asyncio.timeout(timeout):
            if session is None:
                async with create_session(address_policy=policy, user_agent=user_agent) as own:
                    final, content_type, charset, body, status, got = await _fetch_with(
                        own,
                        start,
                        policy=policy,
                        preflight_names=False,
                        timeout=timeout,
                        max_bytes=max_bytes,
                        user_agent=user_agent,
                        extra_headers=headers,
                        accepted=accepted_types or _ACCEPTED_TYPES,
                    )
            else:
                final, content_type, charset, body, status, got = await _fetch_with(
                    session,
                    start,
                    policy=policy,
                    preflight_names=True,
                    timeout=timeout,
                    max_bytes=max_bytes,
                    user_agent=user_agent,
                    extra_headers=headers,
                    accepted=accepted_types or _ACCEPTED_TYPES,
                )
    except TimeoutError:
        logger.info("Timed out fetching %s", _display(start))
        raise FetchError(f"Timed out after {timeout:g} s fetching {_display(start)}.") from None
    except FetchError as exc:
        logger.info("Fetch refused or failed: %s", exc.message)
        raise
    logger.debug("Fetched %s (%s, %d bytes)", _display(final), content_type, len(body))
    return FetchedDocument(
        url=asked,
        final_url=str(final),
        content_type=content_type,
        charset=charset,
        body=body,
        status=status,
        etag=got.get(hdrs.ETAG) if got is not None else None,
        last_modified=got.get(hdrs.LAST_MODIFIED) if got is not None else None,
    )
