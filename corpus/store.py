"""The SQLite store: the only module in the project that speaks SQL.

One function (:func:`connect`) prepares every connection, migrations are numbered SQL
files applied in a transaction and recorded in the database itself, every piece of user
text is a bound parameter, and FTS5 input goes through :func:`escape_fts`. Callers get
dataclasses from :mod:`corpus.models`, never rows.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import contextvars
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from .language import STOP_WORDS
from .models import (
    Article,
    ArticleFacts,
    ArticleSummary,
    Change,
    DatedEvent,
    DuplicateMatch,
    EntityInfo,
    EventHit,
    Feed,
    Figure,
    FigureHit,
    Mention,
    Quote,
    QuoteHit,
    SentenceHit,
    SentenceSpan,
    Subscription,
    TextSpan,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
#: Sentences shorter than this (in words) are too generic to signal a duplicate.
DUP_MIN_WORDS = 5


#: Set while a task is inside :meth:`Store.transaction`: its reads go to the writing connection.
_IN_WRITE: contextvars.ContextVar[bool] = contextvars.ContextVar("store_in_write", default=False)


def utcnow() -> str:
    """UTC timestamp with fixed-width microseconds, so string order is time order."""
    return stamp(datetime.now(UTC))


def stamp(moment: datetime) -> str:
    """A UTC time in the one stored form (see :func:`utcnow`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


_FTS_WORD = re.compile(r"\w+", re.UNICODE)


_FTS_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


def _ranks(word: str) -> bool:
    """Whether a word is worth a term in an OR query (see :func:`escape_fts`). A single letter
    or digit names nothing and is in a fifth of all figures' sentences ("1")."""
    if len(word) < 2:
        return False
    if word.isupper():
        return word not in _FTS_OPERATORS
    return word.lower() not in STOP_WORDS


def _first_value(cursor: sqlite3.Cursor, row: tuple) -> Any:
    return row[0]


def escape_fts(query: str, *, any_term: bool = False) -> str:
    """Turn arbitrary user text into a safe FTS5 query.

    Every word becomes a quoted string, so FTS syntax in the input (``NEAR``, ``*``,
    ``"``, ``:``, ``-``) is searched for literally instead of raising a syntax error.
    With ``any_term`` the words are OR-ed, which ranks partial matches instead of
    demanding all of them.
    """
    words = _FTS_WORD.findall(query)
    if not words:
        return ""
    if any_term:
        # In an OR query a stop word adds nothing to the ranking (it is in every other
        # sentence) but makes bm25 score every sentence holding it: "of" alone matches half the
        # index. Repeats add nothing either. Both go, unless nothing else is left. A word in
        # capitals is an acronym ("US", "WHO") and stays, except FTS5's own operators.
        first: dict[str, str] = {}
        for w in words:
            first.setdefault(w.lower(), w)
        kept = list(first.values())
        words = [w for w in kept if _ranks(w)] or kept
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    return (" OR " if any_term else " ").join(quoted)


def near_duplicate_ratio(ours: int, theirs: int, shared: int) -> float | None:
    """Share of sentences two articles have in common, or None if not near-duplicates.

    Near-duplicates share almost all substantive sentences: at most one differs on
    either side (one edited sentence), or at least 80% are shared both ways.
    """
    if ours <= 0 or theirs <= 0:
        return None
    differing = max(ours - shared, theirs - shared)
    ratio = shared / max(ours, theirs)
    return ratio if (shared >= 2 and differing <= 1) or ratio >= 0.8 else None


def _migrations() -> list[tuple[int, str, str]]:
    out = []
    for entry in resources.files("corpus.migrations").iterdir():
        m = re.match(r"(\d{4})_(\w+)\.sql$", entry.name)
        if m:
            out.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(out)


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        if not buf and line.lstrip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


async def connect(path: str | Path) -> aiosqlite.Connection:
    """Open and prepare a connection: the one place connection settings live.

    WAL lets readers work while an ingest writes; foreign keys make removing an article
    remove everything derived from it; the busy timeout turns brief lock contention into
    a wait instead of an error. Autocommit mode, so transactions are always explicit.
    """
    if str(path) != ":memory:":
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = sqlite3.Row
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA foreign_keys=ON")
    await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA synchronous=NORMAL")
    return conn


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply pending migrations, each in its own transaction; return the schema version."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    async with conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations") as cur:
        current = (await cur.fetchone())[0]
    for version, name, script in _migrations():
        if version <= current:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(script):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, utcnow()),
            )
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        log.info("applied migration %04d_%s", version, name)
        current = version
    return current


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        outlet=row["outlet"],
        author=row["author"],
        published=row["published"],
        published_inferred=bool(row["published_inferred"]),
        url=row["url"],
        source=row["source"],
        source_id=row["source_id"],
        added_by=row["added_by"],
        added_at=row["added_at"],
        content_hash=row["content_hash"],
        text=row["text"],
        word_count=row["word_count"],
    )


_SUMMARY_COLS = "id, title, outlet, author, published, published_inferred, url, added_by, added_at, word_count"


def _summary(row: sqlite3.Row) -> ArticleSummary:
    return ArticleSummary(
        row["id"],
        row["title"],
        row["outlet"],
        row["author"],
        row["published"],
        bool(row["published_inferred"]),
        row["url"],
        row["added_by"],
        row["added_at"],
        row["word_count"],
    )


_HIT_COLS = (
    "s.id AS sid, s.article_id, s.idx, s.start, s.end, s.text, "
    "a.title, a.outlet, a.published, a.url"
)


def _hit(row: sqlite3.Row, score: float = 0.0) -> SentenceHit:
    return SentenceHit(
        sentence_id=row["sid"],
        article_id=row["article_id"],
        index=row["idx"],
        start=row["start"],
        end=row["end"],
        text=row["text"],
        title=row["title"],
        outlet=row["outlet"],
        published=row["published"],
        url=row["url"],
        score=score,
    )


