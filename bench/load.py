"""Load benchmark: ``briefbot run`` as a user runs it, with a busy guild, against a fake Discord.

Run: ``.venv/bin/python bench/load.py`` (builds or reuses /tmp/briefbot-bench-3000.db, like
``bench/query.py --limit 3000``), or ``.venv/bin/python bench/load.py --db /tmp/bench-full.db``
for a database built by ``bench/query.py --db FILE``, which is copied first and never written.
Options: ``--limit N`` (articles to build with, default 3000), ``--members 50``,
``--commands 1000``, ``--seconds 60``, ``--adds 20``, ``--slash-share 0.75``,
``--heartbeat 5`` (seconds), ``--seed 7``, ``--workers 1`` (extraction processes while
building), ``--warm`` (one of each command before the load, not counted: without it the load
meets the caches a bot builds on its first requests), ``--keep`` (keep the temp dir with the
bot's log). Needs ``../shared/data/news-corpus.jsonl.gz`` and says "skipped" without it.

What it does, and why:

* The bot is a separate process started with ``briefbot sync-commands`` then ``briefbot run``,
  configured only by ``BRIEFBOT_*`` variables, with its working directory a fresh temp dir so a
  developer's ``.env`` (read relative to the working directory) cannot change the run. Its
  Discord is the fake of the tests (``tests/bot/fake_discord.py``), served from this process on
  loopback, which keeps Discord's interaction rules: a callback more than 3 s after the
  interaction is refused (10062), so an answer the bot gives too late is counted as lost here
  exactly as a member would lose it. ``sync-commands`` is how a user publishes the commands, and
  the fake records what was published: slash commands are sent by those names and options.
* ``BRIEFBOT_COOLDOWN_SECONDS=0``: 50 simulated members share one test machine and sometimes
  send a heavy command twice within seconds; the per-user cooldown would answer those with a
  "slow down" instead of measuring the command. Admission control (the "Busy" answer) stays on.
* 50 members (user ids in the guild) send ``--commands`` commands at Poisson arrivals over
  ``--seconds`` (arrival times drawn uniformly, which is a Poisson process given the count), three
  in four as slash commands and the rest as ``!`` messages, from the request pools of
  ``bench/query.py`` (typos and unanswerable questions included) plus hostile text: mentions,
  FTS5 syntax, SQL, input over the length limit, odd Unicode. A prefix reply carries no
  reference to the message it answers, so each ``!`` command is sent in a channel where no other
  command is waiting: the bot's next message there is its reply.
* A moderator adds ``--adds`` articles the database does not hold, spread over the run, as
  attachments and as pasted text, by slash and by prefix: each goes through the bot's spaCy
  extraction. They are news records the database's build never reached (titles not stored,
  prose rather than price tables); a database built from the whole corpus lacks only records it
  refused as copies, so then the held-out articles of ``../shared/eval/articles`` are added.
* ``#news`` is subscribed to ``subscribe new`` and ``#general`` to a daily digest due during the
  run; after the load the bench waits (at most ``--digest-wait`` s) for the digest pass that
  covers the last addition, and counts digests per channel and articles listed twice.
* Latency is what a member sees, measured when the fake receives the bot's request:
  "acknowledged" is the first accepted interaction callback (a message, or "thinking…"),
  "answered" is the final content (that message, or the followup after a deferral); a prefix
  command's is the bot's reply message.
* The bot is ready when it has answered ``!help`` and its CPU time and RSS have stopped moving
  (it warms its model at start): that RSS is the idle figure. RSS is then sampled every 100 ms
  and VmHWM read before stopping. The CPU seconds used during the load by this process (the
  members and the fake Discord), the bot and its helper processes are printed too: they share
  the machine's cores, and a stall means little without knowing how busy those were. The fake announces a short heartbeat interval
  (``--heartbeat``, Discord's is ~41 s) so a run of a minute sees a dozen heartbeats; one more
  than 100 ms later than the interval is counted late. At the end the bot gets SIGINT (its own
  process, as ``kill -INT`` does), and its stderr gives tracebacks, ERROR lines and the event loop
  probe's lines (``bot.monitor``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import logging
import os
import random
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import query  # noqa: E402
from bot.discord_bot import GENERIC_FAILURE  # noqa: E402
from bot.discord_render import COLOUR_ANSWER, COLOUR_ERROR, COLOUR_UNANSWERED  # noqa: E402
from handlers.registry import REGISTRY, load_commands  # noqa: E402
from tests.bot.fake_discord import FakeDiscord, Person, Recorded  # noqa: E402

log = logging.getLogger(__name__)

#: The published slash commands: their options (name -> Discord option type) by command name.
Synced = dict[str, dict[str, int]]

NEWS = query.NEWS
#: Real articles no news record duplicates: added when the database holds the whole corpus.
HELD_OUT = ROOT.parent / "shared" / "eval" / "articles"
MODERATOR_ROLE_NAME = "Moderator"
#: A heartbeat this much later than the announced interval is counted late.
HEARTBEAT_GRACE = 0.100
#: Member commands by weight: the questions people ask most, then lookups, a little help.
WEIGHTS = {"ask": 24, "source": 14, "compare": 10, "quotes": 11, "who": 11, "summary": 11, "timeline": 11,
           "help": 3, "articles": 5}
POOLS: dict[str, tuple[str, list[str | None]]] = {
    **query.MIX,
    "help": ("command", [None, "ask", "compare", "subscribe"]),
    "articles": ("query", [None, "Bakhmut", "Reuters", "oil", "BBC"]),
}
#: Share of requests whose text is replaced by hostile or odd input.
HOSTILE_SHARE = 0.10
HOSTILE = [
    "@everyone how many tanks is the US sending?",
    "@here <@&123456789012345678> <@123456789012345678> who is Prigozhin",
    '"AND OR NEAR(',
    'tanks AND "Bakhmut OR NEAR(soldiers, 5) -casualties* ^oil: {title}',
    "'; DROP TABLE articles; --",
    "Ｂａｋｈｍｕｔ ｔａｎｋｓ",
    "Zelensky\u200b\u200dy 🇺🇦🔥 said what?",
    "\u202etuhmkaB\u202c Bakhmut",
    "Prigoz\u030chin",
    "Пригожин Бахмут",
    "ما هي باخموت",
    "🤔🤔🤔",
    "how many tanks " * 60,  # ~900 characters: long but within the 1,000 allowed
    "tanks " * 300,  # 1,800 characters: over the limit, refused
]
SLASH_TEXT_LIMIT = 6000  # Discord's longest string option
MESSAGE_LIMIT = 2000  # Discord's longest message
SUMMARY_RE = re.compile(r"event loop: largest lateness (\d+) ms, (\d+) stalls over (\d+) ms, over (\d+) s")
DIGEST_RE = re.compile(r"posted digest for subscription \d+ to (\S+)")
STALL_RE = re.compile(r"event loop ran (\d+) ms late")
LEVEL_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+): (.*)$")
SENTENCE_END = re.compile(r"[a-z]{2}[.!?][\"'”’]?(?:\s|$)")
CALLBACK_RE = re.compile(r"/interactions/\d+/([^/]+)/callback")
WEBHOOK_RE = re.compile(r"/webhooks/\d+/([^/]+)(/messages/@original)?")
CHANNEL_POST_RE = re.compile(r"/channels/(\d+)/messages")


# --------------------------------------------------------------------------- what was sent, what came back


@dataclass
class Planned:
    """One command a person will send ``at`` seconds into the load."""

    at: float
    command: str
    via: str  # "slash" or "prefix"
    person: Person
    arg: str | None = None
    value: str | None = None
    hostile: bool = False
    attachment: tuple[str, bytes] | None = None


@dataclass
class Sent:
    """A command sent, and what the bot did with it, as the fake saw it (monotonic seconds)."""

    command: str
    via: str
    phase: str  # "probe", "setup", "warm" or "load"
    who: str
    text: str
    sent_at: float = 0.0
    hostile: bool = False
    token: str | None = None
    channel: int | None = None
    acked_at: float | None = None
    answered_at: float | None = None
    deferred: bool = False
    embeds: list[dict[str, Any]] = field(default_factory=list)
    http_errors: list[int] = field(default_factory=list)

    def ack_ms(self) -> float | None:
        return None if self.acked_at is None else (self.acked_at - self.sent_at) * 1000

    def answer_ms(self) -> float | None:
        return None if self.answered_at is None else (self.answered_at - self.sent_at) * 1000

    def settled(self, now: float, window: float) -> bool:
        """Nothing more can come: answered, or an interaction nobody acknowledged in time."""
        if self.answered_at is not None:
            return True
        return self.via == "slash" and self.acked_at is None and now - self.sent_at > window + 0.5

    def outcome(self) -> str:
        if self.via == "slash" and self.acked_at is None:
            return "unacknowledged"
        if self.answered_at is None:
            return "lost"
        if not self.embeds:
            return "other"
        embed = self.embeds[0]
        colour = embed.get("color")
        if colour == COLOUR_ERROR.value and not embed.get("title"):
            text = embed.get("description") or ""
            if text == GENERIC_FAILURE:
                return "failure"
            if text.startswith("Busy"):
                return "busy"
            if text.startswith("That took longer than"):
                return "timeout"
            return "refused"
        if colour == COLOUR_ANSWER.value:
            return "answered"
        if colour == COLOUR_UNANSWERED.value:
            return "unanswered"
        return "other"


@dataclass
class DigestPost:
    channel: int
    at: float
    body: dict[str, Any]

    def digests(self) -> int:
        """Digests this message starts: a digest's first page is the one with a description
        (a long digest goes out as several messages of embeds)."""
        return sum(1 for embed in self.body.get("embeds") or [] if embed.get("description"))

    def article_ids(self) -> list[int]:
        """The articles a digest message lists (``[id] title — outlet, date`` fields)."""
        ids: list[int] = []
        for embed in self.body.get("embeds") or []:
            for f in embed.get("fields") or []:
                name = f.get("name") or ""
                if name.endswith("(cont.)"):
                    continue
                if m := re.match(r"\[(\d+)\] ", name):
                    ids.append(int(m.group(1)))
                elif name.startswith("…and"):
                    ids += [int(x) for x in re.findall(r"\[(\d+)\]", f.get("value") or "")]
        return ids


class Tracker:
    """Matches every request the bot makes to the fake with the command it answers."""

    def __init__(self, fake: FakeDiscord, pool: Sequence[int], digest_channels: Sequence[int]) -> None:
        self.fake = fake
        self.sent: list[Sent] = []
        self.by_token: dict[str, Sent] = {}
        self.orphans: dict[str, list[Recorded]] = {}
        self.free: list[int] = list(pool)
        self.owner: dict[int, Sent] = {}
        self.digests: dict[int, list[DigestPost]] = {c: [] for c in digest_channels}
        self.http_errors: list[Recorded] = []
        self.unattributed: list[Recorded] = []
        self.channel_waits = 0
        fake.listeners.append(self.on_request)

    def new(self, sent: Sent) -> Sent:
        self.sent.append(sent)
        return sent

    def bind(self, sent: Sent, token: str) -> None:
        sent.token = token
        self.by_token[token] = sent
        for rec in self.orphans.pop(token, []):  # the bot answered before slash() returned
            self._apply(sent, rec)

    async def take_channel(self, sent: Sent) -> int:
        """A channel with no command in flight, so the bot's next message there answers ``sent``."""
        if not self.free:
            self.channel_waits += 1
            while not self.free:
                await asyncio.sleep(0.01)
        channel = self.free.pop(0)
        self.owner[channel] = sent
        sent.channel = channel
        return channel

    def on_request(self, rec: Recorded) -> None:
        if rec.status >= 400:
            self.http_errors.append(rec)
        if token := self._token_of(rec):
            self._route_token(token, rec)
        elif rec.method == "POST" and (m := CHANNEL_POST_RE.fullmatch(rec.path)):
            channel = int(m.group(1))
            if channel in self.owner and rec.status < 400:
                sent = self.owner.pop(channel)
                self.free.append(channel)
                self._apply(sent, rec)
            elif channel in self.digests and rec.status < 400:
                self.digests[channel].append(DigestPost(channel, rec.at, rec.json or {}))
            elif channel in self.owner:
                self.owner[channel].http_errors.append(rec.status)
            else:
                self.unattributed.append(rec)

    @staticmethod
    def _token_of(rec: Recorded) -> str | None:
        """The interaction a callback, a followup or an edit of the original response is for."""
        if rec.method == "POST" and (m := CALLBACK_RE.fullmatch(rec.path)):
            return m.group(1)
        if rec.method in ("POST", "PATCH") and (m := WEBHOOK_RE.fullmatch(rec.path)):
            return m.group(1)
        return None

    def _route_token(self, token: str, rec: Recorded) -> None:
        sent = self.by_token.get(token)
        if sent is None:
            self.orphans.setdefault(token, []).append(rec)
        else:
            self._apply(sent, rec)

    @staticmethod
    def _apply(sent: Sent, rec: Recorded) -> None:
        if rec.status >= 400:
            sent.http_errors.append(rec.status)
            return
        body = rec.json if isinstance(rec.json, dict) else {}
        if "/callback" in rec.path:
            if sent.acked_at is None:
                sent.acked_at = rec.at
            if body.get("type") == 5:
                sent.deferred = True
            elif body.get("type") == 4 and sent.answered_at is None:
                sent.answered_at = rec.at
                sent.embeds = (body.get("data") or {}).get("embeds") or []
            return
        if sent.answered_at is None:  # a followup, an edit of the deferred original, or a prefix reply
            sent.acked_at = sent.acked_at or rec.at
            sent.answered_at = rec.at
            sent.embeds = body.get("embeds") or []


