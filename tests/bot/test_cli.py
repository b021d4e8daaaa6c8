"""The command line and the console, run as a user would run them."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture
def cli(tmp_path, seed_db):
    db = tmp_path / "cli.db"
    shutil.copy(seed_db, db)
    env = {**os.environ, "PYTHONPATH": str(REPO), "BRIEFBOT_EXTRACT_WORKERS": "0", "BRIEFBOT_DB": str(db)}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
            env=env, cwd=tmp_path, timeout=120,
        )

    return run


def test_console_round_trip_answers_help_and_articles(cli):
    out = cli("shell", stdin="help\n/articles\nfrobnicate\nquit\n")
    assert out.returncode == 0, out.stderr
    assert "briefbot commands" in out.stdout and "articles" in out.stdout
    assert "Bakhmut" in out.stdout  # a title from the articles listing
    assert "Unknown command 'frobnicate'" in out.stdout


def test_every_command_takes_json(cli):
    out = cli("articles", "--json")
    assert out.returncode == 0, out.stderr
    reply = json.loads(out.stdout)
    assert {"command", "answered", "text", "citations"} <= set(reply)
    assert reply["command"] == "articles" and reply["answered"] is True
    assert len(reply["articles"]) == 5


def test_article_json_and_missing_article(cli):
    reply = json.loads(cli("--json", "article", "1").stdout)
    assert reply["answered"] and reply["article"]["id"] == 1
    out = cli("article", "999", "--json")
    assert out.returncode == 1
    assert json.loads(out.stdout)["answered"] is False


def test_ingest_reports_each_item_and_a_summary(cli, tmp_path):
    good = tmp_path / "good.md"
    good.write_text("title: Pledges\noutlet: Wire\ndate: 2023-01-26\n\nNorway would also send tanks to Ukraine.\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    out = cli("ingest", str(good), str(empty), str(tmp_path / "missing.txt"), "--json")
    reply = json.loads(out.stdout)
    statuses = {Path(r["source"]).name: r["status"] for r in reply["results"]}
    assert statuses == {"good.md": "added", "empty.txt": "error", "missing.txt": "error"}
    assert reply["counts"] == {"added": 1, "error": 2}
    human = cli("ingest", str(good))
    assert "skipped" in human.stdout and "Ingest finished" in human.stdout


def test_fresh_database_is_filled_from_the_shipped_corpus(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "BRIEFBOT_EXTRACT_WORKERS": "0"}
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--db", str(tmp_path / "fresh.db"), "articles", "--json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=180,
    )
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["articles"]) == 5


def test_facts_lists_what_was_extracted_as_json(cli):
    out = cli("facts", "3", "--json")
    assert out.returncode == 0, out.stderr
    reply = json.loads(out.stdout)
    assert reply["command"] == "facts"
    surfaces = {f["surface"] for f in reply["figures"]}
    speakers = {q["speaker"] for q in reply["quotes"]}
    assert surfaces and speakers
    assert all({"low", "high", "qualifier", "thing", "kind", "event", "party", "claimant"} <= set(f) for f in reply["figures"])


def test_facts_from_an_older_extractor_are_flagged_and_caught_up_by_the_console(cli, tmp_path):
    import sqlite3

    db = tmp_path / "cli.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE articles SET facts_version = 1")
    out = cli("articles")
    assert out.returncode == 0, out.stderr
    assert "older extractor" in out.stderr and "briefbot reindex" in out.stderr
    out = cli("shell", stdin="articles\nquit\n")
    assert out.returncode == 0, out.stderr
    assert "Updating the facts of 5 articles" in out.stdout
    with sqlite3.connect(db) as conn:
        stale = conn.execute("SELECT count(*) FROM articles WHERE facts_version = 1").fetchone()[0]
    # the console quit at once: the catch-up was cancelled or done, never half-written
    assert 0 <= stale <= 5
    out = cli("reindex")
    assert out.returncode == 0, out.stderr
    assert "older extractor" not in cli("articles").stderr


def test_undecodable_arguments_and_huge_queries_get_a_clean_answer(cli, tmp_path):
    """Bytes that are not UTF-8 on the command line, and a 100 KB topic: the reply is valid
    UTF-8 (JSON included), and the huge topic is refused at once rather than searched."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "BRIEFBOT_EXTRACT_WORKERS": "0",
           "BRIEFBOT_DB": str(tmp_path / "cli.db")}
    for command in ("ask", "source", "compare", "quotes", "summary"):
        out = subprocess.run(
            [sys.executable, "-m", "bot.cli", "--json", command, os.fsencode("Bakhmut \udcff\udcfe tanks")],
            capture_output=True, env=env, cwd=tmp_path, timeout=120,
        )
        text = out.stdout.decode("utf-8")  # raises if any byte is not UTF-8
        assert json.loads(text)["command"] == command, out.stderr
    huge = cli("--json", "compare", " ".join(f"c{i}" for i in range(3000)))
    reply = json.loads(huge.stdout)
    assert reply["error"] and "at most 1,000" in reply["text"] and huge.returncode == 1
    repeated = json.loads(cli("--json", "compare", "Russian casualties " * 6000).stdout)
    once = json.loads(cli("--json", "compare", "Russian casualties").stdout)
    assert repeated["text"] == once["text"] and not repeated["error"]  # a pasted-over phrase counts once