class Store:
    """Named queries over one prepared connection.

    aiosqlite serialises calls on the connection's thread, so one connection is both the
    single writer and the reader; write methods wrap their work in ``BEGIN IMMEDIATE`` so
    an article and everything derived from it land together or not at all.
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        #: Extra read-only connections (:meth:`add_readers`) that reads outside a write
        #: transaction take turns on; empty means every query shares ``conn``.
        self._readers: list[aiosqlite.Connection] = []
        self._turn = 0
        # Every task shares this connection, so a write must not slip into another
        # task's open transaction (and be rolled back with it): writes take this lock.
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        conn = await connect(path)
        try:
            await migrate(conn)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, str(path))

    @classmethod
    async def open_reader(cls, path: str | Path) -> Store:
        """A second, read-only connection to an open database, for bulk reads (rebuilding the
        derived indexes: every name, a sample of 20k sentences) that would otherwise queue
        every member's query behind them on the one shared connection. WAL lets it read
        while the main connection writes."""
        conn = await connect(path)
        await conn.execute("PRAGMA query_only=1")
        return cls(conn, str(path))

    async def add_readers(self, n: int) -> None:
        """Open ``n`` read-only connections for reads outside write transactions.

        One connection runs one query at a time, on its own thread: a busy bot's members
        queue behind each other's searches there even with idle cores. SQLite in WAL mode
        lets several connections read at once (and while the writer writes), and releases
        the GIL while it searches, so the reads spread over the cores.
        """
        if self.path == ":memory:":
            return
        for _ in range(n):
            conn = await connect(self.path)
            await conn.execute("PRAGMA query_only=1")
            self._readers.append(conn)

    def _read_conn(self) -> aiosqlite.Connection:
        if not self._readers or _IN_WRITE.get():
            return self.conn  # a write transaction reads what it has written so far
        self._turn = (self._turn + 1) % len(self._readers)
        return self._readers[self._turn]

    async def close(self) -> None:
        for reader in self._readers:
            await reader.close()
        self._readers.clear()
        await self.conn.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ helpers

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        async with self._read_conn().execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _bulk(self, sql: str, params: Sequence[Any] = (), *, first: bool = False) -> list[Any]:
        """Many rows as plain tuples (``first``: each row's first value), made on the
        connection's own thread. Converting 45k rows afterwards ran on the event loop and held
        it for 100-175 ms while a busy bot rebuilt its name index."""
        async with self._read_conn().execute(sql, params) as cur:
            cur.row_factory = _first_value if first else None
            return list(await cur.fetchall())

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        async with self._read_conn().execute(sql, params) as cur:
            return await cur.fetchone()

    async def schema_version(self) -> int:
        row = await self._one("SELECT coalesce(max(version), 0) FROM schema_migrations")
        return row[0]

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One write transaction: everything inside lands together or not at all."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            token = _IN_WRITE.set(True)  # this task's reads see its own uncommitted writes
            try:
                yield
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            finally:
                _IN_WRITE.reset(token)
            await self.conn.execute("COMMIT")

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Cursor:
        """A single-statement write, serialised with transactions."""
        async with self._write_lock:
            return await self.conn.execute(sql, params)

    # ------------------------------------------------------------------ articles

    async def count_articles(self) -> int:
        return (await self._one("SELECT count(*) FROM articles"))[0]

    async def find_duplicate(
        self, content_hash: str, sentence_hashes: Sequence[tuple[int, int]]
    ) -> DuplicateMatch | None:
        """Find an article that is the same as, or nearly the same as, a new one.

        Exact: the same normalised content hash. Near: the two articles share almost all
        their substantive sentences (by normalised-sentence hash): at most one sentence
        differs on either side, or at least 80% are shared both ways. ``sentence_hashes``
        are ``(hash, word_count)`` pairs of the new article.
        """
        row = await self._one("SELECT id, title FROM articles WHERE content_hash = ?", (content_hash,))
        if row:
            return DuplicateMatch(row["id"], row["title"], True, 1.0)
        hashes = sorted({h for h, words in sentence_hashes if words >= DUP_MIN_WORDS})
        if len(hashes) < 2:
            return None
        best: DuplicateMatch | None = None
        for chunk_start in range(0, len(hashes), 500):
            chunk = hashes[chunk_start : chunk_start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self._all(
                f"SELECT s.article_id, count(DISTINCT s.norm_hash) AS shared, a.title, a.dup_sentences"
                f" FROM (SELECT article_id, norm_hash FROM sentences WHERE norm_hash IN ({marks})) s"
                f" JOIN articles a ON a.id = s.article_id GROUP BY s.article_id ORDER BY shared DESC LIMIT 3",
                chunk,
            )
            for r in rows:
                ratio = near_duplicate_ratio(len(hashes), max(r["dup_sentences"], 1), r["shared"])
                if ratio is not None and (best is None or ratio > best.similarity):
                    best = DuplicateMatch(r["article_id"], r["title"], False, round(ratio, 3))
        return best

    async def add_article(
        self,
        *,
        title: str,
        outlet: str | None,
        author: str | None,
        published: str | None,
        published_inferred: bool,
        url: str | None,
        source: str,
        source_id: str | None,
        added_by: str,
        content_hash: str,
        text: str,
        paragraphs: Sequence[TextSpan],
        sentences: Sequence[SentenceSpan],
        sentence_hashes: Sequence[int],
        facts: ArticleFacts | None = None,
        facts_version: int = 0,
        in_transaction: bool = False,
    ) -> int:
        """Insert an article with its sentences (and facts) in one transaction.

        Raises ``sqlite3.IntegrityError`` when the content hash is already stored (a
        concurrent ingest of the same text won the race). Inside :meth:`transaction`
        (``in_transaction=True``) it joins the caller's transaction, so a batch of
        articles costs one commit; each article is still all-or-nothing.
        """
        if not in_transaction:
            async with self.transaction():
                return await self.add_article(
                    title=title, outlet=outlet, author=author, published=published,
                    published_inferred=published_inferred, url=url, source=source, source_id=source_id,
                    added_by=added_by, content_hash=content_hash, text=text, paragraphs=paragraphs,
                    sentences=sentences, sentence_hashes=sentence_hashes, facts=facts,
                    facts_version=facts_version, in_transaction=True,
                )
        await self.conn.execute("SAVEPOINT article")
        try:
            cur = await self.conn.execute(
                "INSERT INTO articles(title, outlet, author, published, published_inferred, url,"
                " source, source_id, added_by, added_at, content_hash, text, word_count,"
                " sentence_count, dup_sentences, facts_version)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    title,
                    outlet,
                    author,
                    published,
                    int(published_inferred),
                    url,
                    source,
                    source_id,
                    added_by,
                    utcnow(),
                    content_hash,
                    text,
                    len(text.split()),
                    len(sentences),
                    len({h for s, h in zip(sentences, sentence_hashes) if len(s.text.split()) >= DUP_MIN_WORDS}),
                    facts_version if facts is not None else 0,
                ),
            )
            article_id = cur.lastrowid
            await self.conn.executemany(
                "INSERT INTO paragraphs(article_id, idx, start, end) VALUES (?,?,?,?)",
                [(article_id, i, p.start, p.end) for i, p in enumerate(paragraphs)],
            )
            await self.conn.executemany(
                "INSERT INTO sentences(article_id, paragraph, idx, start, end, text, norm_hash)"
                " VALUES (?,?,?,?,?,?,?)",
                [
                    (article_id, s.paragraph, s.index, s.start, s.end, s.text, h)
                    for s, h in zip(sentences, sentence_hashes, strict=True)
                ],
            )
            if facts is not None:
                await self._insert_facts(article_id, facts)
            await self.conn.execute(
                "INSERT INTO changes(at, actor, action, article_id, detail) VALUES (?,?,?,?,?)",
                (utcnow(), added_by, "add", article_id, f"{title} ({source})"),
            )
            await self.conn.execute("RELEASE article")
        except BaseException:
            await self.conn.execute("ROLLBACK TO article")
            await self.conn.execute("RELEASE article")
            raise
        return article_id

    async def list_articles(
        self,
        query: str | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
        since: str | None = None,
        outlet: str | None = None,
    ) -> list[ArticleSummary]:
        """Articles newest first; ``query`` matches title, outlet or author (substring)."""
        where, params = [], []
        if query:
            like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append("(title LIKE ? ESCAPE '\\' OR outlet LIKE ? ESCAPE '\\' OR author LIKE ? ESCAPE '\\')")
            params += [like, like, like]
        if since:
            where.append("added_at > ?")
            params.append(since)
        if outlet:
            where.append("outlet = ? COLLATE NOCASE")
            params.append(outlet)
        sql = f"SELECT {_SUMMARY_COLS} FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY coalesce(published, '') DESC, id DESC LIMIT ? OFFSET ?"
        return [_summary(r) for r in await self._all(sql, (*params, limit, offset))]

    async def latest_articles(self, limit: int = 5) -> list[ArticleSummary]:
        return await self.list_articles(limit=limit)

    async def articles_added_since(self, since: str | None, limit: int = 50) -> list[ArticleSummary]:
        sql = f"SELECT {_SUMMARY_COLS} FROM articles"
        params: list[Any] = []
        if since:
            sql += " WHERE added_at > ?"
            params.append(since)
        sql += " ORDER BY added_at, id LIMIT ?"
        return [_summary(r) for r in await self._all(sql, (*params, limit))]

    async def all_titles(self) -> list[tuple[int, str]]:
        return await self._bulk("SELECT id, title FROM articles ORDER BY id")

    async def get_article(self, article_id: int) -> Article | None:
        row = await self._one("SELECT * FROM articles WHERE id = ?", (article_id,))
        return _article(row) if row else None

    async def get_summaries(self, ids: Iterable[int]) -> dict[int, ArticleSummary]:
        ids = sorted(set(ids))
        out: dict[int, ArticleSummary] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = await self._all(
                f"SELECT {_SUMMARY_COLS} FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
            out.update({r["id"]: _summary(r) for r in rows})
        return out

    async def iter_article_ids(self) -> list[int]:
        return [r[0] for r in await self._all("SELECT id FROM articles ORDER BY id")]

    async def remove_article(self, article_id: int) -> bool:
        async with self.transaction():
            cur = await self.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        return cur.rowcount > 0

    async def paragraphs(self, article_id: int) -> list[TextSpan]:
        rows = await self._all("SELECT start, end FROM paragraphs WHERE article_id = ? ORDER BY idx", (article_id,))
        return [TextSpan(r["start"], r["end"]) for r in rows]

    async def sentences(self, article_id: int) -> list[SentenceHit]:
        rows = await self._all(
            f"SELECT {_HIT_COLS} FROM sentences s JOIN articles a ON a.id = s.article_id"
            " WHERE s.article_id = ? ORDER BY s.idx",
            (article_id,),
        )
        return [_hit(r) for r in rows]

    async def get_sentences(self, sentence_ids: Iterable[int]) -> dict[int, SentenceHit]:
        ids = sorted(set(sentence_ids))
        out: dict[int, SentenceHit] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = await self._all(
                f"SELECT {_HIT_COLS} FROM sentences s JOIN articles a ON a.id = s.article_id"
                f" WHERE s.id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            out.update({r["sid"]: _hit(r) for r in rows})
        return out

    async def neighbour_texts(self, sentence_ids: Iterable[int]) -> dict[int, list[str]]:
        """The sentences just before and after each given sentence in its article: where
        "the company" or "both athletes" in a sentence is named."""
        ids = sorted(set(sentence_ids))
        out: dict[int, list[str]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = await self._all(
                "SELECT s.id, n.text FROM sentences s JOIN sentences n ON n.article_id = s.article_id"
                f" AND n.idx IN (s.idx - 1, s.idx + 1) WHERE s.id IN ({','.join('?' * len(chunk))})"
                " ORDER BY s.id, n.idx",
                chunk,
            )
            for r in rows:
                out.setdefault(r[0], []).append(r[1])
        return out

    async def search_sentences(
        self, query: str, *, limit: int = 10, any_term: bool = True, article_id: int | None = None
    ) -> list[SentenceHit]:
        """Best-matching sentences by FTS5 bm25 (user text escaped, never raw FTS syntax)."""
        match = escape_fts(query, any_term=any_term)
        if not match:
            return []
        if article_id is None:
            # Rank inside the FTS table and join only the winners: a common word matches
            # thousands of sentences, and joining them all first is what costs.
            sql = (
                f"SELECT {_HIT_COLS}, f.score FROM (SELECT rowid, bm25(sentences_fts) AS score"
                " FROM sentences_fts WHERE sentences_fts MATCH ? ORDER BY score LIMIT ?) f"
                " JOIN sentences s ON s.id = f.rowid JOIN articles a ON a.id = s.article_id ORDER BY f.score"
            )
            return [_hit(r, r["score"]) for r in await self._all(sql, (match, limit))]
        sql = (
            f"SELECT {_HIT_COLS}, bm25(sentences_fts) AS score FROM sentences_fts"
            " JOIN sentences s ON s.id = sentences_fts.rowid JOIN articles a ON a.id = s.article_id"
            " WHERE sentences_fts MATCH ? AND s.article_id = ? ORDER BY score LIMIT ?"
        )
        return [_hit(r, r["score"]) for r in await self._all(sql, (match, article_id, limit))]

    # ------------------------------------------------------------------ facts

    async def _insert_facts(self, article_id: int, facts: ArticleFacts) -> None:
        rows = await self._all(
            "SELECT id, start, end, text FROM sentences WHERE article_id = ? ORDER BY start", (article_id,)
        )
        starts = [r["start"] for r in rows]

        def sentence_of(offset: int) -> sqlite3.Row | None:
            i = bisect.bisect_right(starts, offset) - 1
            return rows[i] if i >= 0 and offset < rows[i]["end"] + 2 else None

        def sid(offset: int) -> int | None:
            r = sentence_of(offset)
            return r["id"] if r is not None else None

        for f in facts.figures:
            s = sentence_of(f.start)
            cur = await self.conn.execute(
                "INSERT INTO figures(article_id, sentence_id, start, end, surface, low, high, qualifier,"
                " unit, unit_original, thing, kind, thing_head, event, party, claimant, time_scope)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article_id,
                    s["id"] if s is not None else None,
                    f.start,
                    f.end,
                    f.surface,
                    f.low,
                    f.high,
                    f.qualifier,
                    f.unit,
                    f.unit_original,
                    f.thing,
                    f.kind,
                    f.thing_head,
                    f.event,
                    f.party,
                    f.claimant,
                    f.time_scope,
                ),
            )
            await self.conn.execute(
                "INSERT INTO figures_fts(rowid, thing, claimant, context, party) VALUES (?,?,?,?,?)",
                (
                    cur.lastrowid,
                    f.thing or "",
                    f.claimant or "",
                    s["text"] if s is not None else f.surface,
                    f.party or "",
                ),
            )
        for q in facts.quotes:
            cur = await self.conn.execute(
                "INSERT INTO quotes(article_id, sentence_id, start, end, text, speaker, speaker_as_written,"
                " speaker_role, attribution) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    article_id,
                    sid(q.start),
                    q.start,
                    q.end,
                    q.text,
                    q.speaker,
                    q.speaker_as_written,
                    q.speaker_role,
                    q.attribution,
                ),
            )
            await self.conn.execute(
                "INSERT INTO quotes_fts(rowid, text, speaker) VALUES (?,?,?)",
                (cur.lastrowid, q.text, q.speaker or ""),
            )
        await self.conn.executemany(
            "INSERT INTO mentions(article_id, sentence_id, start, end, text, label) VALUES (?,?,?,?,?,?)",
            [(article_id, sid(m.start), m.start, m.end, m.text, m.label) for m in facts.mentions],
        )
        await self.conn.executemany(
            "INSERT INTO events(article_id, sentence_id, start, end, surface, date, precision)"
            " VALUES (?,?,?,?,?,?,?)",
            [
                (article_id, sid(e.sentence_start), e.start, e.end, e.surface, e.date, e.precision)
                for e in facts.events
            ],
        )

    async def replace_facts(self, article_id: int, facts: ArticleFacts, facts_version: int) -> None:
        """Swap an article's facts for freshly extracted ones, atomically."""
        async with self.transaction():
            for table in ("figures", "quotes", "mentions", "events"):
                await self.conn.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
            await self._insert_facts(article_id, facts)
            await self.conn.execute(
                "UPDATE articles SET facts_version = ? WHERE id = ?", (facts_version, article_id)
            )

    async def get_facts(self, article_id: int) -> ArticleFacts:
        figs = await self._all("SELECT * FROM figures WHERE article_id = ? ORDER BY start", (article_id,))
        quotes = await self._all("SELECT * FROM quotes WHERE article_id = ? ORDER BY start", (article_id,))
        ments = await self._all("SELECT * FROM mentions WHERE article_id = ? ORDER BY start", (article_id,))
        events = await self._all(
            "SELECT e.*, s.start AS s_start, s.end AS s_end FROM events e"
            " LEFT JOIN sentences s ON s.id = e.sentence_id WHERE e.article_id = ? ORDER BY e.start",
            (article_id,),
        )
        return ArticleFacts(
            figures=[_figure(r) for r in figs],
            quotes=[_quote(r) for r in quotes],
            mentions=[Mention(r["start"], r["end"], r["text"], r["label"]) for r in ments],
            events=[
                DatedEvent(
                    r["start"],
                    r["end"],
                    r["surface"],
                    r["date"],
                    r["precision"],
                    r["s_start"] if r["s_start"] is not None else r["start"],
                    r["s_end"] if r["s_end"] is not None else r["end"],
                )
                for r in events
            ],
        )

    async def sentence_fact_counts(self, sentence_ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
        """Per sentence: how many figures and quotes start in it and how many distinct names it
        mentions — what makes a sentence informative, for many sentences in one query rather
        than every fact of every article they come from."""
        ids = sorted(set(sentence_ids))
        out: dict[int, tuple[int, int, int]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = await self._all(
                "SELECT s.id,"
                " (SELECT count(*) FROM figures f WHERE f.article_id = s.article_id"
                "  AND f.start >= s.start AND f.start < s.end),"
                " (SELECT count(*) FROM quotes q WHERE q.article_id = s.article_id"
                "  AND q.start >= s.start AND q.start < s.end),"
                " (SELECT count(DISTINCT m.text) FROM mentions m WHERE m.article_id = s.article_id"
                "  AND m.start >= s.start AND m.start < s.end)"
                f" FROM sentences s WHERE s.id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            out.update({r[0]: (r[1], r[2], r[3]) for r in rows})
        return out

    async def fact_counts(self) -> dict[str, int]:
        out = {}
        for table in ("articles", "sentences", "figures", "quotes", "mentions", "events", "entity_names"):
            out[table] = (await self._one(f"SELECT count(*) FROM {table}"))[0]
        return out

    async def article_fact_counts(self, article_id: int) -> dict[str, int]:
        out = {}
        for table in ("figures", "quotes", "mentions", "events"):
            out[table] = (await self._one(f"SELECT count(*) FROM {table} WHERE article_id = ?", (article_id,)))[0]
        return out

    async def facts_versions(self) -> dict[int, int]:
        """How many articles carry facts from each extractor version."""
        rows = await self._all("SELECT facts_version, count(*) FROM articles GROUP BY facts_version ORDER BY 1")
        return {r[0]: r[1] for r in rows}

    def database_bytes(self) -> int:
        """Size on disk: the database file and its write-ahead log."""
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += os.stat(self.path + suffix).st_size
        return total

    async def backup(self, target: str | Path) -> None:
        """A consistent copy of the database at ``target`` with SQLite's online backup API.

        Safe while the bot runs and writes: the copy is of one committed state. It is written
        beside the target and renamed into place, so a failed backup never leaves half a file
        under the target's name.
        """
        target = Path(target)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        dest = await aiosqlite.connect(str(partial))
        try:
            await self.conn.backup(dest)
        finally:
            await dest.close()
        os.replace(partial, target)

    async def stale_article_ids(self, facts_version: int) -> list[int]:
        rows = await self._all("SELECT id FROM articles WHERE facts_version != ? ORDER BY id", (facts_version,))
        return [r[0] for r in rows]

    # ------------------------------------------------------------------ fact queries

    _FIG_SELECT = (
        "SELECT f.*, f.id AS fid, s.text AS sentence, "
        + ", ".join(f"a.{c} AS a_{c}" for c in _SUMMARY_COLS.split(", "))
        + " FROM figures f JOIN articles a ON a.id = f.article_id LEFT JOIN sentences s ON s.id = f.sentence_id"
    )

    async def articles_titled(self, words: Sequence[str], limit: int = 20) -> list[int]:
        """Ids of the newest articles whose title holds every one of ``words`` (case-insensitive):
        an article about the PSP may call it "the gadget" in every sentence but its title."""
        words = [w for w in words if w.strip()]
        if not words:
            return []
        likes = ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words]
        where = " AND ".join("title LIKE ? ESCAPE '\\'" for _ in likes)
        rows = await self._all(f"SELECT id FROM articles WHERE {where} ORDER BY id DESC LIMIT ?", (*likes, limit))
        return [r[0] for r in rows]

    async def figures_for_articles(self, article_ids: Iterable[int]) -> list[FigureHit]:
        ids = sorted(set(article_ids))
        out: list[FigureHit] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = await self._all(
                self._FIG_SELECT + f" WHERE f.article_id IN ({','.join('?' * len(chunk))}) ORDER BY f.article_id, f.start",
                chunk,
            )
            out += [_figure_hit(r) for r in rows]
        return out

    async def search_figures(
        self, query: str, *, kinds: Sequence[str] = (), limit: int = 50
    ) -> list[FigureHit]:
        """Figures whose thing, claimant or sentence match the words of ``query`` (bm25)."""
        match = escape_fts(query, any_term=True)
        if not match:
            return []
        # Rank inside the FTS table and join only the winners: "oil" matches thousands.
        inner = "SELECT figures_fts.rowid AS id, bm25(figures_fts, 4.0, 1.0, 1.0) AS score FROM figures_fts"
        params: list[Any] = []
        if kinds:
            inner += " JOIN figures f2 ON f2.id = figures_fts.rowid"
        inner += " WHERE figures_fts MATCH ?"
        params.append(match)
        if kinds:
            inner += f" AND f2.kind IN ({','.join('?' * len(kinds))})"
            params += list(kinds)
        inner += " ORDER BY score LIMIT ?"
        params.append(limit)
        sql = self._FIG_SELECT.replace(" FROM figures f", ", m.score AS score FROM figures f")
        sql = sql.replace(" FROM figures f", f" FROM ({inner}) m JOIN figures f ON f.id = m.id", 1)
        sql += " ORDER BY m.score"
        return [_figure_hit(r, r["score"]) for r in await self._all(sql, params)]

    async def figures_by_kind(self, kinds: Sequence[str], limit: int = 200) -> list[FigureHit]:
        """The newest figures of the given kinds ("money", "percent"…)."""
        if not kinds:
            return []
        rows = await self._all(
            self._FIG_SELECT + f" WHERE f.kind IN ({','.join('?' * len(kinds))})"
            " ORDER BY a.published DESC, f.id LIMIT ?",
            (*kinds, limit),
        )
        return [_figure_hit(r) for r in rows]

    async def figures_by_head(self, heads: Sequence[str], limit: int = 500) -> list[FigureHit]:
        """Figures whose counted noun has one of these language keys (``Figure.thing_head``):
        the candidates for "the same measure" as a given figure, the most recently added
        first (in the order of the index: sorting thousands of "share" figures by their
        articles' dates first costs more than the rest of a question)."""
        heads = sorted({h for h in heads if h})
        if not heads:
            return []
        rows = await self._all(
            self._FIG_SELECT + f" WHERE f.thing_head IN ({','.join('?' * len(heads))})"
            " ORDER BY f.id DESC LIMIT ?",
            (*heads, limit),
        )
        return [_figure_hit(r) for r in rows]

    #: A quote's sentence is every sentence its words run through, so the citation holds the
    #: attribution that closes a multi-sentence quote ("… It's an entertainment device," said
    #: Kaz Hirai).
    _QUOTE_SELECT = (
        "SELECT q.*, q.id AS qid, coalesce((SELECT group_concat(x.text, ' ') FROM (SELECT s2.text FROM sentences s2"
        " WHERE s2.article_id = q.article_id AND s2.end > q.start AND s2.start <= q.end ORDER BY s2.idx) x),"
        " s.text) AS sentence, "
        + ", ".join(f"a.{c} AS a_{c}" for c in _SUMMARY_COLS.split(", "))
        + " FROM quotes q JOIN articles a ON a.id = q.article_id LEFT JOIN sentences s ON s.id = q.sentence_id"
    )

    async def quotes_by_speakers(self, speakers: Sequence[str], limit: int = 50) -> list[QuoteHit]:
        if not speakers:
            return []
        rows = await self._all(
            self._QUOTE_SELECT + f" WHERE q.speaker IN ({','.join('?' * len(speakers))})"
            " ORDER BY coalesce(a.published, '') DESC, q.article_id, q.start LIMIT ?",
            (*speakers, limit),
        )
        return [_quote_hit(r) for r in rows]

    async def search_quotes(self, query: str, *, limit: int = 20) -> list[QuoteHit]:
        match = escape_fts(query, any_term=True)
        if not match:
            return []
        sql = self._QUOTE_SELECT.replace(" FROM quotes q", ", bm25(quotes_fts) AS score FROM quotes q")
        sql += " JOIN quotes_fts ON quotes_fts.rowid = q.id WHERE quotes_fts MATCH ? ORDER BY score LIMIT ?"
        return [_quote_hit(r, r["score"]) for r in await self._all(sql, (match, limit))]

    async def quotes_for_articles(self, article_ids: Iterable[int]) -> list[QuoteHit]:
        ids = sorted(set(article_ids))
        out: list[QuoteHit] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            rows = await self._all(
                self._QUOTE_SELECT + f" WHERE q.article_id IN ({','.join('?' * len(chunk))}) ORDER BY q.article_id, q.start",
                chunk,
            )
            out += [_quote_hit(r) for r in rows]
        return out

    async def events(
        self, *, article_ids: Sequence[int] | None = None, limit: int = 200
    ) -> list[EventHit]:
        sql = (
            "SELECT e.*, s.start AS s_start, s.end AS s_end, s.text AS sentence, "
            + ", ".join(f"a.{c} AS a_{c}" for c in _SUMMARY_COLS.split(", "))
            + " FROM events e JOIN articles a ON a.id = e.article_id LEFT JOIN sentences s ON s.id = e.sentence_id"
        )
        params: list[Any] = []
        if article_ids is not None:
            if not article_ids:
                return []
            sql += f" WHERE e.article_id IN ({','.join('?' * len(article_ids))})"
            params += list(article_ids)
        sql += " ORDER BY e.date, e.article_id, e.start LIMIT ?"
        params.append(limit)
        out = []
        for r in await self._all(sql, params):
            ev = DatedEvent(r["start"], r["end"], r["surface"], r["date"], r["precision"],
                            r["s_start"] if r["s_start"] is not None else r["start"],
                            r["s_end"] if r["s_end"] is not None else r["end"])
            out.append(EventHit(ev, _prefixed_summary(r), r["sentence"] or r["surface"]))
        return out

    async def entity(self, canonical: str) -> EntityInfo | None:
        rows = await self._all("SELECT name, label FROM entity_names WHERE canonical = ?", (canonical,))
        if not rows:
            return None
        names = tuple(sorted({r["name"] for r in rows}))
        marks = ",".join("?" * len(names))
        agg = await self._one(
            f"SELECT count(*), count(DISTINCT article_id) FROM mentions WHERE text IN ({marks})", names
        )
        return EntityInfo(canonical, rows[0]["label"], names, agg[0], agg[1])

    async def entity_mentions(self, names: Sequence[str], limit: int = 200) -> list[SentenceHit]:
        """Sentences that mention any of ``names``, newest articles first."""
        if not names:
            return []
        rows = await self._all(
            f"SELECT DISTINCT {_HIT_COLS} FROM mentions m JOIN sentences s ON s.id = m.sentence_id"
            f" JOIN articles a ON a.id = s.article_id WHERE m.text IN ({','.join('?' * len(names))})"
            " ORDER BY coalesce(a.published, '') DESC, s.article_id, s.idx LIMIT ?",
            (*names, limit),
        )
        return [_hit(r) for r in rows]

    async def canonical_names(self) -> list[tuple[str, str, str]]:
        """``(name, canonical, label)`` rows; same as :meth:`entity_names`, named for readers."""
        return await self.entity_names()

    # ------------------------------------------------------------------ entity names

    async def entity_names(self) -> list[tuple[str, str, str]]:
        """Every ``(name, canonical, label)`` the alias index knows."""
        return await self._bulk("SELECT name, canonical, label FROM entity_names")

    async def entity_name_list(self) -> list[str]:
        """Every name the alias index knows (a vocabulary)."""
        return await self._bulk("SELECT name FROM entity_names", first=True)

    async def upsert_entity_names(self, rows: Iterable[tuple[str, str, str]]) -> None:
        rows = list(rows)
        if not rows:
            return
        async with self.transaction():
            await self.conn.executemany(
                "INSERT INTO entity_names(name, canonical, label) VALUES (?,?,?)"
                " ON CONFLICT(name) DO UPDATE SET canonical = excluded.canonical, label = excluded.label",
                rows,
            )

    async def mention_name_counts(self) -> list[tuple[str, str, int]]:
        """``(text, label, count)`` over every stored mention, for rebuilding alias groups."""
        rows = await self._all("SELECT text, label, count(*) FROM mentions GROUP BY text, label")
        return [(r[0], r[1], r[2]) for r in rows]

    # ------------------------------------------------------------------ audit log

    async def record_change(self, actor: str, action: str, article_id: int | None, detail: str = "") -> None:
        await self._write(
            "INSERT INTO changes(at, actor, action, article_id, detail) VALUES (?,?,?,?,?)",
            (utcnow(), actor, action, article_id, detail),
        )

    async def changes(self, limit: int = 50) -> list[Change]:
        rows = await self._all("SELECT * FROM changes ORDER BY id DESC LIMIT ?", (limit,))
        return [Change(r["id"], r["at"], r["actor"], r["action"], r["article_id"], r["detail"]) for r in rows]

    # ------------------------------------------------------------------ feeds

    async def add_feed(self, *, url: str, topic: str, title: str | None, added_by: str, interval: int) -> Feed:
        now = utcnow()
        cur = await self._write(
            "INSERT INTO feeds(url, topic, title, added_by, added_at, interval_seconds, next_poll_at)"
            " VALUES (?,?,?,?,?,?,?)",
            (url, topic, title, added_by, now, interval, now),
        )
        return await self.get_feed(cur.lastrowid)  # type: ignore[return-value]

    async def get_feed(self, feed_id: int) -> Feed | None:
        row = await self._one("SELECT * FROM feeds WHERE id = ?", (feed_id,))
        return _feed(row) if row else None

    async def feed_by_url(self, url: str) -> Feed | None:
        row = await self._one("SELECT * FROM feeds WHERE url = ?", (url,))
        return _feed(row) if row else None

    async def feeds(self) -> list[Feed]:
        return [_feed(r) for r in await self._all("SELECT * FROM feeds ORDER BY id")]

    async def due_feeds(self, now: str) -> list[Feed]:
        rows = await self._all("SELECT * FROM feeds WHERE next_poll_at <= ? ORDER BY next_poll_at", (now,))
        return [_feed(r) for r in rows]

    async def remove_feed(self, feed_id: int) -> bool:
        cur = await self._write("DELETE FROM feeds WHERE id = ?", (feed_id,))
        return cur.rowcount > 0

    async def feed_polled(
        self, feed_id: int, *, etag: str | None, last_modified: str | None, title: str | None, next_poll_at: str,
    ) -> None:
        """A successful poll: new validators, failures cleared, the next poll scheduled."""
        now = utcnow()
        await self._write(
            "UPDATE feeds SET etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),"
            " title = coalesce(?, title), next_poll_at = ?, last_poll_at = ?, last_success_at = ?,"
            " failures = 0, failing_since = NULL, polled = 1 WHERE id = ?",
            (etag, last_modified, title, next_poll_at, now, now, feed_id),
        )

    async def feed_failed(self, feed_id: int, *, error: str, next_poll_at: str) -> None:
        now = utcnow()
        await self._write(
            "UPDATE feeds SET last_error = ?, next_poll_at = ?, last_poll_at = ?, failures = failures + 1,"
            " failing_since = coalesce(failing_since, ?) WHERE id = ?",
            (error, next_poll_at, now, now, feed_id),
        )

    async def seen_feed_items(self, feed_id: int, guids: Sequence[str]) -> set[str]:
        """Which of these item ids this feed has already settled."""
        seen: set[str] = set()
        for i in range(0, len(guids), 500):
            chunk = list(guids[i : i + 500])
            rows = await self._all(
                f"SELECT guid FROM feed_items WHERE feed_id = ? AND guid IN ({','.join('?' * len(chunk))})",
                (feed_id, *chunk),
            )
            seen.update(r[0] for r in rows)
        return seen

    async def article_for_url(self, url: str) -> int | None:
        """An article already stored from this canonical URL: by a feed item, or added by hand."""
        row = await self._one(
            "SELECT article_id FROM feed_items WHERE url = ? AND article_id IS NOT NULL LIMIT 1", (url,)
        )
        if row is not None:
            return row[0]
        row = await self._one("SELECT id FROM articles WHERE url = ? LIMIT 1", (url,))
        return row[0] if row else None

    async def record_feed_item(
        self, feed_id: int, *, guid: str, url: str | None, article_id: int | None, outcome: str, ingested: bool,
    ) -> None:
        async with self.transaction():
            await self.conn.execute(
                "INSERT OR IGNORE INTO feed_items(feed_id, guid, url, article_id, outcome, seen_at)"
                " VALUES (?,?,?,?,?,?)",
                (feed_id, guid, url, article_id, outcome, utcnow()),
            )
            if ingested:
                await self.conn.execute(
                    "UPDATE feeds SET items_ingested = items_ingested + 1 WHERE id = ?", (feed_id,)
                )

    # ------------------------------------------------------------------ subscriptions

    async def add_subscription(
        self, *, channel: str, kind: str, weekday: int | None, at_time: str | None, topic: str,
        created_by: str, marker: str | None,
    ) -> Subscription:
        """Create or replace a channel's subscription of this kind and topic."""
        await self._write(
            "INSERT INTO subscriptions(channel, kind, weekday, at_time, topic, created_by, created_at, marker)"
            " VALUES (?,?,?,?,?,?,?,?)"
            " ON CONFLICT(channel, kind, topic) DO UPDATE SET weekday = excluded.weekday,"
            " at_time = excluded.at_time, created_by = excluded.created_by, paused = NULL",
            (channel, kind, weekday, at_time, topic, created_by, utcnow(), marker),
        )
        row = await self._one(
            "SELECT * FROM subscriptions WHERE channel = ? AND kind = ? AND topic = ?", (channel, kind, topic)
        )
        return _subscription(row)

    async def subscriptions(self, channel: str | None = None) -> list[Subscription]:
        if channel is None:
            rows = await self._all("SELECT * FROM subscriptions ORDER BY id")
        else:
            rows = await self._all("SELECT * FROM subscriptions WHERE channel = ? ORDER BY id", (channel,))
        return [_subscription(r) for r in rows]

    async def get_subscription(self, sub_id: int) -> Subscription | None:
        row = await self._one("SELECT * FROM subscriptions WHERE id = ?", (sub_id,))
        return _subscription(row) if row else None

    async def remove_subscriptions(self, channel: str, sub_id: int | None = None) -> int:
        if sub_id is None:
            cur = await self._write("DELETE FROM subscriptions WHERE channel = ?", (channel,))
        else:
            cur = await self._write(
                "DELETE FROM subscriptions WHERE channel = ? AND id = ?", (channel, sub_id)
            )
        return cur.rowcount

    async def pause_subscription(self, sub_id: int, reason: str) -> None:
        """Stop posting to a channel the platform says is gone or closed to the bot, until it
        is subscribed again (which clears the pause)."""
        await self._write("UPDATE subscriptions SET paused = ? WHERE id = ?", (reason, sub_id))

    async def mark_posted(self, sub_id: int, *, slot: str | None, marker: str | None) -> None:
        """Record a digest the platform accepted; call only after the post succeeded."""
        await self._write(
            "UPDATE subscriptions SET last_slot = coalesce(?, last_slot), marker = coalesce(?, marker),"
            " posted_at = ? WHERE id = ?",
            (slot, marker, utcnow(), sub_id),
        )

    async def latest_added_at(self) -> str | None:
        return (await self._one("SELECT max(added_at) FROM articles"))[0]

    # ---- query helpers (briefing)

    async def quote_speakers(self) -> list[tuple[str, int]]:
        """Every distinct quote speaker with its number of quotes, for matching by surname."""
        rows = await self._all(
            "SELECT speaker, count(*) FROM quotes WHERE speaker IS NOT NULL GROUP BY speaker"
        )
        return [(r[0], r[1]) for r in rows]

    async def figure_things(self, limit: int = 5000) -> list[str]:
        """The most common ``thing`` strings of stored figures (a vocabulary for typo correction)."""
        return await self._bulk(
            "SELECT thing FROM figures WHERE thing IS NOT NULL AND thing != ''"
            " GROUP BY thing ORDER BY count(*) DESC LIMIT ?",
            (limit,),
            first=True,
        )

    async def figure_parties(self, limit: int = 2000) -> list[str]:
        """The most common parties of stored figures (a vocabulary for typo correction)."""
        return await self._bulk(
            "SELECT party FROM figures WHERE party IS NOT NULL AND party != ''"
            " GROUP BY party ORDER BY count(*) DESC LIMIT ?",
            (limit,),
            first=True,
        )

    async def recent_events(self, limit: int = 50) -> list[EventHit]:
        """The latest-dated events, newest first (walks the date index backwards)."""
        sql = (
            "SELECT e.*, s.start AS s_start, s.end AS s_end, s.text AS sentence, "
            + ", ".join(f"a.{c} AS a_{c}" for c in _SUMMARY_COLS.split(", "))
            + " FROM events e JOIN articles a ON a.id = e.article_id LEFT JOIN sentences s ON s.id = e.sentence_id"
            " ORDER BY e.date DESC, e.article_id DESC, e.start DESC LIMIT ?"
        )
        out = []
        for r in await self._all(sql, (limit,)):
            ev = DatedEvent(r["start"], r["end"], r["surface"], r["date"], r["precision"],
                            r["s_start"] if r["s_start"] is not None else r["start"],
                            r["s_end"] if r["s_end"] is not None else r["end"])
            out.append(EventHit(ev, _prefixed_summary(r), r["sentence"] or r["surface"]))
        return out

    async def mentions_between(self, article_id: int, start: int, end: int) -> list[Mention]:
        """Name mentions of one article starting in ``[start, end)``, in text order."""
        rows = await self._all(
            "SELECT start, end, text, label FROM mentions WHERE article_id = ? AND start >= ? AND start < ?"
            " ORDER BY start",
            (article_id, start, end),
        )
        return [Mention(r["start"], r["end"], r["text"], r["label"]) for r in rows]


    # ---- query helpers (ask/source)

    async def sample_sentence_texts(self, limit: int = 20_000, spans: int = 20) -> list[str]:
        """Sentences from ``spans`` evenly spaced id ranges, for estimating word frequencies.

        Contiguous rowid ranges cost the same at any corpus size, unlike a full scan or
        ``ORDER BY random()``; spread over the id space they still cover old and new articles.
        """
        row = await self._one("SELECT min(id), max(id) FROM sentences")
        if row is None or row[0] is None:
            return []
        low, high = row[0], row[1]
        per = max(1, limit // spans)
        step = max(per, (high - low + 1) // spans)
        out: list[str] = []
        for start in range(low, high + 1, step):
            out += await self._bulk("SELECT text FROM sentences WHERE id >= ? ORDER BY id LIMIT ?", (start, per), first=True)
            if len(out) >= limit:
                break
        return out[:limit]

    async def existing_terms(self, words: Sequence[str]) -> set[str]:
        """Which of ``words`` occur (after stemming) in at least one indexed sentence."""
        found: set[str] = set()
        for word in words:
            match = escape_fts(word)
            if match and await self._one(
                "SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH ? LIMIT 1", (match,)
            ):
                found.add(word)
        return found

    @staticmethod
    def _all_of_any(groups: Sequence[Sequence[str]]) -> str:
        """``(a OR b) AND (c OR d)`` over escaped alternatives; an alternative of several
        words needs all of them."""
        parts = []
        for group in groups:
            alts = [f"({m})" for m in (escape_fts(a) for a in group) if m]
            if alts:
                parts.append("(" + " OR ".join(alts) + ")")
        return " AND ".join(parts)

    async def match_sentences(
        self,
        groups: Sequence[Sequence[str]],
        *,
        limit: int = 50,
        recent: bool = False,
        article_ids: Sequence[int] | None = None,
    ) -> list[SentenceHit]:
        """Sentences holding at least one alternative of every group, best bm25 first.

        ``recent`` orders by sentence id instead (newest ingested first), which FTS5 walks
        without scoring every match, so it stays fast for very common names.
        """
        match = self._all_of_any(groups)
        if not match:
            return []
        order = "sentences_fts.rowid DESC" if recent else "score"
        params: list[Any] = [match]
        # Rank inside the FTS table first and join the few winners: joining every match to
        # its sentence and article before sorting costs several times more.
        inner = (
            "SELECT sentences_fts.rowid AS id, bm25(sentences_fts) AS score FROM sentences_fts"
            " WHERE sentences_fts MATCH ?"
        )
        if article_ids is not None:
            if not article_ids:
                return []
            inner = (
                "SELECT sentences_fts.rowid AS id, bm25(sentences_fts) AS score FROM sentences_fts"
                " JOIN sentences s2 ON s2.id = sentences_fts.rowid WHERE sentences_fts MATCH ?"
                f" AND s2.article_id IN ({','.join('?' * len(article_ids))})"
            )
            params += list(article_ids)
        inner += f" ORDER BY {order} LIMIT ?"
        params.append(limit)
        sql = (
            f"SELECT {_HIT_COLS}, m.score AS score FROM ({inner}) m"
            " JOIN sentences s ON s.id = m.id JOIN articles a ON a.id = s.article_id"
            " ORDER BY " + ("s.id DESC" if recent else "m.score")
        )
        return [_hit(r, r["score"]) for r in await self._all(sql, params)]

    async def match_figures(
        self,
        thing_groups: Sequence[Sequence[str]],
        other_groups: Sequence[Sequence[str]] = (),
        *,
        kinds: Sequence[str] = (),
        limit: int = 100,
        recent: bool = False,
    ) -> list[FigureHit]:
        """Figures whose ``thing`` holds an alternative of every thing group and whose thing,
        claimant or sentence holds one of every other group (bm25, thing weighted 4x).

        ``recent`` orders by figure id instead (newest first): for a single common noun bm25
        would score every match only to rank near-equal things.
        """
        parts = []
        thing_match = self._all_of_any(thing_groups)
        if thing_match:
            parts.append(f"thing : ({thing_match})")
        other_match = self._all_of_any(other_groups)
        if other_match:
            parts.append(f"({other_match})")
        if not parts:
            return []
        inner = (
            "SELECT f2.id AS id, bm25(figures_fts, 4.0, 1.0, 1.0) AS score FROM figures_fts"
            " JOIN figures f2 ON f2.id = figures_fts.rowid WHERE figures_fts MATCH ?"
        )
        params: list[Any] = [" AND ".join(parts)]
        if kinds:
            inner += f" AND f2.kind IN ({','.join('?' * len(kinds))})"
            params += list(kinds)
        inner += " ORDER BY " + ("figures_fts.rowid DESC" if recent else "score") + " LIMIT ?"
        params.append(limit)
        sql = self._FIG_SELECT.replace(" FROM figures f", ", m.score AS score FROM figures f")
        sql = sql.replace(" FROM figures f", f" FROM ({inner}) m JOIN figures f ON f.id = m.id", 1)
        sql += " ORDER BY " + ("f.id DESC" if recent else "m.score")
        return [_figure_hit(r, r["score"]) for r in await self._all(sql, params)]

    async def match_quotes(
        self, speakers: Sequence[str], topic: Sequence[str] = (), *, limit: int = 50
    ) -> list[QuoteHit]:
        """Quotes whose speaker holds one of ``speakers`` and whose text holds one of ``topic``."""
        parts = []
        speaker_match = self._all_of_any([speakers]) if speakers else ""
        if speaker_match:
            parts.append(f"speaker : ({speaker_match})")
        topic_match = self._all_of_any([topic]) if topic else ""
        if topic_match:
            parts.append(f"text : ({topic_match})")
        if not parts:
            return []
        inner = (
            "SELECT quotes_fts.rowid AS id, bm25(quotes_fts) AS score FROM quotes_fts"
            " WHERE quotes_fts MATCH ? ORDER BY score LIMIT ?"
        )
        sql = self._QUOTE_SELECT.replace(" FROM quotes q", ", m.score AS score FROM quotes q")
        sql = sql.replace(" FROM quotes q", f" FROM ({inner}) m JOIN quotes q ON q.id = m.id", 1)
        sql += " ORDER BY m.score"
        return [_quote_hit(r, r["score"]) for r in await self._all(sql, (" AND ".join(parts), limit))]


def _figure(r: sqlite3.Row) -> Figure:
    return Figure(
        start=r["start"],
        end=r["end"],
        surface=r["surface"],
        low=r["low"],
        high=r["high"],
        qualifier=r["qualifier"],
        unit=r["unit"],
        unit_original=r["unit_original"],
        thing=r["thing"],
        kind=r["kind"],
        thing_head=r["thing_head"],
        event=r["event"],
        party=r["party"],
        claimant=r["claimant"],
        time_scope=r["time_scope"],
    )


def _quote(r: sqlite3.Row) -> Quote:
    return Quote(
        start=r["start"],
        end=r["end"],
        text=r["text"],
        speaker=r["speaker"],
        speaker_as_written=r["speaker_as_written"],
        speaker_role=r["speaker_role"],
        attribution=r["attribution"],
    )


def _feed(r: sqlite3.Row) -> Feed:
    return Feed(
        id=r["id"], url=r["url"], topic=r["topic"], title=r["title"], added_by=r["added_by"],
        added_at=r["added_at"], interval_seconds=r["interval_seconds"], etag=r["etag"],
        last_modified=r["last_modified"], next_poll_at=r["next_poll_at"], last_poll_at=r["last_poll_at"],
        last_success_at=r["last_success_at"], last_error=r["last_error"], failing_since=r["failing_since"],
        failures=r["failures"], items_ingested=r["items_ingested"], polled=bool(r["polled"]),
    )


def _subscription(r: sqlite3.Row) -> Subscription:
    return Subscription(
        id=r["id"],
        channel=r["channel"],
        kind=r["kind"],
        weekday=r["weekday"],
        at_time=r["at_time"],
        topic=r["topic"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        last_slot=r["last_slot"],
        marker=r["marker"],
        paused=r["paused"],
        posted_at=r["posted_at"],
    )


def _prefixed_summary(r: sqlite3.Row) -> ArticleSummary:
    return ArticleSummary(
        r["a_id"],
        r["a_title"],
        r["a_outlet"],
        r["a_author"],
        r["a_published"],
        bool(r["a_published_inferred"]),
        r["a_url"],
        r["a_added_by"],
        r["a_added_at"],
        r["a_word_count"],
    )


def _figure_hit(r: sqlite3.Row, score: float = 0.0) -> FigureHit:
    return FigureHit(
        r["fid"], _figure(r), _prefixed_summary(r), r["sentence"] or r["surface"], score, r["sentence_id"]
    )


def _quote_hit(r: sqlite3.Row, score: float = 0.0) -> QuoteHit:
    return QuoteHit(r["qid"], _quote(r), _prefixed_summary(r), r["sentence"] or r["text"], score)