# --------------------------------------------------------------------------- the database and the articles to add


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of ``source`` that writes nothing beside it: a plain file copy when no
    connection has it open (no ``-wal`` file), else SQLite's backup API on a read-only connection."""
    if not Path(f"{source}-wal").exists():
        shutil.copyfile(source, target)
        return
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        with contextlib.closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    finally:
        src.close()


async def prepare_database(args: argparse.Namespace, workdir: Path) -> Path:
    """The bot's database: a private copy of ``--db``, or of the one built from ``--limit``."""
    target = workdir / "bot.db"
    if args.db is not None:
        if not args.db.exists():
            raise SystemExit(f"{args.db}: no such database")
        log.info("copying %s", args.db)
        copy_database(args.db, target)
        return target
    cached = Path(tempfile.gettempdir()) / f"briefbot-bench-{args.limit}.db"
    corpus = await query.build(cached, args.limit, args.workers)
    await corpus.close()
    copy_database(cached, target)
    return target


def article_count(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as con:
        return int(con.execute("SELECT count(*) FROM articles").fetchone()[0])


@dataclass(frozen=True)
class Addition:
    """An article the moderator adds: its title and the text as pasted or attached."""

    title: str
    text: str
    origin: str  # "news corpus" or "held-out"


def as_text_file(record: dict[str, Any]) -> str:
    """A record as a pasted or attached article: the header block ``add`` reads, then the text."""
    header = [f"title: {record['title']}"]
    for key in ("outlet", "date", "url"):
        if record.get(key):
            header.append(f"{key}: {record[key]}")
    return "\n".join(header) + "\n\n" + record["text"].strip()


def addable(record: dict[str, Any], titles: set[str]) -> bool:
    """A title not stored, prose (a few sentences, not a table of prices), short enough to paste."""
    title = (record.get("title") or "").strip()
    text = record.get("text") or ""
    if not title or title.casefold() in titles or not 800 <= len(text) <= 5000:
        return False
    return len(SENTENCE_END.findall(text)) >= 4


def pick_additions(db: Path, count: int, rng: random.Random) -> list[Addition]:
    """Articles the database does not hold: news records its build never reached (after the
    last one it stored: those before it that it lacks were refused as copies), then, when the
    database holds the whole corpus, the held-out articles of ``../shared/eval``."""
    with contextlib.closing(sqlite3.connect(db)) as con:
        stored = {str(s) for (s,) in con.execute("SELECT source_id FROM articles WHERE source_id IS NOT NULL")}
        titles = {str(t).casefold() for (t,) in con.execute("SELECT title FROM articles")}
    fresh: list[tuple[int, dict[str, Any]]] = []
    last_stored = -1
    with gzip.open(NEWS, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            record = json.loads(line)
            if record.get("id") in stored:
                last_stored = i
            elif addable(record, titles):
                fresh.append((i, record))
    candidates = [r for i, r in fresh if i > last_stored]
    unique = list({r["title"].casefold(): r for r in candidates}.values())
    picked = [Addition(r["title"], as_text_file(r), "news corpus") for r in rng.sample(unique, min(count, len(unique)))]
    for path in sorted(HELD_OUT.glob("*.txt")) if len(picked) < count and HELD_OUT.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        title = next((line[6:].strip() for line in text.splitlines() if line.startswith("title:")), path.stem)
        if title.casefold() not in titles and len(picked) < count:
            picked.append(Addition(title, text, "held-out"))
    return picked


# --------------------------------------------------------------------------- the plan


def pick_value(rng: random.Random, command: str) -> tuple[str, str | None, bool]:
    arg, pool = POOLS[command]
    value = rng.choice(pool)
    if command not in ("help",) and rng.random() < HOSTILE_SHARE:
        return arg, rng.choice(HOSTILE), True
    return arg, value, False


def plan_members(args: argparse.Namespace, members: Sequence[Person], rng: random.Random) -> list[Planned]:
    names = list(WEIGHTS)
    weights = [WEIGHTS[n] for n in names]
    times = sorted(rng.uniform(0, args.seconds) for _ in range(args.commands))
    plan = []
    for at in times:
        command = rng.choices(names, weights)[0]
        arg, value, hostile = pick_value(rng, command)
        via = "slash" if rng.random() < args.slash_share else "prefix"
        plan.append(Planned(at, command, via, rng.choice(members), arg, value, hostile))
    return plan


def plan_adds(additions: Sequence[Addition], moderator: Person, seconds: float, rng: random.Random) -> list[Planned]:
    """Additions spread evenly over the run, by turns: slash + file, prefix + file, slash with
    pasted text, prefix with pasted text (a file when the text is too long to paste)."""
    plan = []
    n = len(additions)
    for i, addition in enumerate(additions):
        at = seconds * (i + 0.5) / n + rng.uniform(-0.2, 0.2) * seconds / n
        text = addition.text
        via = "slash" if i % 2 == 0 else "prefix"
        limit = SLASH_TEXT_LIMIT if via == "slash" else MESSAGE_LIMIT - len("!add ")
        pasted = i % 4 >= 2 and len(text) <= limit
        name = re.sub(r"[^A-Za-z0-9]+", "-", addition.title).strip("-")[:40].lower() or "article"
        plan.append(Planned(
            max(0.0, at), "add", via, moderator, "source", text if pasted else None,
            attachment=None if pasted else (f"{name}.txt", text.encode("utf-8")),
        ))
    return plan


# --------------------------------------------------------------------------- sending


def shown(value: str | None) -> str:
    """A request's text as the report quotes it."""
    return (value or "")[:60] + ("…" if value and len(value) > 60 else "")


async def send(fake: FakeDiscord, tracker: Tracker, p: Planned, phase: str, synced: Synced,
               channel: int | None = None) -> Sent:
    """Send one command; a slash command the bot did not publish goes as a ``!`` message."""
    if p.via == "slash" and p.command in synced:
        return await send_slash(fake, tracker, p, phase, channel or fake.general)
    return await send_prefix(fake, tracker, p, phase)


async def send_slash(fake: FakeDiscord, tracker: Tracker, p: Planned, phase: str, channel: int) -> Sent:
    options = {p.arg: p.value} if p.arg and p.value is not None else {}
    files = {"file": p.attachment} if p.attachment else None
    text = f"/{p.command}" + "".join(f" {k}:{shown(v)}" for k, v in options.items())
    text += f" file:{p.attachment[0]}" if p.attachment else ""
    sent = tracker.new(Sent(p.command, "slash", phase, p.person.name, text, hostile=p.hostile))
    sent.sent_at = time.monotonic()
    token = await fake.slash(p.person, channel, p.command, options, files)
    tracker.bind(sent, token)
    return sent


async def send_prefix(fake: FakeDiscord, tracker: Tracker, p: Planned, phase: str) -> Sent:
    content = f"!{p.command}" + (f" {p.value}" if p.value else "")
    text = f"!{p.command} {shown(p.value)}".strip() + (f" [{p.attachment[0]}]" if p.attachment else "")
    sent = tracker.new(Sent(p.command, "prefix", phase, p.person.name, text, hostile=p.hostile))
    room = await tracker.take_channel(sent)
    sent.sent_at = time.monotonic()
    await fake.send_message(p.person, room, content, attachments=[p.attachment] if p.attachment else None)
    return sent


async def play(fake: FakeDiscord, tracker: Tracker, plan: Sequence[Planned], synced: Synced) -> float:
    """Send the plan on its schedule; return the largest lag behind it (seconds)."""
    start = time.monotonic()
    lag = 0.0
    for p in plan:
        delay = start + p.at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            lag = max(lag, -delay)
        await send(fake, tracker, p, "load", synced)
    return lag


async def wait_answered(fake: FakeDiscord, sent: Sequence[Sent], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = time.monotonic()
        if all(s.settled(now, fake.interaction_window) for s in sent):
            return True
        await asyncio.sleep(0.1)
    return False


# --------------------------------------------------------------------------- the bot process


def read_proc(pid: int, name: str) -> str | None:
    try:
        return Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return None


def status_kb(pid: int, key: str) -> int | None:
    text = read_proc(pid, "status") or ""
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return None


def cpu_seconds(pid: int) -> float:
    text = read_proc(pid, "stat")
    if not text:
        return 0.0
    fields = text.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``. A child is listed under the thread that started it, and
    the bot starts its helper processes from threads: every thread's list is read."""
    out: list[int] = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in threads:
        for child in (read_proc(pid, f"task/{tid}/children") or "").split():
            out += [int(child), *descendants(int(child))]
    return out


@dataclass
class Sample:
    at: float
    rss_kb: int
    children_kb: int


class BotProcess:
    """``briefbot run`` in its own session, its output kept line by line with the time it came."""

    def __init__(self, proc: asyncio.subprocess.Process, log_path: Path) -> None:
        self.proc = proc
        self.pid = proc.pid
        self.started = time.monotonic()
        self.lines: list[tuple[float, str, str]] = []  # (monotonic time, "stdout"/"stderr", line)
        self.samples: list[Sample] = []
        self.children: set[int] = set()
        self.result: str | None = None  # how it stopped
        self._log = log_path.open("w", encoding="utf-8")
        self._tasks = [
            asyncio.create_task(self._pump(proc.stdout, "stdout")),
            asyncio.create_task(self._pump(proc.stderr, "stderr")),
            asyncio.create_task(self._sample()),
        ]

    @classmethod
    async def start(cls, argv: Sequence[str], env: dict[str, str], workdir: Path) -> BotProcess:
        proc = await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=workdir, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True, limit=1 << 22,
        )
        return cls(proc, workdir / "bot-output.log")

    async def _pump(self, stream: asyncio.StreamReader | None, name: str) -> None:
        assert stream is not None
        while True:  # always drained, so the bot never blocks writing its log
            try:
                raw = await stream.readline()
            except ValueError:  # a line longer than the limit: take it in pieces
                raw = await stream.read(1 << 16)
            if not raw:
                break
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append((time.monotonic(), name, line))
            self._log.write(f"{name}: {line}\n")

    async def _sample(self) -> None:
        tick = 0
        while self.proc.returncode is None:
            rss = status_kb(self.pid, "VmRSS")
            if rss is None:
                break
            if tick % 5 == 0:  # the worker processes, every half second
                self.children.update(descendants(self.pid))
            kids = sum(status_kb(c, "VmRSS") or 0 for c in self.children)
            self.samples.append(Sample(time.monotonic(), rss, kids))
            tick += 1
            await asyncio.sleep(0.1)

    def cpu(self) -> float:
        return cpu_seconds(self.pid) + sum(cpu_seconds(c) for c in self.children)


    async def settle(self, limit: float, window: float = 3.0) -> bool:
        """Wait until the bot and its workers use under 5 % CPU and their RSS holds still."""
        history: list[tuple[float, float, int]] = []
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            now = time.monotonic()
            rss = (status_kb(self.pid, "VmRSS") or 0) + sum(status_kb(c, "VmRSS") or 0 for c in self.children)
            history.append((now, self.cpu(), rss))
            history = [h for h in history if now - h[0] <= window + 0.01]
            span = now - history[0][0]
            if span >= window * 0.95:
                busy = (history[-1][1] - history[0][1]) / span
                if busy < 0.05 and abs(history[-1][2] - history[0][2]) < 2048:
                    return True
            await asyncio.sleep(0.5)
        return False

    async def stop(self, timeout: float = 30.0) -> str:
        """SIGINT, as Ctrl-C or ``kill -INT`` would; harder signals only if it does not stop.
        Returns the signal that stopped it and the exit code; once stopped, the same again."""
        if self.result is not None:
            return self.result
        stopped_by = "nothing: it had exited"
        for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
            if self.proc.returncode is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)
            if sig != signal.SIGINT:
                log.warning("the bot did not stop after SIGINT: sent %s", sig.name)
            started = time.monotonic()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.proc.wait(), wait)
            stopped_by = f"{sig.name} ({time.monotonic() - started:.1f} s)"
        for child in self.children:  # workers the bot left behind
            if read_proc(child, "stat") is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
        await asyncio.gather(*self._tasks[:2], return_exceptions=True)
        self._tasks[2].cancel()
        await asyncio.gather(self._tasks[2], return_exceptions=True)
        self._log.close()
        self.result = f"{stopped_by}, exit code {self.proc.returncode}"
        return self.result

    async def alive(self, coro: Any, timeout: float, what: str) -> Any:
        """Await ``coro`` unless the bot exits or ``timeout`` passes first."""
        task = asyncio.ensure_future(coro)
        died = asyncio.ensure_future(self.proc.wait())
        done, _ = await asyncio.wait({task, died}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        died.cancel()
        if task in done:
            return task.result()
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        tail = "\n".join(line for _, _, line in self.lines[-20:])
        reason = f"exited with {self.proc.returncode}" if died in done else f"not done after {timeout:.0f} s"
        raise RuntimeError(f"the bot {reason} while {what}:\n{tail}")


def cpu_split(bot: BotProcess) -> tuple[float, float, float]:
    """CPU seconds so far of this process, the bot, and the bot's helper processes (a helper
    started during the window counts whole: the figures are an upper bound for it)."""
    own = os.times()
    return own.user + own.system, cpu_seconds(bot.pid), sum(cpu_seconds(c) for c in bot.children)


def bot_argv() -> list[str]:
    script = Path(sys.executable).parent / "briefbot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def bot_env(fake: FakeDiscord, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    env.update({
        "BRIEFBOT_DISCORD_TOKEN": "load-bench-token",
        "BRIEFBOT_DISCORD_API_URL": fake.base_url,
        "BRIEFBOT_DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{fake.port}/",
        "BRIEFBOT_DB": str(db),
        "BRIEFBOT_SEED": "false",
        "BRIEFBOT_LOG_LEVEL": "INFO",
        "BRIEFBOT_COOLDOWN_SECONDS": "0",
        "BRIEFBOT_MODERATOR_ROLES": MODERATOR_ROLE_NAME,
        "PYTHONUNBUFFERED": "1",
    })
    return env


