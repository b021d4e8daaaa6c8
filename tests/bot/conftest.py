"""Fixtures for the Discord front end: a real temp-file corpus, the fake Discord, a live bot.

The corpus is built without spaCy (the extractor here only sleeps when told to), so the
whole Discord suite runs in seconds; what the bot does with extracted facts is the
handler tests' business.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest
import pytest_asyncio
import yarl

import handlers.digest  # noqa: F401 - registers the digest commands until COMMAND_MODULES lists them
from bot.discord_bot import BriefBot
from bot.settings import Settings
from corpus.extract.pipeline import ExtractionItem
from corpus.models import ArticleFacts
from corpus.service import Corpus
from handlers.context import Context
from tests.bot.fake_discord import FakeDiscord

OUTLETS = ("Wire", "Ledger", "Courier")
PLACES = ("Bakhmut", "Soledar", "Kherson", "Avdiivka", "Vuhledar", "Kramatorsk")


def article_text(i: int) -> str:
    """A small article with a header block; every one distinct so none is a near-duplicate."""
    place = PLACES[i % len(PLACES)]
    return (
        f"title: Report {i} from {place}\n"
        f"outlet: {OUTLETS[i % len(OUTLETS)]}\n"
        f"date: 2023-01-{(i % 28) + 1:02d}\n"
        f"url: https://news.example/{i}\n\n"
        f"Officials in {place} said on day {i} that {i + 3} convoys reached the district overnight.\n\n"
        f"The regional governor, speaking to reporters number {i * 7 + 1},"
        f" described shelling near the {place} rail yard.\n\n"
        f"Residents counted {i * 11 + 2} damaged homes after the attack on the {i}th street."
    )


class SleepyExtractor:
    """Finds no facts; sleeps in a worker thread when asked to, like a long spaCy run."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.running = asyncio.Event()

    async def extract(self, items: Sequence[ExtractionItem]) -> list[ArticleFacts]:
        if self.delay:
            self.running.set()
            await asyncio.get_running_loop().run_in_executor(None, time.sleep, self.delay)
        return [ArticleFacts() for _ in items]

    def close(self) -> None:
        return None


@dataclass
class Clock:
    """A controllable UTC clock for the digest scheduler."""

    now: datetime = field(default_factory=lambda: datetime(2024, 3, 4, 8, 30, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "discord.db"


@pytest_asyncio.fixture
async def extractor() -> SleepyExtractor:
    return SleepyExtractor()


@pytest_asyncio.fixture
async def corpus(db_path: Path, extractor: SleepyExtractor) -> AsyncIterator[Corpus]:
    corpus = await Corpus.open(db_path, extractor=extractor, seed=False)  # type: ignore[arg-type]
    for i in range(3):
        result = await corpus.ingest_text(article_text(i), added_by="tests")
        assert result.status == "added", result.message
    yield corpus
    await corpus.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(corpus: Corpus, clock: Clock) -> Context:
    return Context(corpus, clock=clock)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        _env_file=None,
        discord_token="fake-token-never-logged",
        discord_prefix="!",
        moderator_roles=["Moderator"],
        cooldown_seconds=30.0,
        max_file_bytes=20_000,
    )


@pytest_asyncio.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    # monkeypatch restores both globals after the test.
    monkeypatch.setattr(discord.http.Route, "BASE", f"{server.base_url}/api/v10")
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(f"ws://127.0.0.1:{server.port}/"))
    yield server
    await server.close()


StartBot = Callable[..., Awaitable[BriefBot]]


@pytest_asyncio.fixture
async def start_bot(fake: FakeDiscord, settings: Settings) -> AsyncIterator[StartBot]:
    """Start a bot against the fake (several may be started in turn, e.g. for a restart)."""
    running: list[tuple[BriefBot, asyncio.Task[None]]] = []

    async def start(ctx: Context, **options: object) -> BriefBot:
        options.setdefault("guild_ready_timeout", 0.1)
        bot = BriefBot(settings, ctx, **options)  # type: ignore[arg-type]
        task = asyncio.create_task(bot.start(settings.discord_token.get_secret_value()))
        running.append((bot, task))
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raises what went wrong
        assert ready in done, "the bot did not become ready"
        # The digest loop's first pass runs right after ready; let it finish so a test's
        # own passes are not racing it (the next one is a minute away).
        await fake.poll(lambda: bot.scheduler is not None and bot.scheduler.passes >= 1)
        return bot

    yield start
    for bot, task in running:
        if not bot.is_closed():
            await bot.close()
        await asyncio.wait_for(task, timeout=5)


@pytest_asyncio.fixture
async def bot(start_bot: StartBot, ctx: Context) -> BriefBot:
    return await start_bot(ctx)
