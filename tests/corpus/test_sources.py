from __future__ import annotations

import gzip
import itertools
import json
import random
from pathlib import Path

import pytest

from corpus.errors import IngestError
from corpus.models import RawDocument
from corpus.sources import (
    SourceProblem,
    document_from_text,
    documents_from_bytes,
    iter_documents,
    normalize_text,
    parse_header,
)

from .conftest import EVAL_ARTICLES

LIMIT = 1 << 20
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"


def _read(path: Path, max_bytes: int = LIMIT) -> tuple[list[RawDocument], list[SourceProblem]]:
    docs: list[RawDocument] = []
    problems: list[SourceProblem] = []
    for item in iter_documents(path, max_bytes=max_bytes):
        (problems if isinstance(item, SourceProblem) else docs).append(item)
    return docs, problems


def _only_problem(path: Path, max_bytes: int = LIMIT) -> str:
    docs, problems = _read(path, max_bytes)
    assert not docs
    assert len(problems) == 1
    message = problems[0].message
    assert "\n" not in message
    assert str(path) in message, "the message names the file"
    return message


# ----------------------------------------------------------------------------- good inputs


def test_eval_articles_come_with_their_header_metadata(eval_manifest):
    docs, problems = _read(EVAL_ARTICLES)
    assert not problems
    assert len(docs) == len(eval_manifest) == 16
    by_name = {Path(d.source).name: d for d in docs}
    for entry in eval_manifest:
        doc = by_name[entry["file"]]
        for key in ("title", "outlet", "date", "url"):
            assert doc.meta[key] == entry[key], (entry["file"], key)
        assert not doc.text.startswith(("title:", "\n")), "the header is not part of the body"


def test_seeds_have_no_header_and_keep_their_text(seed_paths):
    docs, problems = _read(seed_paths[0].parent)
    assert not problems
    assert [Path(d.source).name for d in docs] == [p.name for p in seed_paths]
    assert all(d.meta == {} for d in docs)
    assert docs[0].text.startswith(" date 2023-01-24 Washington believes")


def test_header_keys_are_case_insensitive_and_unknown_keys_ignored():
    doc = document_from_text(
        "Title: Tanks arrive\nOUTLET: Example News\nAuthor: Jane Doe\nDate: 2023-02-01\n"
        "URL: https://example.com/a\nSection: World\n\nThe tanks arrived on Monday."
    )
    assert doc.meta == {
        "title": "Tanks arrive",
        "outlet": "Example News",
        "author": "Jane Doe",
        "date": "2023-02-01",
        "url": "https://example.com/a",
    }
    assert doc.text == "The tanks arrived on Monday."
    assert doc.source == "pasted"


def test_a_body_that_opens_with_a_colon_is_not_mistaken_for_a_header():
    meta, body = parse_header("Kyiv: the capital was shelled overnight.\n\nMore text follows.")
    assert meta == {}
    assert body.startswith("Kyiv:")


def test_markdown_front_matter_is_a_header():
    meta, body = parse_header("---\ntitle: Front matter\ndate: 2023-03-01\n---\n\nBody text here.")
    assert meta == {"title": "Front matter", "date": "2023-03-01"}
    assert body.strip() == "Body text here."


def test_jsonl_gz_news_corpus_streams_with_meta_from_the_json(news_corpus):
    items = list(itertools.islice(iter_documents(news_corpus, max_bytes=LIMIT), 200))
    assert all(isinstance(d, RawDocument) for d in items)
    first = items[0]
    assert first.source == f"{news_corpus}#reuters21578-1"
    assert first.meta["source_id"] == "reuters21578-1"
    assert first.meta["title"] == "BAHIA COCOA REVIEW"
    assert first.meta["outlet"] == "Reuters"
    assert first.meta["date"] == "1987-02-26"
    assert "url" not in first.meta, "a null JSON field is absent, not the string 'None'"
    assert first.text.startswith("Showers continued throughout the week")