async def publish_commands(fake: FakeDiscord, env: dict[str, str], workdir: Path) -> Synced:
    """``briefbot sync-commands --guild``, as a user publishes them; the options by command."""
    proc = await asyncio.create_subprocess_exec(
        *bot_argv(), "sync-commands", "--guild", str(fake.guild_id), env=env, cwd=workdir,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 180)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
    published = fake.synced_commands()
    if proc.returncode == 0 and published:
        log.info("%s", out.decode(errors="replace").strip())
        return {c["name"]: {o["name"]: o["type"] for o in c.get("options") or []} for c in published}
    print(f"note: sync-commands failed ({proc.returncode}); slash commands use the registry's names\n"
          + err.decode(errors="replace")[-2000:])
    return {
        c.name: {**{a.name: 3 for a in c.args}, **({"file": 11} if c.accepts_attachments else {})}
        for c in REGISTRY.for_chat()
    }


# --------------------------------------------------------------------------- phases


async def wait_ready(fake: FakeDiscord, tracker: Tracker, bot: BotProcess, synced: Synced,
                     moderator: Person) -> float:
    """Seconds from start until the bot answered ``!help`` (re-sent every 15 s until it does)."""
    await bot.alive(fake.wait_connected(timeout=600), 610, "connecting to the gateway")
    log.info("bot identified after %.1f s; asking for help", time.monotonic() - bot.started)
    probes: list[Sent] = []

    async def answered() -> None:
        while True:
            probes.append(await send(fake, tracker, Planned(0, "help", "prefix", moderator), "probe", synced))
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if any(p.answered_at is not None for p in probes):
                    return
                await asyncio.sleep(0.05)

    await bot.alive(answered(), 300, "waiting for a first answer to !help")
    first = min(p.answered_at for p in probes if p.answered_at is not None)
    return first - bot.started