def test_status_reports_the_corpus_and_the_database(cli):
    out = cli("--json", "status")
    reply = json.loads(out.stdout)
    assert out.returncode == 0 and reply["answered"]
    assert reply["articles"] == 5 and reply["database_bytes"] > 0
    assert reply["facts_versions"] == {str(reply["facts_version"]): 5}
    assert reply["front_ends"] == {} and reply["uptime_seconds"] is None  # no bot runs in a one-shot command


def test_backup_then_restore_gives_the_same_answers(cli, tmp_path):
    """A backup is a database in its own right: put it in the database's place (the documented
    restore) and every answer is as before."""
    before = [json.loads(cli("--json", *q).stdout)["text"] for q in (("ask", "How many tanks?"), ("who", "Prigozhin"))]
    backup = tmp_path / "backups" / "copy.db"
    backup.parent.mkdir()
    out = cli("backup", str(backup))
    assert out.returncode == 0 and backup.exists(), out.stdout + out.stderr
    assert not list(backup.parent.glob("*.partial"))
    again = cli("backup", str(backup))
    assert again.returncode == 1 and "--force" in again.stdout  # never overwritten by accident
    assert cli("remove", "1").returncode == 0
    db = tmp_path / "cli.db"
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    shutil.copy(backup, db)
    after = [json.loads(cli("--json", *q).stdout)["text"] for q in (("ask", "How many tanks?"), ("who", "Prigozhin"))]
    assert after == before
    assert json.loads(cli("--json", "status").stdout)["articles"] == 5


def test_backup_is_consistent_while_another_process_writes(cli, tmp_path):
    """The online backup API copies one committed state even while the bot is adding."""
    writer = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ingest", "--no-extract", str(REPO / "corpus" / "articles")],
        env={**os.environ, "PYTHONPATH": str(REPO), "BRIEFBOT_EXTRACT_WORKERS": "0",
             "BRIEFBOT_DB": str(tmp_path / "cli.db")},
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        out = cli("backup", str(tmp_path / "during.db"))
    finally:
        writer.wait(timeout=120)
    assert out.returncode == 0, out.stderr
    con = sqlite3.connect(tmp_path / "during.db")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] >= 5
    finally:
        con.close()


def test_a_command_logs_one_line_with_its_latency_and_no_text(cli):
    secret = "zebra-crossing-question"
    out = cli("-v", "ask", f"What about the {secret}?")
    lines = [line for line in out.stderr.splitlines() if "handlers.registry" in line and "command ask" in line]
    assert len(lines) == 1 and " ms " in lines[0] + " ", out.stderr
    info = [line for line in out.stderr.splitlines() if " INFO " in line or " WARNING " in line]
    assert not [line for line in info if secret in line]


HEAVY_MODULES = (
    "spacy", "thinc", "matplotlib", "discord", "slack_bolt", "slack_sdk", "trafilatura", "dateparser", "aiohttp",
    "feedparser",
)


@pytest.mark.parametrize("command", [("help",), ("articles",), ("status",), ("article", "1")])
def test_read_only_commands_import_no_model_chart_or_chat_library(cli, tmp_path, command):
    """A command that only reads the database starts without spaCy (about a second), matplotlib
    or the chat libraries: they are imported where they are used."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "BRIEFBOT_EXTRACT_WORKERS": "0", "BRIEFBOT_DB": str(tmp_path / "cli.db")}
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.cli", "--json", *command],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert out.returncode == 0 and json.loads(out.stdout)["answered"], out.stdout
    imported = {line.rsplit("|", 1)[1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert "handlers.who" in imported, sorted(imported)[:20]  # the graph was read
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY_MODULES)
    assert not heavy, heavy[:10]


def test_help_on_the_command_line_lists_the_commands_and_explains_one(cli):
    listing = cli("help")
    assert listing.returncode == 0 and "ask" in listing.stdout and "No chat token" not in listing.stdout
    one = json.loads(cli("--json", "help", "ask").stdout)
    assert one["command"] == "help" and "Usage: ask <question>" in one["text"]
    unknown = cli("--json", "help", "frobnicate")
    assert unknown.returncode == 1 and "There is no command 'frobnicate'" in json.loads(unknown.stdout)["text"]


def test_help_opens_no_database(tmp_path):
    """`briefbot help` on a fresh machine answers at once: it neither creates a database nor
    fills one with the shipped articles (which takes seconds of spaCy)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "BRIEFBOT_DB": str(tmp_path / "data" / "fresh.db")}
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "bot.cli", "help"], capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=120)
    assert out.returncode == 0 and "compare" in out.stdout
    assert not (tmp_path / "data").exists()
    # nor does it build the settings (pydantic is a tenth of a second of a command that needs
    # none) or import what running a command takes: the corpus service, its cleaner, the runner
    imported = {line.rsplit("|", 1)[1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert "handlers.who" in imported
    assert not {"pydantic", "pydantic_settings", "corpus.service", "corpus.clean", "bot.runner"} & imported