def test_a_bad_jsonl_line_is_reported_by_number_and_the_rest_still_read(tmp_path):
    path = tmp_path / "mixed.jsonl"
    lines = [
        json.dumps({"id": "a1", "title": "One", "outlet": "Wire", "text": "First story text."}),
        "{this is not json",
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "a4", "text": ""}),
        "",
        json.dumps({"id": 5, "text": "Fifth story text.", "date": "2023-01-02"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, problems = _read(path)
    assert [d.source for d in docs] == [f"{path}#a1", f"{path}#5"]
    assert docs[0].meta == {"title": "One", "outlet": "Wire", "source_id": "a1"}
    assert docs[1].meta == {"date": "2023-01-02", "source_id": "5"}
    messages = [p.message for p in problems]
    assert len(messages) == 3
    assert "line 2" in messages[0] and "not valid JSON" in messages[0]
    assert "line 3" in messages[1] and "JSON object" in messages[1]
    assert "line 4" in messages[2] and "no article text" in messages[2]
    assert all(str(path) in m for m in messages)


def test_html_file_gives_text_and_metadata_but_never_script_text(tmp_path):
    filler = " ".join(["The delegation spent the day touring the reconstruction sites."] * 4)
    html = f"""<!DOCTYPE html><html><head>
      <title>Ignored site title</title>
      <meta property="og:title" content="Ministers visit Kharkiv">
      <meta property="og:site_name" content="Example Times">
      <meta name="author" content="Jane Doe">
      <meta property="article:published_time" content="2023-02-03T10:00:00Z">
      <link rel="canonical" href="https://example.com/kharkiv">
      <script>var TRACKER_SECRET = "script-one";</script>
      <style>.headline {{ color: red; }}</style>
    </head><body>
      <script>document.write("SCRIPT TEXT IN BODY")</script>
      <nav>Home | World | Europe</nav>
      <article><h1>Ministers visit Kharkiv</h1>
        <p>Foreign ministers visited Kharkiv on Friday to see the damage. {filler}</p>
        <script type="application/ld+json">{{"@type": "NewsArticle", "headline": "LDJSON TEXT"}}</script>
        <p>They promised further help for the city before winter. {filler}</p>
      </article>
      <script>alert("another script")</script>
    </body></html>"""
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    docs, problems = _read(path)
    assert not problems and len(docs) == 1
    doc = docs[0]
    assert doc.is_html
    assert "Foreign ministers visited Kharkiv" in doc.text
    assert "They promised further help" in doc.text
    for leaked in ("TRACKER_SECRET", "SCRIPT TEXT", "alert(", "LDJSON", "color: red"):
        assert leaked not in doc.text
    assert doc.meta["title"] == "Ministers visit Kharkiv"
    assert doc.meta["outlet"] == "Example Times"
    assert doc.meta["author"] == "Jane Doe"
    assert doc.meta["date"] == "2023-02-03"
    assert doc.meta["url"] == "https://example.com/kharkiv"


def test_html_dates_come_from_markup_never_from_the_body_text(tmp_path):
    from corpus.clean import clean_document

    filler = " ".join(["The delegation spent the day touring the reconstruction sites."] * 4)
    html = f"""<!DOCTYPE html><html><head><title>Talks</title></head><body><article>
      <h1>Talks End Without a Deal</h1>
      <p>The talks were the first since the 11 September 2001 attacks, officials said. {filler}</p>
      <p>The group was founded in 1985 and last met on 3 March 2019 in Geneva. {filler}</p>
    </article></body></html>"""
    path = tmp_path / "undated.html"
    path.write_text(html, encoding="utf-8")
    (doc,), problems = _read(path)
    assert not problems
    assert "date" not in doc.meta
    assert clean_document(doc).published is None
    path.write_text(html.replace("<title>", '<meta property="article:published_time" content="2023-02-03"><title>'))
    (doc,), _ = _read(path)
    assert doc.meta["date"] == "2023-02-03"
    assert (clean_document(doc).published, clean_document(doc).published_inferred) == ("2023-02-03", False)


def test_a_jsonl_date_field_dates_the_article_and_its_absence_leaves_it_undated(tmp_path):
    from corpus.clean import clean_document

    body = "Exports have risen every year since the 11 September 2001 attacks, the ministry said in 1985."
    path = tmp_path / "news.jsonl"
    path.write_text(
        json.dumps({"id": "a", "date": "2005-02-01", "text": "LONDON, Jan 24 (Reuters) - " + body}) + "\n"
        + json.dumps({"id": "b", "date": None, "text": body}) + "\n",
        encoding="utf-8",
    )
    docs, problems = _read(path)
    assert not problems
    assert [(clean_document(d).published, clean_document(d).published_inferred) for d in docs] == [
        ("2005-02-01", False),
        (None, False),
    ]


def test_tiny_html_made_mostly_of_scripts_still_yields_only_visible_text():
    html = (
        b"<html><head><script>var a='HIDDEN1';</script></head><body>"
        b"<script>document.write('HIDDEN2')</script><p>Visible words only.</p>"
        b"<script>var c='HIDDEN3';</script><noscript>HIDDEN4</noscript></body></html>"
    )
    docs = documents_from_bytes(html, source="https://example.com/x", content_type="text/html", max_bytes=LIMIT)
    assert [d.text for d in docs] == ["Visible words only."]


def test_files_without_an_extension_are_sniffed(tmp_path):
    (tmp_path / "page").write_text("<!DOCTYPE html><html><body><p>Sniffed as HTML.</p></body></html>")
    (tmp_path / "note").write_text("Plain words without an extension.")
    docs, problems = _read(tmp_path)
    assert not problems
    assert {Path(d.source).name: (d.text, d.is_html) for d in docs} == {
        "note": ("Plain words without an extension.", False),
        "page": ("Sniffed as HTML.", True),
    }


def test_odd_unicode_is_normalised(tmp_path):
    raw = (
        "\ufeffTitle: Caf\u0065\u0301\r\n\r\n"
        "The cafe\u0301 costs\u00a05\u202f000 roubles.\u200b\r\nNext\u2028line\u00ad here."
    )
    path = tmp_path / "odd.txt"
    path.write_bytes(raw.encode("utf-8"))
    docs, _ = _read(path)
    doc = docs[0]
    assert doc.meta["title"] == "Café"
    assert doc.text == "The café costs 5 000 roubles.\nNext\nline here."
    assert normalize_text("a\r\nb\rc\u00a0d\u200be\ufeff") == "a\nb\nc de"


# ----------------------------------------------------------------------------- bad inputs


def test_empty_and_whitespace_only_files_are_refused(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b"  \n\t\r\n  ")
    assert "is empty" in _only_problem(empty)
    assert "is empty" in _only_problem(blank)
    with pytest.raises(IngestError, match="is empty"):
        document_from_text(" \n \u200b\n")
    with pytest.raises(IngestError, match="empty"):
        documents_from_bytes(b"   ", source="upload.txt", max_bytes=LIMIT)


def test_binary_files_are_refused_even_with_a_text_extension(tmp_path):
    png = tmp_path / "photo.txt"
    png.write_bytes(PNG + bytes(range(256)) * 4)
    assert "PNG image" in _only_problem(png)
    nul = tmp_path / "dump.txt"
    nul.write_bytes(b"some text\x00\x00\x01\x02 more")
    assert "binary" in _only_problem(nul)
    controls = tmp_path / "controls.txt"
    controls.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 20 + b"abc")
    assert "binary" in _only_problem(controls)
    with pytest.raises(IngestError, match="PNG"):
        documents_from_bytes(PNG, source="https://x/y", filename="y.txt", max_bytes=LIMIT)


def test_oversized_files_are_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: a reader that slurped it first would notice
    message = _only_problem(big, max_bytes=1000)
    assert "too large" in message and "50.0 MB" in message
    with pytest.raises(IngestError, match="too large"):
        documents_from_bytes(b"x" * 2000, source="upload.txt", max_bytes=1000)


def test_cp1252_text_with_curly_quotes_is_decoded_not_refused(tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes("He said \u201chello\u201d \u2013 it\u2019s fine, costs \u20ac5.".encode("cp1252"))
    docs, problems = _read(path)
    assert not problems
    assert docs[0].text == "He said “hello” – it’s fine, costs €5."


def test_latin1_is_the_last_resort(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(b"Caf\xe9 \x81 na\xefve")  # 0x81 is undefined in cp1252
    docs, _ = _read(path)
    assert docs[0].text.startswith("Café")
    assert docs[0].text.endswith("naïve")


def test_corrupt_gzip_is_reported(tmp_path):
    garbage = tmp_path / "garbage.jsonl.gz"
    garbage.write_bytes(b"this was never gzip")
    assert "corrupt gzip" in _only_problem(garbage)
    text_gz = tmp_path / "story.txt.gz"
    text_gz.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-deflate-data")
    assert "corrupt gzip" in _only_problem(text_gz)
    with pytest.raises(IngestError, match="corrupt gzip"):
        documents_from_bytes(b"\x1f\x8bnot really", source="up", filename="up.jsonl.gz", max_bytes=LIMIT)


def test_a_truncated_jsonl_gz_keeps_the_records_before_the_damage(tmp_path):
    rng = random.Random(7)
    words = ["tank", "shell", "front", "Kyiv", "winter"]
    records = [json.dumps({"id": i, "text": " ".join(rng.choice(words) for _ in range(80))}) for i in range(400)]
    data = gzip.compress(("\n".join(records) + "\n").encode("utf-8"))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    docs, problems = _read(path)
    assert 0 < len(docs) < 400
    assert [d.meta["source_id"] for d in docs] == [str(i) for i in range(len(docs))]
    assert len(problems) == 1 and "corrupt gzip" in problems[0].message


def test_a_directory_mixing_good_and_bad_files(tmp_path):
    (tmp_path / "a_good.txt").write_text("title: Good one\n\nA perfectly good article.", encoding="utf-8")
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_picture.txt").write_bytes(PNG)
    (tmp_path / "d_report.pdf").write_bytes(b"%PDF-1.4 ...")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "e_page.htm").write_text("<html><body><p>Good HTML article text.</p></body></html>")
    (sub / "f_records.jsonl").write_text(json.dumps({"id": "r1", "text": "Good record."}) + "\n")
    (sub / "g_broken.jsonl.gz").write_bytes(b"nope")
    hidden = tmp_path / ".cache"
    hidden.mkdir()
    (hidden / "secret.txt").write_text("never read")
    (tmp_path / ".hidden.txt").write_text("never read")

    items = list(iter_documents(tmp_path, max_bytes=LIMIT))
    kinds = [(type(i).__name__, Path(i.source.split("#")[0]).name) for i in items]
    assert kinds == [
        ("RawDocument", "a_good.txt"),
        ("SourceProblem", "b_empty.txt"),
        ("SourceProblem", "c_picture.txt"),
        ("SourceProblem", "d_report.pdf"),
        ("RawDocument", "e_page.htm"),
        ("RawDocument", "f_records.jsonl"),
        ("SourceProblem", "g_broken.jsonl.gz"),
    ]
    problems = [i for i in items if isinstance(i, SourceProblem)]
    assert "unsupported file type '.pdf'" in problems[2].message
    assert all("\n" not in p.message for p in problems)
    assert all("never read" not in getattr(i, "text", "") for i in items)


def test_a_missing_path_is_a_problem_not_a_crash(tmp_path):
    assert "no such file" in _only_problem(tmp_path / "nowhere.txt")


def test_documents_from_bytes_picks_the_reader_from_type_and_name():
    jsonl = gzip.compress(b'{"id": "x", "text": "Zipped record."}\n{broken\n')
    docs = documents_from_bytes(jsonl, source="upload", filename="batch.jsonl.gz", max_bytes=LIMIT)
    assert [(d.source, d.text) for d in docs] == [("upload#x", "Zipped record.")]
    text = documents_from_bytes(
        b"title: Header\n\nBody text.", source="https://example.com/a.txt", content_type="text/plain", max_bytes=LIMIT
    )
    assert text[0].meta == {"title": "Header"} and text[0].text == "Body text."
    with pytest.raises(IngestError, match="no readable records"):
        documents_from_bytes(b"{broken\n", source="upload", filename="bad.jsonl", max_bytes=LIMIT)


def test_a_record_repeated_over_and_over_is_read_once(tmp_path):
    """A small gzip that unpacks to the same record many times over costs a read, not a
    duplicate check per copy."""
    record = json.dumps({"title": "Grain deal", "text": "The corridor reopened on Tuesday, officials said."}) + "\n"
    path = tmp_path / "repeated.jsonl.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(record.encode() * 50_000)
    items = list(iter_documents(path, max_bytes=1_000_000))
    assert [type(i).__name__ for i in items] == ["RawDocument", "SourceProblem"]
    assert "49,999 records repeated an earlier one" in items[1].message


def _record(i: int) -> bytes:
    return json.dumps({"id": f"r{i}", "title": f"Item {i}", "text": f"Officials said {i} trucks arrived."}).encode() + b"\n"


def test_a_decompression_bomb_stops_within_its_cap_and_keeps_what_came_before(tmp_path, monkeypatch):
    """Two real records, then a few KB that unpack to 40 MB of one repeated record: reading
    stops at the compression-ratio cap, long before the end, and the real records are kept."""
    import corpus.sources as sources

    monkeypatch.setattr(sources, "BOMB_FLOOR", 1 << 20)
    path = tmp_path / "bomb.jsonl.gz"
    filler = b" " * 4000 + _record(99)  # a padded line: repeats compress about 1000x
    with gzip.open(path, "wb") as fh:
        fh.write(_record(1) + _record(2))
        for _ in range((40 << 20) // len(filler)):
            fh.write(filler)
    items = list(iter_documents(path, max_bytes=1_000_000))
    docs = [i for i in items if isinstance(i, RawDocument)]
    problems = [i.message for i in items if not isinstance(i, RawDocument)]
    assert [d.meta["title"] for d in docs][:3] == ["Item 1", "Item 2", "Item 99"]
    assert any("decompression bomb" in p and "records before it were read" in p for p in problems), problems
    assert path.stat().st_size < 200_000


def test_a_jsonl_source_stops_at_the_record_cap(tmp_path, monkeypatch):
    import corpus.sources as sources

    monkeypatch.setattr(sources, "MAX_RECORDS", 3)
    path = tmp_path / "many.jsonl"
    path.write_bytes(b"".join(_record(i) for i in range(10)))
    items = list(iter_documents(path, max_bytes=1_000_000))
    assert [i.meta["title"] for i in items if isinstance(i, RawDocument)] == ["Item 0", "Item 1", "Item 2"]
    assert "stopped after 3 records" in items[-1].message