async def subscribe(fake: FakeDiscord, tracker: Tracker, synced: Synced, moderator: Person,
                    seconds: float) -> datetime:
    """``#news`` gets a digest whenever articles are added, ``#general`` a daily one due during the run."""
    due = datetime.now(UTC) + timedelta(seconds=max(20.0, seconds * 0.4))
    due = (due + timedelta(minutes=1)).replace(second=0, microsecond=0)
    setup = [
        await send(fake, tracker, Planned(0, "subscribe", "slash", moderator, "schedule", "new"), "setup", synced,
                   channel=fake.news),
        await send(fake, tracker, Planned(0, "subscribe", "slash", moderator, "schedule", f"daily {due:%H:%M}"),
                   "setup", synced, channel=fake.general),
    ]
    await wait_answered(fake, setup, 30)
    for s in setup:
        if s.outcome() != "answered":
            print(f"note: {s.text} → {s.outcome()}: {(s.embeds or [{}])[0].get('description')}")
    return due


async def warm_up(fake: FakeDiscord, tracker: Tracker, synced: Synced, person: Person) -> None:
    """``--warm``: one of each member command before the load (not counted), so the load meets
    the per-corpus caches already built, as after the first minutes of a bot's day."""
    warm = []
    for command in WEIGHTS:
        arg, pool = POOLS[command]
        value = next((v for v in pool if v), None)
        warm.append(await send(fake, tracker, Planned(0, command, "prefix", person, arg, value), "warm", synced))
    await wait_answered(fake, warm, 120)


