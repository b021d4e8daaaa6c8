"""The corpus as the handlers see it: ingest, extraction, removal, reindex, queries.

This is the seam between platform-neutral commands and the data layer. It owns the
store and the extractor, keeps CPU work (cleaning, spaCy) off the event loop, and makes
each article land in one transaction with its sentences and facts, so an interrupted
ingest never leaves a half-indexed article.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import clean, segment, sources
from .errors import IngestError, ModelMissingError
from .alias_worker import AliasWorker, ArticleNames
from .extract.claims import ClaimParse, parse_claim
from .language import is_word
from .extract.pipeline import FACTS_VERSION, ExtractionItem, Extractor
from .models import (
    Article,
    ArticleFacts,
    CleanedDocument,
    IngestResult,
    RawDocument,
    SentenceSpan,
    TextSpan,
)
from .boilerplate import looks_like_boilerplate
from .store import DUP_MIN_WORDS, Store, near_duplicate_ratio

log = logging.getLogger(__name__)

SHIPPED_ARTICLES = Path(__file__).resolve().parent / "articles"
ProgressFn = Callable[[IngestResult], None]


@dataclass(slots=True, frozen=True)
class IngestLimits:
    max_file_bytes: int = 5_000_000
    max_url_bytes: int = 5_000_000
    fetch_timeout: float = 15.0
    allow_private_urls: bool = False


@dataclass(slots=True)
class _Prepared:
    raw: RawDocument
    doc: CleanedDocument
    paragraphs: list[TextSpan]
    sentences: list[SentenceSpan]
    hashes: list[int]
    words: list[int]
    content_hash: str


def _prepare(raw: RawDocument) -> _Prepared:
    doc = clean.clean_document(raw)
    paragraphs, sentences = segment.segment(doc.text)
    if not sentences:
        raise IngestError(f"{raw.source}: no sentences found after cleaning.")
    if raw.is_html and not any(not looks_like_boilerplate(s.text) for s in sentences):
        # a page of navigation links, headings or a cookie banner: nothing to brief from.
        # Only for web pages: a short plain-text item (an earnings table of a wire service,
        # "Shr 27 cts vs 29 cts / Revs 104.6 mln vs 110.3 mln") is terse, not furniture.
        raise IngestError(
            f"{raw.source}: no article text found, only headings, links or page furniture "
            f"({sum(len(s.text.split()) for s in sentences)} words)."
        )
    hashes = [segment.sentence_hash(s.text) for s in sentences]
    words = [len(s.text.split()) for s in sentences]
    digest = hashlib.sha256(segment.normalize_for_hash(doc.text).encode("utf-8")).hexdigest()
    return _Prepared(raw, doc, paragraphs, sentences, hashes, words, digest)


def _duplicate_in_batch(p: _Prepared, earlier: list[_Prepared]) -> _Prepared | None:
    """An article earlier in the same batch that ``p`` copies (not yet in the store)."""
    ours = {h for h, w in zip(p.hashes, p.words) if w >= DUP_MIN_WORDS}
    for q in earlier:
        if q.content_hash == p.content_hash:
            return q
        theirs = {h for h, w in zip(q.hashes, q.words) if w >= DUP_MIN_WORDS}
        if len(ours) >= 2 and near_duplicate_ratio(len(ours), len(theirs), len(ours & theirs)) is not None:
            return q
    return None


def _prepare_many(raws: list[RawDocument]) -> list[_Prepared | IngestResult]:
    out: list[_Prepared | IngestResult] = []
    for raw in raws:
        try:
            out.append(_prepare(raw))
        except IngestError as exc:
            out.append(IngestResult(raw.source, "error", exc.message))
    return out


#: Fewer words than this is a headline or a note, not an article to brief from.
MIN_ARTICLE_WORDS = 12
#: One token that names a file: a path with a separator, or a name with a document suffix.
_FILE_PATH = re.compile(
    r"^(?!https?://)(?:[~.]?[/\\]|[A-Za-z]:[/\\])?[^\s]*?(?:[/\\][^\s]*|\.(?:txt|md|html?|jsonl?|gz|csv|xml|pdf|docx?))$",
    re.IGNORECASE,
)

#: Read connections of a long-running bot (see :meth:`Store.add_readers`): one per core here.
READERS = 2


class Corpus:
    """Everything a handler may do with the articles."""

    def __init__(
        self,
        store: Store,
        *,
        extractor: Extractor | None = None,
        limits: IngestLimits | None = None,
        alias_process: bool = False,
    ) -> None:
        self.store = store
        #: Where bulk reads for derived indexes go (:meth:`Store.open_reader`); the main
        #: store until a long-running bot opens one in :meth:`warm`.
        self.reader = store
        self.extractor = extractor
        self.limits = limits or IngestLimits()
        #: The corpus-wide alias groups; in a helper process of their own for a running bot.
        self.aliases = AliasWorker(store.entity_names, process=alias_process)
        self._write_lock = asyncio.Lock()
        #: Bumped on every change to the corpus, so readers can cache derived indexes.
        self.generation = 0
        #: Indexes derived from the corpus, by name: ``(generation built at, value, seconds to build)``.
        self.derived: dict[str, tuple[int, object, float]] = {}
        #: Rebuilds of derived indexes running in the background, by name.
        self.refreshing: dict[str, asyncio.Task[object]] = {}
        #: Held by the background rebuild running now: they take turns.
        self.rebuilding = asyncio.Lock()
        #: When (monotonic) the next background rebuild may start: they are paced.
        self.rebuild_after = 0.0

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        extractor: Extractor | None = None,
        limits: IngestLimits | None = None,
        seed: bool = True,
        alias_process: bool = False,
    ) -> Corpus:
        """Open (or create) the corpus at ``path``.

        ``alias_process`` keeps the alias groups in a helper process (a long-running bot,
        whose event loop should not share the interpreter lock with their regrouping).
        """
        store = await Store.open(path)
        corpus = cls(store, extractor=extractor, limits=limits, alias_process=alias_process)
        if seed:
            await corpus.ensure_seeded()
        return corpus

    async def close(self) -> None:
        self.aliases.close()
        if self.extractor is not None:
            self.extractor.close()
        if self.reader is not self.store:
            await self.reader.close()
        await self.store.close()

    async def __aenter__(self) -> Corpus:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ ingest

    async def parse_claim(self, text: str) -> ClaimParse:
        """The parse of a question or claim (:mod:`corpus.extract.claims`), off the event loop.

        Without the English model the parse is empty and callers match on words alone.
        """
        try:
            return await asyncio.to_thread(parse_claim, text)
        except ModelMissingError:
            return ClaimParse()

    async def warm(self) -> None:
        """Open the read connections and load the English model and word lists in the
        background, so the first question does not wait seconds for them."""
        if self.reader is self.store and self.store.path != ":memory:":
            self.reader = await Store.open_reader(self.store.path)
            await self.store.add_readers(READERS)
        try:
            await asyncio.to_thread(parse_claim, "How many words does a warm model read?")
            await asyncio.to_thread(is_word, "warm")
        except ModelMissingError:
            log.info("no English model: questions are matched on words alone")

    async def ensure_seeded(self) -> list[IngestResult]:
        """Fill an empty database from the articles shipped in ``corpus/articles``."""
        if await self.store.count_articles():
            return []
        log.info("empty database: ingesting the shipped articles from %s", SHIPPED_ARTICLES)
        return await self.ingest_path(SHIPPED_ARTICLES, added_by="briefbot (shipped corpus)")

    async def ingest_path(
        self, path: str | Path, *, added_by: str, progress: ProgressFn | None = None, batch: int = 32
    ) -> list[IngestResult]:
        path = Path(path).expanduser()
        if not path.exists():
            result = IngestResult(str(path), "error", f"{path}: no such file or directory.")
            if progress:
                progress(result)
            return [result]
        items = sources.iter_documents(path, max_bytes=self.limits.max_file_bytes)
        return await self.ingest_documents(items, added_by=added_by, progress=progress, batch=batch)

    async def ingest_text(self, text: str, *, added_by: str, source: str = "pasted") -> IngestResult:
        if not text or not text.strip():
            raise IngestError("There is no text to add: paste an article or give a URL.")
        if len(text.encode("utf-8")) > self.limits.max_file_bytes:
            raise IngestError(
                f"That text is {len(text.encode('utf-8')):,} bytes; the limit is {self.limits.max_file_bytes:,}."
            )
        stripped = text.strip()
        if _FILE_PATH.match(stripped):
            name = stripped[:120]
            raise IngestError(
                f"{name!r} looks like a file path, not an article. To add a file, run "
                f"`briefbot ingest {name}` (in chat, attach or share the file with `add`)."
            )
        words = len(stripped.split())
        if words < MIN_ARTICLE_WORDS:
            raise IngestError(
                f"That text is {words} word{'s' if words != 1 else ''}; an article needs at least "
                f"{MIN_ARTICLE_WORDS}. Paste the whole article, or give its URL."
            )
        raw = sources.document_from_text(text, source=source)
        return (await self.ingest_documents([raw], added_by=added_by))[0]

    async def ingest_bytes(
        self, data: bytes, *, filename: str, added_by: str, content_type: str | None = None
    ) -> list[IngestResult]:
        docs = sources.documents_from_bytes(
            data, source=filename, filename=filename, content_type=content_type, max_bytes=self.limits.max_file_bytes
        )
        return await self.ingest_documents(docs, added_by=added_by)

    async def ingest_url(self, url: str, *, added_by: str) -> list[IngestResult]:
        from .fetch import fetch_url

        fetched = await fetch_url(
            url,
            timeout=self.limits.fetch_timeout,
            max_bytes=self.limits.max_url_bytes,
            allow_private=self.limits.allow_private_urls,
        )
        docs = sources.documents_from_bytes(
            fetched.body,
            source=fetched.final_url,
            filename=fetched.final_url.rsplit("/", 1)[-1] or None,
            content_type=fetched.content_type,
            max_bytes=self.limits.max_url_bytes,
        )
        for d in docs:
            d.meta.setdefault("url", fetched.final_url)
            if not d.meta.get("url"):
                d.meta["url"] = fetched.final_url
        return await self.ingest_documents(docs, added_by=added_by)

    async def ingest_documents(
        self,
        items: Iterable[RawDocument | sources.SourceProblem],
        *,
        added_by: str,
        progress: ProgressFn | None = None,
        batch: int = 32,
    ) -> list[IngestResult]:
        """Clean, dedupe, extract and store documents, batch by batch.

        Problems with single items become ``error`` results and the rest go on. Reading
        the source happens in a worker thread, so a long jsonl.gz or a slow disk never
        holds the event loop.
        """
        results: list[IngestResult] = []

        def report(r: IngestResult) -> None:
            results.append(r)
            if progress:
                progress(r)

        iterator = iter(items)

        def read_and_prepare() -> tuple[bool, list[_Prepared | IngestResult]]:
            out: list[_Prepared | IngestResult] = []
            for _ in range(batch):
                item = next(iterator, None)
                if item is None:
                    return True, out
                if isinstance(item, sources.SourceProblem):
                    out.append(IngestResult(item.source, "error", item.message))
                else:
                    out += _prepare_many([item])
            return False, out

        # A three-stage pipeline: while batch N is written to the store, batch N+1 is in
        # the spaCy workers and batch N+2 is being read and cleaned.
        pending = asyncio.ensure_future(asyncio.to_thread(read_and_prepare))
        in_flight: tuple[list[_Prepared], asyncio.Future] | None = None
        last_written: list[_Prepared] = []
        try:
            while pending is not None:
                exhausted, prepared = await pending
                pending = None if exhausted else asyncio.ensure_future(asyncio.to_thread(read_and_prepare))
                fresh = await self._dedupe(prepared, report)
                started = (fresh, asyncio.ensure_future(self._extract(fresh)))
                if in_flight is not None:
                    last_written = await self._write_batch(*in_flight, added_by, report, last_written)
                in_flight = started
            if in_flight is not None:
                await self._write_batch(*in_flight, added_by, report, last_written)
                in_flight = None
        finally:
            for fut in (pending, in_flight[1] if in_flight else None):
                if fut is not None and not fut.done():
                    fut.cancel()
        return results

    async def _dedupe(self, prepared: list[_Prepared | IngestResult], report: ProgressFn) -> list[_Prepared]:
        """Drop copies of stored articles (and of earlier items in the batch) before extraction."""
        fresh: list[_Prepared] = []
        for p in prepared:
            if isinstance(p, IngestResult):
                report(p)
                continue
            dup = await self.store.find_duplicate(p.content_hash, list(zip(p.hashes, p.words)))
            if dup is not None:
                kind = "a copy" if dup.exact else f"a near-duplicate ({dup.similarity:.0%} of sentences shared)"
                report(
                    IngestResult(
                        p.raw.source,
                        "duplicate",
                        f"Not added: {kind} of article {dup.article_id} “{dup.title}”.",
                        duplicate_of=dup.article_id,
                        title=p.doc.title,
                    )
                )
                continue
            dup_of = _duplicate_in_batch(p, fresh)
            if dup_of is not None:
                report(IngestResult(p.raw.source, "duplicate", f"Not added: same text as {dup_of.raw.source}."))
                continue
            fresh.append(p)
        return fresh

    async def _extract(self, fresh: list[_Prepared]) -> list[ArticleFacts | None]:
        if self.extractor is None or not fresh:
            return [None] * len(fresh)
        return list(await self.extractor.extract([ExtractionItem(p.doc.text, p.doc.published) for p in fresh]))

    async def _write_batch(
        self,
        fresh: list[_Prepared],
        extraction: asyncio.Future,
        added_by: str,
        report: ProgressFn,
        previous: list[_Prepared],
    ) -> list[_Prepared]:
        """Store one extracted batch in one commit (a savepoint per article).

        The batch was deduplicated before the previous one was written, so it is checked
        once more against that previous batch here.
        """
        facts = await extraction
        keep: list[tuple[_Prepared, ArticleFacts | None]] = []
        for p, f in zip(fresh, facts, strict=True):
            dup_of = _duplicate_in_batch(p, previous)
            if dup_of is not None:
                report(IngestResult(p.raw.source, "duplicate", f"Not added: same text as {dup_of.raw.source}."))
            else:
                keep.append((p, f))
        if not keep:
            return []
        async with self._write_lock:
            done: list[IngestResult] = []
            async with self.store.transaction():
                for p, f in keep:
                    done.append(await self._store_one(p, f, added_by))
            self.generation += 1
            for r in done:
                report(r)
            await self._update_aliases([(f, p.doc.text) for p, f in keep if f is not None])
        return [p for p, _ in keep]

    async def _store_one(self, p: _Prepared, facts: ArticleFacts | None, added_by: str) -> IngestResult:
        d = p.doc
        title = d.title or "(untitled)"
        try:
            article_id = await self.store.add_article(
                title=title,
                outlet=d.outlet,
                author=d.author,
                published=d.published,
                published_inferred=d.published_inferred,
                url=d.url,
                source=p.raw.source,
                source_id=p.raw.meta.get("source_id"),
                added_by=added_by,
                content_hash=p.content_hash,
                text=d.text,
                paragraphs=p.paragraphs,
                sentences=p.sentences,
                sentence_hashes=p.hashes,
                facts=facts,
                facts_version=FACTS_VERSION,
                in_transaction=True,
            )
        except sqlite3.IntegrityError:
            return IngestResult(p.raw.source, "duplicate", "Not added: the same text is already indexed.")
        return IngestResult(
            p.raw.source,
            "added",
            f"Added article {article_id}: {title}",
            article_id=article_id,
            title=title,
            figures=len(facts.figures) if facts else 0,
            quotes=len(facts.quotes) if facts else 0,
            outlet=d.outlet,
            published=d.published,
        )

    # ------------------------------------------------------------------ aliases

    async def _update_aliases(self, facts: list[tuple[ArticleFacts, str]]) -> None:
        """Fold new names into the corpus-wide alias groups and persist what changed.

        The article text lets the index link acronyms and short forms to the names they
        stand for in that article ("the Institute for the Study of War (ISW)").
        """
        if not facts:
            return
        # Only writers touch the index, and they hold the write lock.
        changed = await self.aliases.fold([ArticleNames(f.mentions, text, f.roles) for f, text in facts])
        await self.store.upsert_entity_names(changed)
        self.generation += 1

    # ------------------------------------------------------------------ maintenance

    async def remove(self, article_id: int, *, actor: str) -> Article | None:
        async with self._write_lock:
            article = await self.store.get_article(article_id)
            if article is None:
                return None
            await self.store.remove_article(article_id)
            await self.store.record_change(actor, "remove", article_id, article.title)
            self.generation += 1
            return article

    async def reindex(
        self, *, actor: str, only_stale: bool = False, progress: Callable[[int, int], None] | None = None,
        batch: int = 16,
    ) -> int:
        """Re-extract facts for every (or every stale) article, one transaction per article."""
        if self.extractor is None:
            raise IngestError("Reindex needs the fact extractor, which is not enabled.")
        ids = (
            await self.store.stale_article_ids(FACTS_VERSION) if only_stale else await self.store.iter_article_ids()
        )
        done = 0
        for i in range(0, len(ids), batch):
            articles = [a for a in [await self.store.get_article(x) for x in ids[i : i + batch]] if a]
            facts = await self.extractor.extract([ExtractionItem(a.text, a.published) for a in articles])
            async with self._write_lock:
                for a, f in zip(articles, facts, strict=True):
                    await self.store.replace_facts(a.id, f, FACTS_VERSION)
                    done += 1
                    if progress:
                        progress(done, len(ids))
                await self._update_aliases([(f, a.text) for a, f in zip(articles, facts)])
        await self.store.record_change(actor, "reindex", None, f"{done} articles")
        return done

