"""RSS and Atom feeds that keep the corpus current.

A poll fetches the feed through the safe fetcher (private addresses refused on every hop,
size and time limits) with the validators of the last poll, so an unchanged feed costs a
304. Each new item's page is fetched and extracted like any added URL; when the page cannot
be fetched or holds no article, the item's own content or summary stands in. Items are
recognised by their id in the feed, then by canonical URL (tracking parameters stripped),
then by the content-hash duplicate check of every ingest, so an item lands once however many
feeds carry it and whatever crashed mid-poll.

Why feedparser: it reads RSS 0.9x/1.0/2.0 and Atom, normalises dates, and still returns the
items of a feed whose XML is broken (its "bozo" mode), which hand-written parsing would not.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import logging
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import sources
from .errors import CorpusError, FetchError, IngestError
from .language import content_norms
from .models import Feed, IngestResult, RawDocument
from .store import stamp

if TYPE_CHECKING:  # aiohttp is imported when a feed is fetched, not to list feeds
    from .fetch import AddressPolicy, FetchedDocument

log = logging.getLogger(__name__)

#: Polling interval of a new feed, and the shortest one allowed (seconds).
DEFAULT_INTERVAL = 15 * 60
MIN_INTERVAL = 5 * 60
#: The first poll of a feed takes only its newest items, not its whole archive.
FIRST_POLL_ITEMS = 10
#: After this long failing, a feed is shown as failing (and logged once as such).
FAILING_AFTER = timedelta(hours=24)
#: Backoff after failures: interval x 2^failures, at most this, with +-20 % jitter.
MAX_BACKOFF = timedelta(hours=6)
#: A feed body larger than this is refused (feeds are small; a big one is not a feed).
MAX_FEED_BYTES = 5_000_000
USER_AGENT = "briefbot/0.1 feed reader (+a news briefing bot; polls at most every 5 minutes)"

#: Query parameters that only track where a click came from.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ocid|cmpid|ncid|smid|taid|"
    r"at_medium|at_campaign|at_custom\d|guccounter|guce_referrer\w*|ref_src|src|CMP|feature|rss|"
    r"partner|icid|ito|mbid|soc_src|soc_trk)$",
    re.I,
)


def canonical_url(url: str) -> str:
    """The URL an item is known by: scheme and host lower-cased, tracking parameters, the
    fragment, a default port and a trailing slash dropped, remaining parameters sorted."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    if parts.port and not (parts.scheme == "http" and parts.port == 80 or parts.scheme == "https" and parts.port == 443):
        host = f"{host}:{parts.port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))


@dataclass(slots=True)
class FeedEntry:
    """One item of a parsed feed."""

    guid: str
    url: str | None
    title: str
    summary: str  # the item's content or summary, as HTML or text
    author: str | None
    published: datetime | None


@dataclass(slots=True)
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry]