def added_ids(sent: Sequence[Sent]) -> list[int]:
    ids = []
    for s in sent:
        if s.command == "add":
            for embed in s.embeds:
                for f in embed.get("fields") or []:
                    if m := re.match(r"Added #(\d+)", f.get("name") or ""):
                        ids.append(int(m.group(1)))
    return ids


async def wait_digests(fake: FakeDiscord, tracker: Tracker, bot: BotProcess, daily_due: datetime,
                       timeout: float) -> None:
    """Until ``#news`` listed every added article, ``#general``'s daily digest had its pass, and
    the bot logged every digest it posted as done (a digest is recorded as posted only after
    its last message: stopping the bot between the two would leave it to be posted again)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        news = {i for post in tracker.digests[fake.news] for i in post.article_ids()}
        daily_done = bool(tracker.digests[fake.general]) or datetime.now(UTC) > daily_due + timedelta(seconds=65)
        logged = read_output(bot.lines).digests_logged
        recorded = all(logged.get(f"discord:{channel}", 0) >= sum(p.digests() for p in posts)
                       for channel, posts in tracker.digests.items())
        if set(added_ids(tracker.sent)) <= news and daily_done and recorded:
            return
        await asyncio.sleep(0.5)


# --------------------------------------------------------------------------- report


def pct(values: Sequence[float], p: float) -> float | None:
    return query.pct(list(values), p) if values else None


def ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1000:.1f} s" if value >= 10_000 else f"{value:.0f}"


def mb(kb: int | None) -> str:
    return "—" if kb is None else f"{kb / 1024:.0f} MB"


def time_table(sent: Sequence[Sent], start: float, seconds: float, slices: int = 6) -> list[str]:
    """Latency to the final content (any command, slash or prefix) by slice of the load, so a
    slow start (cold caches) or a slowdown after each addition shows."""
    width = max(seconds / slices, 1.0)
    head = f"{'seconds':>9} {'n':>5} {'p50':>7} {'p99':>7} {'max':>7} {'busy':>5} {'adds':>5}"
    lines = [head, "-" * len(head)]
    i = 0
    while i * width < seconds:
        rows = [s for s in sent if i * width <= s.sent_at - start < (i + 1) * width]
        times = [v for s in rows if (v := s.answer_ms()) is not None]
        lines.append(
            f"{f'{i * width:.0f}–{(i + 1) * width:.0f}':>9} {len(rows):5} {ms(pct(times, 50)):>7} "
            f"{ms(pct(times, 99)):>7} {ms(max(times, default=None)):>7} "
            f"{sum(s.outcome() == 'busy' for s in rows):5} {sum(s.command == 'add' for s in rows):5}"
        )
        i += 1
    return lines


def command_table(sent: Sequence[Sent]) -> list[str]:
    head = (f"{'command':10} {'n':>4} {'slash':>5} {'ack p50':>8} {'ack p99':>8} {'ans p50':>8} {'ans p99':>8} "
            f"{'! p50':>7} {'! p99':>7} {'defer':>5} {'ok':>4} {'none':>4} {'refus':>5} {'busy':>4} {'tmout':>5} "
            f"{'fail':>4} {'lost':>4} {'unack':>5}")
    lines = [head, "-" * len(head)]
    names = [n for n in [*WEIGHTS, "add"] if any(s.command == n for s in sent)]
    for name in [*names, "all"]:
        rows = [s for s in sent if name in ("all", s.command)]
        slash = [s for s in rows if s.via == "slash"]
        prefix = [s for s in rows if s.via == "prefix"]
        ack = [v for s in slash if (v := s.ack_ms()) is not None]
        ans = [v for s in slash if (v := s.answer_ms()) is not None]
        pre = [v for s in prefix if (v := s.answer_ms()) is not None]
        out = Counter(s.outcome() for s in rows)
        if name == "all":
            lines.append("-" * len(head))
        lines.append(
            f"{name:10} {len(rows):4} {len(slash):5} {ms(pct(ack, 50)):>8} {ms(pct(ack, 99)):>8} "
            f"{ms(pct(ans, 50)):>8} {ms(pct(ans, 99)):>8} {ms(pct(pre, 50)):>7} {ms(pct(pre, 99)):>7} "
            f"{sum(s.deferred for s in slash):5} {out['answered']:4} {out['unanswered']:4} {out['refused']:5} "
            f"{out['busy']:4} {out['timeout']:5} {out['failure']:4} {out['lost']:4} {out['unacknowledged']:5}"
        )
    return lines


@dataclass
class StderrFindings:
    tracebacks: list[str] = field(default_factory=list)  # the exception line of each
    errors: list[str] = field(default_factory=list)
    warnings: Counter[str] = field(default_factory=Counter)
    stalls: list[tuple[float, int]] = field(default_factory=list)  # (time, ms)
    summary: str | None = None
    stdout: list[str] = field(default_factory=list)
    digests_logged: Counter[str] = field(default_factory=Counter)  # channel -> "posted digest" lines
    warm_at: float | None = None  # when the bot logged its model warm


def read_output(lines: Sequence[tuple[float, str, str]]) -> StderrFindings:
    found = StderrFindings()
    for i, (at, stream, line) in enumerate(lines):
        if stream == "stdout":
            if line.strip():
                found.stdout.append(line.strip())
            continue
        if "Traceback" in line:
            tail = next((l for _, s, l in lines[i + 1:] if s == "stderr" and l and not l[0].isspace()), "?")
            found.tracebacks.append(tail)
        m = LEVEL_RE.match(line)
        if m is None:
            if "ERROR" in line:
                found.errors.append(line.strip())
            continue
        level, logger, message = m.groups()
        if (s := DIGEST_RE.search(message)) is not None:
            found.digests_logged[s.group(1)] += 1
        elif "frozen out of garbage collection" in message and found.warm_at is None:
            found.warm_at = at
        if (s := SUMMARY_RE.search(message)) is not None:
            found.summary = s.group(0)
        elif (s := STALL_RE.search(message)) is not None:
            found.stalls.append((at, int(s.group(1))))
        elif level in ("ERROR", "CRITICAL"):
            found.errors.append(f"{logger}: {message}")
        elif level == "WARNING":
            found.warnings[f"{logger}: {re.sub(r'[0-9]+', 'N', message)[:160]}"] += 1
    return found


@dataclass
class Run:
    """Everything measured in one run, for the report, filled in as the run goes."""

    articles: int
    members: int
    ready_s: float = 0.0
    idle_s: float = 0.0
    settled: bool = False
    idle_kb: int | None = None
    idle_children_kb: int | None = None
    hwm_kb: int | None = None
    load_start: float = 0.0
    load_end: float = 0.0
    #: CPU seconds used during the load window by this process (the members and the fake
    #: Discord), the bot's process and its helper processes: all share the machine's cores.
    cpu_bench: float = 0.0
    cpu_bot: float = 0.0
    cpu_helpers: float = 0.0
    lag_s: float = 0.0
    heartbeats: int = 0
    late_beats: list[float] = field(default_factory=list)  # over the whole run
    late_in_load: list[float] = field(default_factory=list)  # from the start of the load
    largest_gap: float | None = None
    interval: float = 0.0
    stopped: str = ""


Row = tuple[str, str, str]  # figure, value, target


def print_report(
    run: Run, tracker: Tracker, bot: BotProcess, fake: FakeDiscord, additions: Sequence[Addition]
) -> None:
    load = [s for s in tracker.sent if s.phase == "load"]
    found = read_output(bot.lines)
    print_header(run, load, found, bot, tracker)
    print("latency in ms as members see it (ack: first interaction callback; ans: final content; !: prefix reply)")
    print_lines(command_table(load))
    print("  ok: answered; none: no supporting facts; refus: refused as bad input; busy: admission; "
          "tmout: over the time budget; fail: a bot failure")
    print()
    print("latency to the answer (ms) over the load")
    print_lines(time_table(load, run.load_start, run.load_end - run.load_start))
    print()
    rows = (reply_rows(load, tracker, fake, found) + addition_rows(load, additions)
            + digest_rows(load, tracker, fake, found) + process_rows(run, bot, found))
    print_rows(rows)
    print_details(load, tracker, found)


def print_lines(lines: Sequence[str]) -> None:
    for line in lines:
        print("  " + line)


def print_header(run: Run, load: Sequence[Sent], found: StderrFindings, bot: BotProcess, tracker: Tracker) -> None:
    members = [s for s in load if s.command != "add"]
    adds = len(load) - len(members)
    waits = f", {tracker.channel_waits} waited for a free channel" if tracker.channel_waits else ""
    print()
    print(f"briefbot load: {run.articles:,} articles, {run.members} members, {len(members)} commands "
          f"({sum(s.via == 'slash' for s in members)} slash, {sum(s.via == 'prefix' for s in members)} prefix, "
          f"{sum(s.hostile for s in members)} hostile) and {adds} additions in {run.load_end - run.load_start:.0f} s "
          f"(sender lag at most {run.lag_s * 1000:.0f} ms{waits})")
    warm = f", model warm after {found.warm_at - bot.started:.1f} s" if found.warm_at is not None else ""
    print(f"start-up: first answer {run.ready_s:.1f} s after start{warm}, idle after {run.idle_s:.1f} s"
          + ("" if run.settled else " (CPU or RSS still moving: idle not reached)"))
    print()


def reply_rows(load: Sequence[Sent], tracker: Tracker, fake: FakeDiscord, found: StderrFindings) -> list[Row]:
    out = Counter(s.outcome() for s in load)
    slash = [s for s in load if s.via == "slash"]
    refused = Counter(code for _, code in fake.refused_callbacks)
    return [
        ("unacknowledged interactions", str(out["unacknowledged"]), "0"),
        ("  callbacks refused by the fake", ", ".join(f"{n}× {c}" for c, n in refused.items()) or "0", "0"),
        ("  interactions deferred", f"{sum(s.deferred for s in slash)} of {len(slash)}", ""),
        ("failure replies (bot errors)", str(out["failure"]), "0"),
        ("HTTP 4xx/5xx answered to the bot", str(len(tracker.http_errors)), "0"),
        ("tracebacks in the bot's stderr", str(len(found.tracebacks)), "0"),
        ("ERROR lines in the bot's stderr", str(len(found.errors)), "0"),
        ("replies lost", str(out["lost"]), "0"),
        ("bot messages matched to nothing", str(len(tracker.unattributed)), "0"),
        ("busy / over-budget answers", f"{out['busy']} / {out['timeout']}", ""),
    ]


def addition_rows(load: Sequence[Sent], additions: Sequence[Addition]) -> list[Row]:
    adds = [s for s in load if s.command == "add"]
    picked = ", ".join(f"{n} from the {o}" for o, n in Counter(a.origin for a in additions).items()) or "none found"
    figures = quotes = 0
    outcomes: Counter[str] = Counter()
    for s in adds:
        for embed in s.embeds:
            for f in embed.get("fields") or []:
                if m := re.search(r"(\d+) figures, (\d+) quotes extracted", f.get("value") or ""):
                    figures += int(m.group(1))
                    quotes += int(m.group(2))
                    outcomes["added"] += 1
                elif (f.get("name") or "").startswith("Not added"):
                    outcomes["not added: " + re.sub(r"^Not added:\s*", "", f.get("value") or "")[:70]] += 1
        if s.outcome() not in ("answered", "unanswered"):
            outcomes[f"not added: {s.outcome()}"] += 1
    summary = (f"{outcomes.pop('added', 0)} added of {len(adds)} sent ({picked}), "
               f"{figures} figures and {quotes} quotes extracted")
    rows = [("additions", summary, "")]
    return rows + [("  " + what, str(n), "") for what, n in outcomes.items()]


def digest_rows(load: Sequence[Sent], tracker: Tracker, fake: FakeDiscord, found: StderrFindings) -> list[Row]:
    added = set(added_ids(load))
    rows: list[Row] = []
    duplicates = 0
    for channel, name in ((fake.news, "#news (new)"), (fake.general, "#general (daily)")):
        posts = tracker.digests[channel]
        listed = Counter(i for p in posts for i in p.article_ids())
        bodies = Counter(json.dumps(p.body, sort_keys=True) for p in posts)
        duplicates += sum(n - 1 for n in listed.values() if n > 1) + sum(n - 1 for n in bodies.values() if n > 1)
        missing = f", {len(added - set(listed))} added not listed" if channel == fake.news else ""
        logged = found.digests_logged.get(f"discord:{channel}", 0)
        value = (f"{sum(p.digests() for p in posts)} ({logged} logged by the bot) in {len(posts)} messages, "
                 f"{len(listed)} articles{missing}")
        rows.append((f"digests posted in {name}", value, ""))
    return [*rows, ("duplicate digests (articles listed twice)", str(duplicates), "0")]


def process_rows(run: Run, bot: BotProcess, found: StderrFindings) -> list[Row]:
    loaded = [x for x in bot.samples if x.at >= run.load_start]
    during = [late for at, late in found.stalls if run.load_start <= at <= run.load_end + 5]
    gap = f", largest gap {run.largest_gap:.2f} s" if run.largest_gap is not None else ""
    idle_workers = mb(run.idle_children_kb) if run.idle_children_kb else "not started"
    return [
        (f"heartbeats late (> {run.interval:g} s + {HEARTBEAT_GRACE * 1000:.0f} ms)",
         f"{len(run.late_beats)} of {run.heartbeats} ({len(run.late_in_load)} from the load on){gap}", "0"),
        ("bot RSS idle / peak sampled / VmHWM",
         f"{mb(run.idle_kb)} / {mb(max((x.rss_kb for x in loaded), default=None))} / {mb(run.hwm_kb)}", ""),
        ("helper processes (extraction, aliases, charts) RSS idle / peak",
         f"{idle_workers} / {mb(max((x.children_kb for x in loaded), default=None))}", ""),
        ("CPU during the load: members and fake Discord / bot / helpers",
         f"{run.cpu_bench:.0f} / {run.cpu_bot:.0f} / {run.cpu_helpers:.0f} s of {run.load_end - run.load_start:.0f} s "
         f"on {os.cpu_count()} cores", ""),
        ("event loop (bot.monitor summary)", found.summary or "not reported", ""),
        ("  stalls over 100 ms during the load", f"{len(during)}, largest {max(during, default=0)} ms", ""),
        ("  stalls over 100 ms in the whole run",
         f"{len(found.stalls)}, largest {max((late for _, late in found.stalls), default=0)} ms", ""),
        ("bot stopped by", run.stopped, "SIGINT, exit code 0 or 130"),
    ]


def print_rows(rows: Sequence[Row]) -> None:
    width = max(len(r[0]) for r in rows)
    values = max(len(r[1]) for r in rows)
    print(f"  {'figure':{width}}  {'value':{values}}  target")
    for what, value, target in rows:
        print(f"  {what:{width}}  {value:{values}}  {target}".rstrip())


def print_details(load: Sequence[Sent], tracker: Tracker, found: StderrFindings) -> None:
    """What went wrong, line by line: the commands, the HTTP errors, the bot's own words."""
    problems = [s for s in load if s.outcome() in ("failure", "lost", "unacknowledged", "other")]
    http = Counter(f"{r.status} {r.method} {re.sub(r'[0-9]{6,}', 'ID', r.path)}" for r in tracker.http_errors)
    sections = [
        ("commands without a proper answer (first 15)",
         [f"{s.outcome():14} {s.who:9} {s.text[:90]!r}" + (f" HTTP {s.http_errors}" if s.http_errors else "")
          for s in problems[:15]]),
        ("HTTP errors answered to the bot", [f"{n:4}× {what}" for what, n in http.most_common(10)]),
        ("errors in the bot's stderr (first 10)",
         [line[:200] for line in (found.errors + [f"Traceback … {t}" for t in found.tracebacks])[:10]]),
        ("warnings in the bot's stderr", [f"{n:4}× {what}" for what, n in found.warnings.most_common(10)]),
        ("the bot's stdout", [line[:200] for line in found.stdout[:10]]),
    ]
    for title, lines in sections:
        if lines:
            print()
            print(title + ":")
            print_lines(lines)


