"""Build the caches derived from the corpus before the first request, not during it.

Each cache (names, vocabularies, speakers, titles) is built on first use and kept per corpus
generation (:func:`handlers.context.per_generation`). On a large corpus the first builds take
seconds; a bot that starts serving with none of them built answers its first members slowly
and refuses some as busy. ``briefbot run`` calls :func:`warm_caches` while starting.
"""

from __future__ import annotations

import logging
import time

from .answering.vocabulary import vocabulary
from .compare import topic_vocabulary
from .context import Context
from .lookup import name_index
from .quotes import speaker_index
from .summary import article_titles

log = logging.getLogger(__name__)


async def warm_caches(ctx: Context) -> None:
    started = time.perf_counter()
    for build in (name_index, vocabulary, topic_vocabulary, speaker_index, article_titles):
        await build(ctx)
    log.info("caches built in %.1f s", time.perf_counter() - started)
