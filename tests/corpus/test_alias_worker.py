"""The alias groups of a running bot live in a helper process (corpus.alias_worker)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from corpus.extract.pipeline import Extractor
from corpus.service import Corpus
from tests.conftest import STORIES, _copy_db


async def _rows_after_stories(db: Path, *, alias_process: bool, kill_first: bool = False) -> set[tuple[str, str, str]]:
    corpus = await Corpus.open(db, extractor=Extractor(workers=0), seed=False, alias_process=alias_process)
    try:
        assert corpus.aliases.in_process is alias_process
        await corpus.aliases.load()  # as a running bot does while it starts
        if alias_process:
            pid = corpus.aliases.pid
            assert pid is not None and pid != os.getpid()
            if kill_first:
                os.kill(pid, signal.SIGKILL)  # out of memory, or killed by hand
        for text in STORIES.values():
            await corpus.ingest_text(text, added_by="tests")
        if kill_first:
            assert corpus.aliases.pid not in (None, pid)  # a new one took over
        return set(await corpus.store.entity_names())
    finally:
        await corpus.close()


async def test_the_alias_process_groups_names_as_the_bot_s_own_process_does(seed_db, tmp_path):
    """Same seed database, same added articles: the persisted groups are the same whether the
    regrouping ran in a thread or in the helper process."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    here = await _rows_after_stories(_copy_db(seed_db, tmp_path / "a"), alias_process=False)
    there = await _rows_after_stories(_copy_db(seed_db, tmp_path / "b"), alias_process=True)
    assert here == there
    new = {canonical for _, canonical, _ in here}
    assert {"Harlow Foods", "Baxter Group", "Jane Ellis"} <= new, sorted(new)[:40]


async def test_a_killed_alias_process_is_rebuilt_from_the_database_and_loses_nothing(seed_db, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    expected = await _rows_after_stories(_copy_db(seed_db, tmp_path / "a"), alias_process=False)
    rows = await _rows_after_stories(_copy_db(seed_db, tmp_path / "b"), alias_process=True, kill_first=True)
    assert rows == expected


async def test_the_groups_can_be_read_back_from_the_process(seed_db, tmp_path):
    corpus = await Corpus.open(_copy_db(seed_db, tmp_path), seed=False, alias_process=True)
    try:
        groups = await corpus.aliases.groups()
        assert groups and groups[0].total >= groups[-1].total
        assert any(len(g.names) > 1 for g in groups)
    finally:
        await corpus.close()


async def test_a_command_that_only_reads_never_builds_the_alias_index(seed_db, tmp_path):
    """Building it from the database takes seconds on a large corpus (6 s at 20k articles):
    `briefbot articles` or `ask` from the command line must not pay for it. An add does."""
    corpus = await Corpus.open(_copy_db(seed_db, tmp_path), extractor=Extractor(workers=0), seed=False)
    try:
        assert (await corpus.store.count_articles()) == 5 and not corpus.aliases.loaded
        before = {name for name, _, _ in await corpus.store.entity_names()}
        await corpus.ingest_text(STORIES["takeover-3.md"], added_by="tests")
        assert corpus.aliases.loaded
        after = {name: canonical for name, canonical, _ in await corpus.store.entity_names()}
        assert before < set(after) and after["Harlow Foods"] == "Harlow Foods"
    finally:
        await corpus.close()
