"""Turn files, directories, uploads and pasted text into :class:`RawDocument` items.

Everything a person can hand the bot ends up here, so every failure is a one-line message
that names the input (empty, binary, too large, corrupt...) instead of a traceback, and a bad
item inside a directory or a JSONL file never stops the good ones from being read. Text is
normalised once here (NFC, odd spaces, zero-width characters, line endings) so the cleaner and
the extractors only ever see one form of each character.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import os
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from corpus.errors import IngestError
from corpus.models import RawDocument

__all__ = [
    "SourceProblem",
    "iter_documents",
    "document_from_text",
    "documents_from_bytes",
    "html_to_document",
    "normalize_text",
    "parse_header",
    "decode_bytes",
    "SUPPORTED_SUFFIXES",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """An input that could not be read, reported alongside the documents that could."""

    source: str
    message: str


TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
SUPPORTED_SUFFIXES = tuple(
    sorted(TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | {".jsonl.gz", ".txt.gz", ".html.gz"})
)

# ----------------------------------------------------------------------------- normalising

_TRANSLATE: dict[int, str | None] = {}
for _ch in "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064":
    _TRANSLATE[ord(_ch)] = None  # zero-width and soft hyphen: invisible, break word matching
for _ch in "\u00a0\u2007\u202f\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000\u1680":
    _TRANSLATE[ord(_ch)] = " "
for _ch in "\u2028\u2029\x0b\x0c\x85":
    _TRANSLATE[ord(_ch)] = "\n"
for _code in list(range(0x00, 0x09)) + list(range(0x0E, 0x20)) + [0x7F] + list(range(0x80, 0xA0)):
    _TRANSLATE.setdefault(_code, None)


def normalize_text(text: str) -> str:
    """One canonical form for every character that has several (NBSP, CRLF, BOM, NFD...).

    Matching in the cleaner, the extractors and duplicate detection all assume this form, so
    it is applied to every input exactly here.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_TRANSLATE)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


# ----------------------------------------------------------------------------- decoding

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
)
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x0b\x1b")