# --------------------------------------------------------------------------- main


@dataclass
class Guild:
    """The fake Discord with its people and channels, and the tracker of what the bot sends."""

    fake: FakeDiscord
    tracker: Tracker
    members: list[Person]
    moderator: Person  # holds the role named in BRIEFBOT_MODERATOR_ROLES

    @classmethod
    def create(cls, args: argparse.Namespace) -> Guild:
        """Everyone and every channel exist before the bot connects, as in a real guild."""
        fake = FakeDiscord()
        fake.heartbeat_interval = args.heartbeat
        members = [fake.add_person(f"reader{i:02d}") for i in range(args.members)]
        rooms = [fake.add_channel(f"room-{i:03d}") for i in range(max(64, 2 * args.members))]
        return cls(fake, Tracker(fake, rooms, [fake.news, fake.general]), members, fake.moderator)


async def start_up(guild: Guild, bot: BotProcess, synced: Synced, run: Run, settle: float) -> None:
    """Until the bot answers and goes idle; its idle RSS."""
    run.ready_s = await wait_ready(guild.fake, guild.tracker, bot, synced, guild.moderator)
    log.info("first answer after %.1f s; waiting for the bot to go idle", run.ready_s)
    run.settled = await bot.settle(settle)
    run.idle_s = time.monotonic() - bot.started
    if bot.samples:
        run.idle_kb, run.idle_children_kb = bot.samples[-1].rss_kb, bot.samples[-1].children_kb