def parse_feed(body: bytes) -> ParsedFeed:
    """Items of an RSS/Atom document, newest first; CPU work, run it in a thread.

    A feed whose XML is broken still gives the items feedparser could read; a document with
    no feed in it at all raises :class:`IngestError`.
    """
    import feedparser

    parsed = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=True)
    title = parsed.feed.get("title") or None
    if not parsed.entries and not title:
        reason = getattr(parsed.get("bozo_exception"), "getMessage", lambda: "")() or "no RSS or Atom in it"
        raise IngestError(f"That is not a feed ({reason}).")
    entries: list[FeedEntry] = []
    for e in parsed.entries:
        link = e.get("link") or None
        content = ""
        if e.get("content"):
            content = max((c.get("value") or "" for c in e.content), key=len)
        summary = content if len(content) > len(e.get("summary") or "") else (e.get("summary") or "")
        when = e.get("published_parsed") or e.get("updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(when), UTC) if when else None
        guid = e.get("id") or link or hashlib.sha256(
            f"{e.get('title', '')}\n{summary}".encode()
        ).hexdigest()
        entries.append(FeedEntry(str(guid)[:1000], link, (e.get("title") or "").strip(), summary,
                                 e.get("author") or None, published))
    # newest first; undated items after the dated ones, in the feed's own order
    order = sorted(
        range(len(entries)),
        key=lambda i: (entries[i].published is None, -entries[i].published.timestamp() if entries[i].published else 0, i),
    )
    return ParsedFeed(title, [entries[i] for i in order])


def matches_topic(topic: str, *texts: str) -> bool:
    """Whether every content word of ``topic`` (stemmed as everywhere else) is in the texts."""
    wanted = set(content_norms(topic))
    if not wanted:
        return True
    have: set[str] = set()
    for text in texts:
        have.update(content_norms(text))
    return wanted <= have


@dataclass(slots=True)
class PollReport:
    """What one poll of one feed found and did."""

    feed_id: int
    ok: bool
    not_modified: bool = False
    found: int = 0  # items in the feed
    new: int = 0  # items not seen before
    added: list[IngestResult] = field(default_factory=list)
    duplicates: int = 0
    skipped_topic: int = 0
    skipped_old: int = 0  # beyond the newest items on a first poll
    errors: list[str] = field(default_factory=list)
    message: str = ""
    next_poll_at: str = ""

    def line(self) -> str:
        if not self.ok:
            return f"feed #{self.feed_id}: failed: {self.message}"
        if self.not_modified:
            return f"feed #{self.feed_id}: not modified since the last poll"
        parts = [f"{self.found} items", f"{self.new} new", f"{len(self.added)} added"]
        if self.duplicates:
            parts.append(f"{self.duplicates} already indexed")
        if self.skipped_topic:
            parts.append(f"{self.skipped_topic} off topic")
        if self.skipped_old:
            parts.append(f"{self.skipped_old} older ones skipped on the first poll")
        if self.errors:
            parts.append(f"{len(self.errors)} could not be read")
        return f"feed #{self.feed_id}: " + ", ".join(parts)


#: How a poll stores articles: the corpus's ingest (so facts are extracted and digests fire).
IngestFn = Callable[[list[RawDocument], str], Awaitable[list[IngestResult]]]


class FeedPoller:
    """Polls feeds: one at a time per host, two feeds at once, each on its own schedule.

    Two, because items queue for the one extraction worker anyway: more feeds at once add
    threads cleaning pages without adding throughput (``bench/feeds.py``, 200 feeds x 20
    items: 8 at once 8.4 items/s, 2 at once 7.6 items/s, the same loop stalls).

    ``run()`` is the scheduler of a running bot; ``poll()`` polls one feed now (``feed
    check``, ``briefbot feeds poll``).
    """

    def __init__(
        self,
        corpus: Any,
        *,
        interval: int = DEFAULT_INTERVAL,
        first_items: int = FIRST_POLL_ITEMS,
        concurrency: int = 2,
        address_policy: AddressPolicy | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
    ) -> None:
        self.corpus = corpus
        self.interval = max(int(interval), MIN_INTERVAL)  # for new feeds
        self.first_items = first_items
        self.address_policy = address_policy
        self.clock = clock
        self.rng = rng or random.Random()
        self._hosts: dict[str, asyncio.Lock] = {}
        self._slots = asyncio.Semaphore(concurrency)
        self._polling: set[int] = set()
        self._warned_failing: set[int] = set()

    # ------------------------------------------------------------------ fetching

    def _host_lock(self, url: str) -> asyncio.Lock:
        host = (urlsplit(url).hostname or "").lower()
        return self._hosts.setdefault(host, asyncio.Lock())

    async def fetch(self, url: str, **options: Any) -> FetchedDocument:
        from .fetch import fetch_url

        limits = self.corpus.limits
        async with self._host_lock(url):  # one request at a time per host: be a polite reader
            return await fetch_url(
                url,
                timeout=limits.fetch_timeout,
                allow_private=limits.allow_private_urls,
                user_agent=USER_AGENT,
                address_policy=self.address_policy,
                **options,
            )

    async def fetch_feed(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchedDocument:
        """A feed document, conditional on the validators of the last poll (304: unchanged)."""
        from .fetch import FEED_ACCEPT, FEED_TYPES

        headers = {"Accept": FEED_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self.fetch(url, max_bytes=MAX_FEED_BYTES, headers=headers, accepted_types=FEED_TYPES)

    # ------------------------------------------------------------------ scheduling

    def _backoff(self, feed: Feed, retry_after: float | None) -> datetime:
        failures = feed.failures + 1
        delay = min(timedelta(seconds=feed.interval_seconds * 2 ** failures), MAX_BACKOFF)
        delay *= self.rng.uniform(0.8, 1.2)
        if retry_after is not None:
            delay = max(delay, timedelta(seconds=min(retry_after, MAX_BACKOFF.total_seconds())))
        return self.clock() + delay

    def _next(self, feed: Feed) -> datetime:
        return self.clock() + timedelta(seconds=feed.interval_seconds) * self.rng.uniform(0.95, 1.05)

    async def run(self, *, tick: float = 30.0, stop: asyncio.Event | None = None) -> None:
        """Poll due feeds until cancelled (or ``stop`` is set), checking every ``tick`` s."""
        stop = stop or asyncio.Event()
        tasks: set[asyncio.Task[PollReport]] = set()
        try:
            while not stop.is_set():
                try:
                    for feed in await self.corpus.store.due_feeds(stamp(self.clock())):
                        if feed.id not in self._polling:
                            task = asyncio.create_task(self.poll(feed))
                            tasks.add(task)
                            task.add_done_callback(tasks.discard)
                except Exception:
                    log.exception("looking for due feeds failed; trying again in %.0f s", tick)
                try:
                    await asyncio.wait_for(stop.wait(), tick)
                except TimeoutError:
                    pass
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def poll_due(self) -> list[PollReport]:
        """Poll every feed that is due now, once (``briefbot feeds poll --once``)."""
        due = await self.corpus.store.due_feeds(stamp(self.clock()))
        return list(await asyncio.gather(*(self.poll(f) for f in due)))

    # ------------------------------------------------------------------ one poll

    async def poll(self, feed: Feed) -> PollReport:
        """Poll one feed now, ingest its new items, and schedule its next poll."""
        if feed.id in self._polling:
            return PollReport(feed.id, False, message="a poll of this feed is already running")
        self._polling.add(feed.id)
        try:
            async with self._slots:
                return await self._poll(feed)
        finally:
            self._polling.discard(feed.id)

    async def _poll(self, feed: Feed) -> PollReport:
        store = self.corpus.store
        report = PollReport(feed.id, True)
        try:
            fetched = await self.fetch_feed(feed.url, etag=feed.etag, last_modified=feed.last_modified)
            if fetched.status == 304:
                report.not_modified = True
                parsed = None
            else:
                parsed = await asyncio.to_thread(parse_feed, fetched.body)
        except CorpusError as exc:
            retry_after = exc.retry_after if isinstance(exc, FetchError) else None
            nxt = self._backoff(feed, retry_after)
            await store.feed_failed(feed.id, error=exc.message, next_poll_at=stamp(nxt))
            self._log_failure(feed, exc.message)
            return PollReport(feed.id, False, message=exc.message, next_poll_at=stamp(nxt))
        if parsed is not None:
            await self._take_items(feed, parsed, report)
        nxt = stamp(self._next(feed))
        await store.feed_polled(
            feed.id, etag=fetched.etag, last_modified=fetched.last_modified,
            title=parsed.title if parsed else None, next_poll_at=nxt,
        )
        if feed.failing_since:
            log.info("feed #%d works again", feed.id)
            self._warned_failing.discard(feed.id)
        report.next_poll_at = nxt
        log.info("%s", report.line())
        return report

    def _log_failure(self, feed: Feed, message: str) -> None:
        since = datetime.fromisoformat(feed.failing_since) if feed.failing_since else self.clock()
        if self.clock() - since >= FAILING_AFTER and feed.id not in self._warned_failing:
            self._warned_failing.add(feed.id)
            log.warning("feed #%d (%s) has been failing for over %s: %s", feed.id, feed.url,
                        _hours(FAILING_AFTER), message)
        else:
            log.info("feed #%d failed: %s", feed.id, message)

    async def _take_items(self, feed: Feed, parsed: ParsedFeed, report: PollReport) -> None:
        store = self.corpus.store
        report.found = len(parsed.entries)
        seen = await store.seen_feed_items(feed.id, [e.guid for e in parsed.entries])
        fresh = [e for e in parsed.entries if e.guid not in seen]
        # one item listed twice in the same feed counts once
        unique: dict[str, FeedEntry] = {}
        for e in fresh:
            unique.setdefault(e.guid, e)
        fresh = list(unique.values())
        report.new = len(fresh)
        outlet = parsed.title or feed.title
        for rank, entry in enumerate(fresh):
            url = canonical_url(entry.url) if entry.url else None
            if not feed.polled and rank >= self.first_items:
                report.skipped_old += 1
                await store.record_feed_item(feed.id, guid=entry.guid, url=url, article_id=None,
                                             outcome="skipped: older than the first poll", ingested=False)
                continue
            if url is not None:
                existing = await store.article_for_url(url)
                if existing is not None:
                    report.duplicates += 1
                    await store.record_feed_item(feed.id, guid=entry.guid, url=url, article_id=existing,
                                                 outcome="duplicate", ingested=False)
                    continue
            summary_text = _text_of(entry.summary)
            doc = await self._document(entry, url, outlet, summary_text)
            if feed.topic and not matches_topic(feed.topic, entry.title, summary_text, doc.text if doc else ""):
                report.skipped_topic += 1
                await store.record_feed_item(feed.id, guid=entry.guid, url=url, article_id=None,
                                             outcome="skipped: off topic", ingested=False)
                continue
            if doc is None:
                report.errors.append(f"{entry.title or entry.guid}: no text in the item or its page")
                await store.record_feed_item(feed.id, guid=entry.guid, url=url, article_id=None,
                                             outcome="error: no text", ingested=False)
                continue
            [result] = await self.corpus.ingest_documents([doc], added_by=f"feed:{feed.id}")
            if result.status == "added":
                report.added.append(result)
            elif result.status == "duplicate":
                report.duplicates += 1
            else:
                report.errors.append(result.message)
            await store.record_feed_item(
                feed.id, guid=entry.guid, url=url, article_id=result.article_id or result.duplicate_of,
                outcome=result.status, ingested=result.status == "added",
            )

    async def _document(self, entry: FeedEntry, url: str | None, outlet: str | None, summary: str) -> RawDocument | None:
        """The item's article: its page extracted, else the item's own content or summary."""
        meta: dict[str, str | None] = {"title": entry.title or None, "outlet": outlet, "author": entry.author,
                                       "date": entry.published.isoformat() if entry.published else None,
                                       "url": url}
        doc: RawDocument | None = None
        if entry.url:
            try:
                fetched = await self.fetch(entry.url, max_bytes=self.corpus.limits.max_url_bytes)
                docs = await asyncio.to_thread(
                    sources.documents_from_bytes, fetched.body, source=fetched.final_url,
                    filename=urlsplit(fetched.final_url).path.rsplit("/", 1)[-1] or None,
                    content_type=fetched.content_type, max_bytes=self.corpus.limits.max_url_bytes,
                )
                doc = docs[0] if len(docs) == 1 and len(docs[0].text.split()) >= len(summary.split()) else None
            except CorpusError as exc:
                log.info("feed item page %s could not be used (%s); taking the item's own text", url, exc.message)
        if doc is None:
            if len(summary.split()) < 12:
                return None
            doc = RawDocument(text=sources.normalize_text(summary), source=url or entry.guid, meta={})
        for key, value in meta.items():
            # the feed's own URL and outlet name win; the page may fill in what the item lacks
            if value and (key in ("url", "outlet") or not doc.meta.get(key)):
                doc.meta[key] = value
        return doc


def _text_of(html_or_text: str) -> str:
    """Plain text of an item's summary or content (feeds carry HTML there)."""
    if "<" not in html_or_text:
        return html_or_text.strip()
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(f"<div>{html_or_text}</div>")
    except Exception:  # lxml raises ParserError/ValueError on junk markup
        return re.sub(r"<[^>]+>", " ", html_or_text).strip()
    for block in root.xpath("//p|//br|//li|//div"):
        block.tail = "\n" + (block.tail or "")
    return re.sub(r"[ \t]+", " ", root.text_content()).strip()


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:g} hours"