def _binary_kind(data: bytes) -> str | None:
    """Name the kind of binary data, or ``None`` when the bytes look like text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 with a byte-order mark: text, NULs and all
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            if (magic == b"MZ" and b"\x00" not in data[:512]) or (magic == b"BZh" and not data[3:4].isdigit()):
                continue  # two-letter signatures also start ordinary words
            return kind
    sample = data[:8192]
    if b"\x00" in sample:
        return "binary data"
    controls = sum(1 for b in sample if b < 0x20 and b not in _TEXT_CONTROLS)
    if sample and controls / len(sample) > 0.05:
        return "binary data"
    return None


def decode_bytes(data: bytes, name: str) -> str:
    """Decode text that may not be UTF-8, refusing binary data.

    Files saved by Windows tools are often cp1252 (curly quotes in 0x91-0x94), which must come
    out right rather than be refused; latin-1 is the last resort because it accepts anything.
    """
    kind = _binary_kind(data)
    if kind is not None:
        raise IngestError(f"{name}: looks like {kind}, not text")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError(f"{name}: broken UTF-16 text ({exc.reason})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        log.info("%s: not UTF-8, read as cp1252", name)
        return text
    except UnicodeDecodeError:
        log.info("%s: not UTF-8 or cp1252, read as latin-1", name)
        return data.decode("latin-1")


_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|article|div|p|meta|title|section)\b", re.I)


def _sniff_is_html(text: str) -> bool:
    """HTML when the first thing in the text is a document-level tag."""
    head = text[:2048].lstrip()
    if head.startswith("<?xml"):
        return "<html" in head.lower()
    return bool(_HTML_START.match(head))


# ----------------------------------------------------------------------------- header blocks

_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z _-]{0,30}?)\s*:\s*(.*?)\s*$")
_HEADER_KEYS = {
    "title": "title",
    "headline": "title",
    "outlet": "outlet",
    "publication": "outlet",
    "publisher": "outlet",
    "site": "outlet",
    "author": "author",
    "byline": "author",
    "date": "date",
    "published": "date",
    "url": "url",
    "link": "url",
}


def parse_header(text: str) -> tuple[dict[str, str | None], str]:
    """Split an optional ``key: value`` header block (ended by a blank line) from the body.

    Only a block made entirely of ``key: value`` lines with at least one known key counts, so
    a body that happens to open with "Kyiv: ..." is left alone. A ``---`` fenced block
    (Markdown front matter) is accepted too.
    """
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    fenced = i < len(lines) and lines[i].strip() == "---"
    if fenced:
        i += 1
    meta: dict[str, str | None] = {}
    known = 0
    start = i
    while i < len(lines):
        line = lines[i]
        if fenced and line.strip() == "---":
            i += 1
            break
        if not line.strip():
            if fenced:
                i += 1
                continue
            break
        m = _HEADER_LINE.match(line)
        if not m:
            return {}, text
        key = _HEADER_KEYS.get(m.group(1).strip().lower().replace("-", " ").replace("_", " "))
        if key is not None:
            known += 1
            value = m.group(2).strip().strip('"').strip()
            meta.setdefault(key, value or None)
        i += 1
    else:
        if fenced:
            return {}, text
    if not known or i == start:
        return {}, text
    return {k: v for k, v in meta.items() if v}, "\n".join(lines[i:])


# ----------------------------------------------------------------------------- builders


def document_from_text(text: str, source: str = "pasted") -> RawDocument:
    """A document from text someone pasted or a text file's contents.

    Pasted HTML is recognised and extracted, since people do paste page source into chat.
    """
    text = normalize_text(text)
    if not text.strip():
        raise IngestError(f"{source}: is empty")
    if _sniff_is_html(text):
        return html_to_document(text, source)
    meta, body = parse_header(text)
    if not body.strip():
        raise IngestError(f"{source}: has a header but no article text")
    return RawDocument(text=body.strip("\n"), source=source, meta=meta)


def html_to_document(html: str, source: str, url: str | None = None) -> RawDocument:
    """Main text and metadata of an HTML page; scripts, styles and page chrome never leak in."""
    import trafilatura

    meta: dict[str, str | None] = {}
    text = ""
    try:
        # Dates only from markup and URL, never from the body text (extensive_search off): a
        # date in the body is the date of an event, not of publication. The cleaner reads a
        # dateline at the top of the extracted text itself when the markup gives no date.
        result = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            prune_xpath=["//noscript", "//template"],
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura raises assorted lxml/parser errors on junk input
        log.warning("%s: trafilatura failed: %s", source, exc)
        result = None
    if result is not None:
        data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
        text = data.get("text") or ""
        for key, field_name in (("title", "title"), ("author", "author"), ("date", "date"),
                                ("sitename", "outlet"), ("url", "url")):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                meta[field_name] = value.strip()
    if not text.strip():
        text = _html_fallback_text(html)
    if url and "url" not in meta:
        meta["url"] = url
    text = normalize_text(text)
    # trafilatura puts one paragraph per line; the rest of the pipeline wants blank lines.
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    if not paragraphs:
        raise IngestError(f"{source}: no readable text in the HTML")
    return RawDocument(text="\n\n".join(paragraphs), source=source, meta=meta, is_html=True)


def _html_fallback_text(html: str) -> str:
    """Visible text of a page trafilatura found nothing in (tiny or unusual pages)."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(html)
    except Exception:  # lxml raises ParserError/ValueError on empty or junk markup
        return ""
    for bad in root.xpath("//script|//style|//noscript|//template|//head|//svg|//iframe"):
        bad.drop_tree()
    for block in root.xpath("//p|//div|//br|//li|//h1|//h2|//h3|//h4|//h5|//h6|//tr|//section|//article"):
        block.tail = "\n" + (block.tail or "")
    return root.text_content()


def _kind_for(name: str, content_type: str | None = None) -> tuple[str | None, bool]:
    """(kind, gzipped) from a content type and/or a file name; kind None means sniff."""
    low = name.lower()
    gz = low.endswith(".gz")
    if gz:
        low = low[:-3]
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct in ("application/gzip", "application/x-gzip"):
        gz = True
    suffix = os.path.splitext(low)[1]
    if ct in ("text/html", "application/xhtml+xml"):
        return "html", gz
    if ct in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines"):
        return "jsonl", gz
    if suffix in HTML_SUFFIXES:
        return "html", gz
    if suffix in JSONL_SUFFIXES:
        return "jsonl", gz
    if suffix in TEXT_SUFFIXES:
        return "text", gz
    if ct.startswith("text/"):
        return "text", gz
    return None, gz


def _gunzip(data: bytes, name: str, max_bytes: int) -> bytes:
    try:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(data, max_bytes + 1)
        if len(out) > max_bytes:
            raise IngestError(f"{name}: too large once decompressed (over {_size(max_bytes)})")
        if not d.eof:
            raise IngestError(f"{name}: corrupt gzip (the data ends early)")
        return out
    except zlib.error as exc:
        raise IngestError(f"{name}: corrupt gzip ({exc})") from None


