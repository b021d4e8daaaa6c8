"""Posting scheduled digests to Discord and Slack channels.

Once a minute each platform's scheduler asks the store which of its subscriptions
(``discord:…``, ``slack:…``) are due and posts their digests. A subscription is marked
posted only after the platform accepted every message of it, so a crash or a refused post
means it is tried again, and a restart after a successful post never repeats it. A slot
missed while the bot was down is posted once on start, because "due" compares the latest
scheduled slot with the last one posted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

import discord
from discord.ext import commands, tasks

from corpus.models import Subscription
from handlers.context import Context
from handlers.digest import build_digest, due_slot, slot_key
from handlers.types import Reply

from .discord_render import post_reply

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "discord:"


async def run_pass(
    ctx: Context, prefix: str, run_one: Callable[[Subscription, datetime], Awaitable[bool]]
) -> list[int]:
    """One pass over a platform's subscriptions (``discord:``, ``slack:``), paused ones
    skipped; returns the ids posted. One subscription's failure never holds up the others."""
    now = ctx.clock()
    posted: list[int] = []
    for sub in await ctx.corpus.store.subscriptions():
        if not sub.channel.startswith(prefix) or sub.paused:
            continue
        try:
            if await run_one(sub, now):
                posted.append(sub.id)
        except Exception:
            log.exception("digest for subscription %s (%s) failed", sub.id, sub.channel)
    return posted


async def due_now(ctx: Context, sub: Subscription, now: datetime) -> tuple[str, str] | None:
    """(slot, occasion) when a subscription is due: a scheduled slot not yet posted, or, for
    ``new``, articles added since its marker. The occasion keys warnings, one per slot."""
    if sub.kind == "new":
        latest = await ctx.corpus.store.latest_added_at()
        if latest is None or (sub.marker is not None and latest <= sub.marker):
            return None
        return slot_key(now), latest
    slot = due_slot(sub, now)
    return None if slot is None else (slot_key(slot), slot_key(slot))


async def digest_to_post(ctx: Context, sub: Subscription, slot_value: str) -> Reply | None:
    """The digest of a due subscription, or None when nothing is new (the slot is then done
    without a post, so it is not reconsidered every minute)."""
    reply = await build_digest(ctx, since=sub.marker, topic=sub.topic or None)
    if not reply.answered:
        await ctx.corpus.store.mark_posted(sub.id, slot=slot_value, marker=reply.data.get("marker"))
        return None
    return reply


async def mark_posted(ctx: Context, sub: Subscription, slot_value: str, reply: Reply) -> None:
    """Called only after the platform accepted every message of the digest (Discord's or
    Slack's), so a restart never posts it again."""
    await ctx.corpus.store.mark_posted(sub.id, slot=slot_value, marker=reply.data.get("marker"))
    log.info("posted digest for subscription %s to %s (slot %s)", sub.id, sub.channel, slot_value)


class DigestScheduler(commands.Cog):
    """The once-a-minute digest loop; ``run_due_digests`` is one pass of it."""

    def __init__(self, bot: commands.Bot, ctx: Context) -> None:
        self.bot = bot
        self.ctx = ctx
        self._lock = asyncio.Lock()
        self._warned: set[tuple[int, str]] = set()
        #: Passes completed since start; the first one runs as soon as the bot is ready.
        self.passes = 0

    async def cog_load(self) -> None:
        self.digest_loop.start()

    async def cog_unload(self) -> None:
        self.digest_loop.cancel()

    @tasks.loop(minutes=1)
    async def digest_loop(self) -> None:
        try:
            await self.run_due_digests()
        except Exception:
            # The loop stops for good on an unhandled error; one bad pass must not end digests.
            log.exception("digest pass failed")

    @digest_loop.before_loop
    async def _wait_until_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def run_due_digests(self) -> list[int]:
        """Post every due digest; return the ids of the subscriptions posted.

        Passes are serialised, so the loop and a caller (a test, an owner command) never
        post the same slot twice.
        """
        async with self._lock:
            posted = await run_pass(self.ctx, CHANNEL_PREFIX, self._run_one)
            self.passes += 1
            return posted

    async def _run_one(self, sub: Subscription, now: datetime) -> bool:
        due = await due_now(self.ctx, sub, now)
        if due is None:
            return False
        slot_value, warn_key = due
        channel = await self._channel(sub, warn_key)
        if channel is None:
            return False
        reply = await digest_to_post(self.ctx, sub, slot_value)
        if reply is None:
            return False
        try:
            await post_reply(channel, reply)
        except discord.Forbidden as exc:
            self._warn(sub, warn_key, "Discord refused the digest post (%s)", exc.text or exc.status)
            return False
        except discord.HTTPException as exc:
            log.warning("digest post for subscription %s failed, will retry: %s", sub.id, exc)
            return False
        await mark_posted(self.ctx, sub, slot_value, reply)
        return True

    def _warn(self, sub: Subscription, occasion: str, message: str, *args: object) -> None:
        """Log a skipped digest once per slot (or new article) rather than every minute."""
        key = (sub.id, occasion)
        if key in self._warned:
            return
        self._warned.add(key)
        log.warning("subscription %s (%s): " + message, sub.id, sub.channel, *args)

    async def _channel(self, sub: Subscription, occasion: str) -> discord.abc.Messageable | None:
        try:
            channel_id = int(sub.channel[len(CHANNEL_PREFIX) :])
        except ValueError:
            self._warn(sub, occasion, "not a Discord channel id")
            return None
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden, discord.InvalidData):
                self._warn(sub, occasion, "the channel is gone or hidden from the bot")
                return None
        if not isinstance(channel, discord.abc.Messageable):
            self._warn(sub, occasion, "the channel does not take messages")
            return None
        guild = getattr(channel, "guild", None)
        me = guild.me if guild is not None else None
        if me is not None and hasattr(channel, "permissions_for"):
            perms = channel.permissions_for(me)
            can_send = perms.send_messages_in_threads if isinstance(channel, discord.Thread) else perms.send_messages
            if not (perms.view_channel and can_send and perms.embed_links):
                self._warn(sub, occasion, "the bot may not post embeds in this channel")
                return None
        return channel