async def run_load(guild: Guild, bot: BotProcess, synced: Synced, run: Run, plan: Sequence[Planned],
               args: argparse.Namespace, daily_due: datetime) -> None:
    """The load, then the last answers and the digests."""
    log.info("load: %d commands over %g s", len(plan), args.seconds)
    run.load_start = time.monotonic()
    before = cpu_split(bot)
    run.lag_s = await bot.alive(play(guild.fake, guild.tracker, plan, synced), args.seconds + 600, "under load")
    run.load_end = time.monotonic()
    run.cpu_bench, run.cpu_bot, run.cpu_helpers = (b - a for a, b in zip(before, cpu_split(bot), strict=True))
    log.info("all sent; waiting for the last answers")
    await bot.alive(wait_answered(guild.fake, guild.tracker.sent, args.drain), args.drain + 10, "answering")
    log.info("waiting for the digests (at most %g s)", args.digest_wait)
    await bot.alive(wait_digests(guild.fake, guild.tracker, bot, daily_due, args.digest_wait),
                    args.digest_wait + 10, "posting digests")


async def stop_bot(fake: FakeDiscord, bot: BotProcess, run: Run) -> None:
    """Heartbeats and VmHWM while the bot still runs, then SIGINT."""
    run.hwm_kb = status_kb(bot.pid, "VmHWM")
    run.interval = fake.heartbeat_interval
    run.late_beats = fake.late_heartbeats(HEARTBEAT_GRACE)
    run.late_in_load = fake.late_heartbeats(HEARTBEAT_GRACE, since=run.load_start)
    run.heartbeats = len(fake.heartbeats)
    run.largest_gap = max((gap for _, gap in fake.heartbeats), default=None)
    log.info("stopping the bot with SIGINT")
    run.stopped = await bot.stop()