def documents_from_bytes(
    data: bytes,
    *,
    source: str,
    filename: str | None = None,
    content_type: str | None = None,
    max_bytes: int,
) -> list[RawDocument]:
    """Documents from an uploaded attachment or a fetched URL body.

    JSONL lines that cannot be read are skipped (and logged) so one bad record does not sink a
    whole upload; an upload with no readable record at all is an error.
    """
    name = filename or source
    if len(data) > max_bytes:
        raise IngestError(f"{name}: too large ({_size(len(data))}; the limit is {_size(max_bytes)})")
    if not data.strip():
        raise IngestError(f"{name}: is empty")
    kind, gz = _kind_for(name, content_type)
    if gz or data[:2] == b"\x1f\x8b":
        data = _gunzip(data, name, max_bytes)
        if not data.strip():
            raise IngestError(f"{name}: is empty")
    if kind == "jsonl":
        docs: list[RawDocument] = []
        problems = 0
        for item in _iter_jsonl_lines(iter(data.splitlines(keepends=True)), source, max_bytes):
            if isinstance(item, SourceProblem):
                problems += 1
                log.warning("%s", item.message)
            else:
                docs.append(item)
        if not docs:
            raise IngestError(f"{name}: no readable records ({problems} bad lines)")
        return docs
    text = decode_bytes(data, name)
    if kind == "html" or (kind is None and _sniff_is_html(text)):
        url = source if source.startswith(("http://", "https://")) else None
        return [html_to_document(normalize_text(text), source, url=url)]
    doc = document_from_text(text, source)
    return [doc]


# ----------------------------------------------------------------------------- JSONL

_JSON_TEXT_KEYS = ("text", "body", "content")
_JSON_META_KEYS = {
    "title": "title",
    "headline": "title",
    "outlet": "outlet",
    "source_name": "outlet",
    "author": "author",
    "date": "date",
    "published": "date",
    "published_at": "date",
    "url": "url",
}


def _record_to_document(record: object, origin: str, lineno: int) -> RawDocument | SourceProblem:
    if not isinstance(record, dict):
        return SourceProblem(origin, f"{origin}: line {lineno}: expected a JSON object")
    text = next((record[k] for k in _JSON_TEXT_KEYS if isinstance(record.get(k), str)), None)
    rec_id = record.get("id")
    rec_id = None if rec_id is None or isinstance(rec_id, (dict, list)) else str(rec_id)
    label = f"{origin}#{rec_id}" if rec_id else f"{origin}:{lineno}"
    if text is None or not text.strip():
        return SourceProblem(label, f"{origin}: line {lineno}: no article text (a 'text' field)")
    meta: dict[str, str | None] = {}
    for key, field_name in _JSON_META_KEYS.items():
        value = record.get(key)
        if value is None or field_name in meta:
            continue
        value = normalize_text(str(value)).strip()
        if value:
            meta[field_name] = value
    if rec_id:
        meta["source_id"] = rec_id
    return RawDocument(text=normalize_text(text), source=label, meta=meta)


#: Distinct records remembered per file to skip exact repeats (a bounded memory of digests).
_SEEN_RECORDS = 500_000


def _iter_jsonl_lines(
    lines: Iterable[bytes], origin: str, max_bytes: int
) -> Iterator[RawDocument | SourceProblem]:
    # A record repeated byte for byte is skipped as it is read: a file of one record repeated
    # a million times (a gzip of a few KB that unpacks to a gigabyte) costs a read, not a
    # million duplicate checks.
    seen: set[bytes] = set()
    repeated = 0
    for lineno, raw in enumerate(lines, 1):
        if len(raw) > max_bytes:
            yield SourceProblem(origin, f"{origin}: line {lineno}: record too large (over {_size(max_bytes)})")
            continue
        if not raw.strip():
            continue
        digest = hashlib.blake2b(raw.strip(), digest_size=16).digest()
        if digest in seen:
            repeated += 1
            continue
        if len(seen) < _SEEN_RECORDS:
            seen.add(digest)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = raw.decode("cp1252", errors="replace")
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield SourceProblem(origin, f"{origin}: line {lineno}: not valid JSON ({exc.msg})")
            continue
        yield _record_to_document(record, origin, lineno)
    if repeated:
        yield SourceProblem(origin, f"{origin}: {repeated:,} records repeated an earlier one byte for byte; skipped")


def _bounded_lines(fh: IO[bytes], max_bytes: int) -> Iterator[bytes]:
    """Lines of a stream without ever holding more than ``max_bytes`` of one line.

    An over-long line is yielded as its first ``max_bytes + 1`` bytes (so the caller can see it
    is too large) and the rest of it is skipped.
    """
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:
                rest = fh.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line


#: Lines read from one JSON Lines source at most (the full news dump holds 21k).
MAX_RECORDS = 1_000_000
#: Bytes a compressed source may unpack to at most.
MAX_UNPACKED = 8 << 30
#: Past the first ``BOMB_FLOOR`` bytes unpacked, a source that has unpacked to more than
#: ``BOMB_RATIO`` times what it read is a decompression bomb: news text compresses 3-5x.
BOMB_RATIO = 50
BOMB_FLOOR = 32 << 20


