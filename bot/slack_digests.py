"""Posting scheduled digests to Slack channels (``slack:<channel id>`` subscriptions).

The same subscriptions, schedule and rule as Discord's (:mod:`bot.digest_scheduler`): a
digest is marked posted only after Slack accepted every message of it, so a failed post
is tried again on the next pass and a restart after a successful one never repeats it. A
channel the bot was removed from (``not_in_channel``, ``channel_not_found``) is reported
once and its subscription paused until someone subscribes the channel again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from corpus.models import Subscription
from handlers.context import Context

from .digest_scheduler import digest_to_post, due_now, mark_posted, run_pass

if TYPE_CHECKING:
    from .slack_app import SlackFrontEnd

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "slack:"
#: The channel is gone or closed to the bot: the subscription is paused, not retried forever.
_CHANNEL_GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived", "restricted_action"})
#: The token itself is refused: nothing is paused (every post would fail alike), the log says so once.
_WORKSPACE_WIDE = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed"})


class SlackDigests:
    """The once-a-minute digest loop for Slack; ``run_due_digests`` is one pass of it."""

    def __init__(self, front: SlackFrontEnd, ctx: Context, *, interval: float = 60.0) -> None:
        self.front = front
        self.ctx = ctx
        self.interval = interval
        self._lock = asyncio.Lock()
        self._warned: set[tuple[int, str]] = set()
        self._task: asyncio.Task[None] | None = None
        self.passes = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_due_digests()
            except Exception:
                log.exception("slack digest pass failed")  # one bad pass must not end digests
            await asyncio.sleep(self.interval)

    async def run_due_digests(self) -> list[int]:
        """Post every due Slack digest; return the ids of the subscriptions posted."""
        async with self._lock:
            posted = await run_pass(self.ctx, CHANNEL_PREFIX, self._run_one)
            self.passes += 1
            return posted

    async def _run_one(self, sub: Subscription, now: datetime) -> bool:
        due = await due_now(self.ctx, sub, now)
        if due is None:
            return False
        slot_value, occasion = due
        reply = await digest_to_post(self.ctx, sub, slot_value)
        if reply is None:
            return False
        try:
            await self.front.post(sub.channel[len(CHANNEL_PREFIX) :], reply)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else str(exc)
            if error in _CHANNEL_GONE:
                # reported once, then paused until someone subscribes the channel again
                await self.ctx.corpus.store.pause_subscription(sub.id, error)
                log.warning("subscription %s (%s) paused: Slack refused the digest (%s); subscribe again to resume",
                            sub.id, sub.channel, error)
            elif error in _WORKSPACE_WIDE:
                if (0, occasion) not in self._warned:
                    self._warned.add((0, occasion))
                    log.error("Slack refused the bot's token (%s): no digest can be posted", error)
            else:
                log.warning("digest post for subscription %s failed, will retry: %s", sub.id, error)
            return False
        await mark_posted(self.ctx, sub, slot_value, reply)
        return True