async def measure(args: argparse.Namespace, workdir: Path) -> int:
    rng = random.Random(args.seed)
    db = await prepare_database(args, workdir)
    additions = pick_additions(db, args.adds, rng)
    run = Run(articles=article_count(db), members=args.members)
    log.info("database: %s articles; articles to add: %s", f"{run.articles:,}",
             ", ".join(f"{n} from the {o}" for o, n in Counter(a.origin for a in additions).items()) or "none")
    guild = Guild.create(args)
    await guild.fake.start()
    bot: BotProcess | None = None
    try:
        env = bot_env(guild.fake, db)
        synced = await publish_commands(guild.fake, env, workdir)
        log.info("starting %s run", " ".join(bot_argv()))
        bot = await BotProcess.start([*bot_argv(), "run"], env, workdir)
        await start_up(guild, bot, synced, run, args.settle)
        daily_due = await subscribe(guild.fake, guild.tracker, synced, guild.moderator, args.seconds)
        if args.warm:
            await warm_up(guild.fake, guild.tracker, synced, guild.moderator)
        plan = sorted(plan_members(args, guild.members, rng)
                      + plan_adds(additions, guild.moderator, args.seconds, rng), key=lambda p: p.at)
        await run_load(guild, bot, synced, run, plan, args, daily_due)
        await stop_bot(guild.fake, bot, run)
        print_report(run, guild.tracker, bot, guild.fake, additions)
        return 0
    except RuntimeError as exc:
        print(f"load benchmark failed: {exc}")
        return 1
    finally:
        if bot is not None:
            await bot.stop(timeout=10)
        await guild.fake.close()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=None, help="a database built by bench/query.py (copied first)")
    parser.add_argument("--limit", type=int, default=3000, help="without --db: news articles to build with")
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--commands", type=int, default=1000, help="member commands (the additions come on top)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the commands are spread over")
    parser.add_argument("--adds", type=int, default=20, help="articles the moderator adds during the run")
    parser.add_argument("--slash-share", type=float, default=0.75)
    parser.add_argument("--heartbeat", type=float, default=5.0, help="heartbeat interval the fake announces (s)")
    parser.add_argument("--settle", type=float, default=90.0, help="longest wait for the bot to go idle (s)")
    parser.add_argument("--drain", type=float, default=60.0, help="longest wait for answers after the load (s)")
    parser.add_argument("--digest-wait", type=float, default=80.0, help="longest wait for the digests (s)")
    parser.add_argument("--warm", action="store_true", help="send one of each command before the load (not counted)")
    parser.add_argument("--workers", type=int, default=1, help="extraction processes when building the database")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (database copy, bot output)")
    return parser.parse_args(argv)


def interruptible() -> None:
    """Let the bot get SIGINT as in a terminal. A shell starts a background job with SIGINT
    ignored, children inherit that, and a Python process started so never sees Ctrl-C."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


async def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    if not NEWS.exists():
        print(f"skipped: {NEWS} is not available (the ../shared data is not beside this checkout)")
        return 0
    load_commands()
    workdir = Path(tempfile.mkdtemp(prefix="briefbot-load-"))
    try:
        return await measure(args, workdir)
    finally:
        if args.keep:
            print(f"kept {workdir} (bot-output.log: the bot's stdout and stderr)")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    interruptible()
    sys.exit(asyncio.run(main()))