class _Stop(Exception):
    """A source read past one of its caps; the message says which."""


def _capped_lines(fh: IO[bytes], raw: IO[bytes] | None, origin: str, max_bytes: int) -> Iterator[bytes]:
    """The lines of ``fh`` until a cap is hit: records, unpacked bytes, compression ratio.

    ``raw`` is the compressed file under a gzip stream (None for plain text); its position
    tells how much was read to unpack what ``fh`` returned.
    """
    unpacked = 0
    for n, line in enumerate(_bounded_lines(fh, max_bytes), 1):
        if n > MAX_RECORDS:
            raise _Stop(f"{origin}: stopped after {MAX_RECORDS:,} records (the most one source may hold)")
        unpacked += len(line)
        if raw is not None and unpacked > BOMB_FLOOR:
            if unpacked > MAX_UNPACKED:
                raise _Stop(f"{origin}: stopped after unpacking {_size(MAX_UNPACKED)} (the most one source may hold)")
            packed = max(raw.tell(), 1)
            if unpacked > BOMB_RATIO * packed:
                raise _Stop(
                    f"{origin}: stopped: {_size(packed)} unpacked to over {_size(unpacked)}, more than "
                    f"{BOMB_RATIO} times its size; this is not a news archive (a decompression bomb?)"
                )
        yield line


def _iter_jsonl_file(path: Path, origin: str, max_bytes: int, gz: bool) -> Iterator[RawDocument | SourceProblem]:
    try:
        with open(path, "rb") as raw, (gzip.GzipFile(fileobj=raw) if gz else contextlib.nullcontext(raw)) as fh:
            lines = _capped_lines(fh, raw if gz else None, origin, max_bytes)
            yield from _iter_jsonl_lines(lines, origin, max_bytes)
    except _Stop as stop:
        yield SourceProblem(origin, f"{stop}; the records before it were read")
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        reason = "the data ends early" if isinstance(exc, EOFError) else str(exc) or exc.__class__.__name__
        yield SourceProblem(origin, f"{origin}: corrupt gzip ({reason}); records before the damage were read")
    except OSError as exc:
        yield SourceProblem(origin, f"{origin}: cannot be read ({exc.strerror or exc})")


# ----------------------------------------------------------------------------- files


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.0f} KB"
    return f"{n} bytes"


def _read_file(path: Path, origin: str, max_bytes: int, kind: str | None, gz: bool) -> RawDocument:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(f"{origin}: cannot be read ({exc.strerror or exc})") from None
    if size > max_bytes:
        raise IngestError(f"{origin}: too large ({_size(size)}; the limit is {_size(max_bytes)})")
    if size == 0:
        raise IngestError(f"{origin}: is empty")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{origin}: cannot be read ({exc.strerror or exc})") from None
    if gz:
        data = _gunzip(data, origin, max_bytes)
    if not data.strip():
        raise IngestError(f"{origin}: is empty")
    text = decode_bytes(data, origin)
    if not text.strip():
        raise IngestError(f"{origin}: is empty")
    if kind == "html" or (kind is None and _sniff_is_html(text)):
        return html_to_document(normalize_text(text), origin)
    return document_from_text(text, origin)


def _iter_file(path: Path, max_bytes: int, *, in_directory: bool) -> Iterator[RawDocument | SourceProblem]:
    origin = str(path)
    kind, gz = _kind_for(path.name)
    bare_suffix = os.path.splitext(path.name[:-3] if gz else path.name)[1]
    if kind is None and bare_suffix and in_directory:
        yield SourceProblem(
            origin,
            f"{origin}: unsupported file type '{bare_suffix}{'.gz' if gz else ''}' "
            f"(supported: {', '.join(SUPPORTED_SUFFIXES)})",
        )
        return
    if kind == "jsonl":
        yield from _iter_jsonl_file(path, origin, max_bytes, gz)
        return
    try:
        yield _read_file(path, origin, max_bytes, kind, gz)
    except IngestError as exc:
        yield SourceProblem(origin, exc.message)


def iter_documents(path: Path, *, max_bytes: int) -> Iterator[RawDocument | SourceProblem]:
    """Every document under ``path`` (a file or a directory tree), lazily.

    ``max_bytes`` limits one text/HTML file, or one record of a JSONL file, so a large
    corpus file can be streamed while a single oversized article is still refused. Problems
    come back as :class:`SourceProblem` items in place, never as exceptions.
    """
    path = Path(path)
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                yield from _iter_file(Path(root) / name, max_bytes, in_directory=True)
    elif path.exists():
        yield from _iter_file(path, max_bytes, in_directory=False)
    else:
        yield SourceProblem(str(path), f"{path}: no such file or directory")
