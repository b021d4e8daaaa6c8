"""Turning a platform-neutral :class:`Reply` into Discord embeds, pages and messages.

Discord refuses a message outright when any limit is exceeded (256-character titles,
4,096-character descriptions, 25 fields, 1,024-character field values, 6,000 characters
per embed, 10 embeds per message), so everything here is split to fit before sending.
An answer too long for one embed becomes pages: the asker turns them with buttons, and
a scheduled post (nobody to press buttons) sends them as consecutive embeds instead.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from typing import Any

import discord
from discord.ext import commands
from discord.utils import escape_markdown

from handlers.types import Citation, Reply

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
EMBED_TOTAL_MAX = 6000
EMBEDS_PER_MESSAGE = 10
FOOTER_MAX = 2048

#: Readability limits, below Discord's: a page a person can take in at a glance.
FIELDS_PER_PAGE = 10
ROWS_PER_PAGE = 15
#: Room kept free in every embed for the footer added once the page count is known.
FOOTER_RESERVE = 120
#: Widest table (in characters) still shown as an aligned code block.
CODE_TABLE_WIDTH = 90
CELL_MAX = 40
QUOTE_MAX = 160

COLOUR_ANSWER = discord.Colour.blurple()
COLOUR_UNANSWERED = discord.Colour.orange()
COLOUR_ERROR = discord.Colour.red()

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def clip(text: str, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def split_text(text: str, limit: int) -> list[str]:
    """Split at paragraph, then line, then word boundaries so no piece exceeds ``limit``."""
    text = (text or "").strip()
    if not text:
        return []
    chunks: list[str] = []
    while len(text) > limit:
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = text.rfind(sep, 0, limit + 1)
            if cut > limit // 3:
                break
        if cut <= 0:
            cut = limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


def _split_field(name: str, value: str) -> list[tuple[str, str]]:
    name = clip(name.strip() or "\u200b", FIELD_NAME_MAX)
    parts = split_text(value, FIELD_VALUE_MAX) or ["\u200b"]
    out = [(name, parts[0])]
    cont = clip(f"{name} (cont.)", FIELD_NAME_MAX)
    out += [(cont, p) for p in parts[1:]]
    return out


def _safe_url(url: str | None) -> str | None:
    if not url or not re.match(r"^https?://\S+$", url):
        return None
    return url.replace("(", "%28").replace(")", "%29")


def citation_line(c: Citation) -> str:
    """``[3] [Outlet, 2023-05-12](url) — “the sentence”``: the link opens the source."""
    bits = [b for b in (c.outlet, c.published) if b]
    label = escape_markdown(", ".join(bits) if bits else c.title).replace("[", "(").replace("]", ")")
    url = _safe_url(c.url)
    link = f"[{label}]({url})" if url else label
    sentence = escape_markdown(clip(" ".join(c.sentence.split()), QUOTE_MAX))
    return f"[{c.article_id}] {link} — “{sentence}”"


def _cell(value: object) -> str:
    return " ".join(str(value if value is not None else "").split())


def table_lines(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> tuple[str | None, list[str]]:
    """The table as lines: aligned in a code block when narrow, else one markdown line per row.

    A code block is only used when no cell has to be cut, because a cut title or summary
    hides the very thing the row is about. Returns ``(header, lines)``; the header is
    repeated on every page of a code-block table.
    """
    cells = [[_cell(c) for c in row] for row in rows]
    width = max([len(columns)] + [len(r) for r in cells])
    heads = [_cell(c) for c in columns] + [""] * (width - len(columns))
    widths = [max([len(heads[i])] + [len(r[i]) for r in cells if i < len(r)]) for i in range(width)]
    if max(widths, default=0) <= CELL_MAX and sum(widths) + 2 * (width - 1) <= CODE_TABLE_WIDTH:

        def fmt(row: Sequence[str]) -> str:
            padded = [(row[i] if i < len(row) else "").ljust(widths[i]) for i in range(width)]
            return "  ".join(padded).rstrip().replace("```", "`\u200b`\u200b`")  # never close the block early

        return fmt(heads), [fmt(r) for r in cells]
    lines = []
    for values in cells:
        first = f"**{escape_markdown(clip(values[0], 80))}**" if values and values[0] else ""
        rest = " · ".join(escape_markdown(clip(v, 200)) for v in values[1:] if v)
        lines.append(clip(" — ".join(x for x in (first, rest) if x), 600))
    return None, lines


def _table_chunks(reply: Reply, room_first: int) -> list[str]:
    """Table rows grouped into description-sized blocks of at most ROWS_PER_PAGE rows."""
    if not reply.table:
        return []
    header, lines = table_lines(reply.columns, reply.table)
    chunks: list[str] = []
    current: list[str] = []

    def render(rows: list[str]) -> str:
        if header is not None:
            return "```\n" + "\n".join([header, *rows]) + "\n```"
        return "\n".join(rows)

    for line in lines:
        room = room_first if not chunks else DESCRIPTION_MAX
        if current and (len(current) >= ROWS_PER_PAGE or len(render([*current, line])) > room):
            chunks.append(render(current))
            current = []
        current.append(clip(line, DESCRIPTION_MAX - 200))
    if current:
        chunks.append(render(current))
    return chunks


def colour_for(reply: Reply) -> discord.Colour:
    if reply.error:
        return COLOUR_ERROR
    return COLOUR_ANSWER if reply.answered else COLOUR_UNANSWERED


def image_name(reply: Reply) -> str | None:
    if reply.image is None:
        return None
    name = _SAFE_NAME.sub("_", reply.image.filename).strip("._") or "chart.png"
    return name if "." in name else name + ".png"


def error_embed(message: str) -> discord.Embed:
    """A short red embed: the one look every refusal and failure has."""
    return discord.Embed(description=clip(message, DESCRIPTION_MAX), colour=COLOUR_ERROR)


def render_pages(reply: Reply) -> list[discord.Embed]:
    """One embed per page, each within every Discord limit."""
    if reply.error:
        return [error_embed(reply.text)]
    title = clip(reply.title or reply.command, TITLE_MAX)
    colour = colour_for(reply)
    text_chunks = split_text(reply.text, DESCRIPTION_MAX)
    descriptions: list[str] = text_chunks[:-1]
    last_text = text_chunks[-1] if text_chunks else ""
    room = DESCRIPTION_MAX - len(last_text) - 2
    tables = _table_chunks(reply, room if room > 200 else DESCRIPTION_MAX)
    if tables and last_text and len(last_text) + 2 + len(tables[0]) <= DESCRIPTION_MAX:
        descriptions.append(f"{last_text}\n\n{tables[0]}")
        descriptions += tables[1:]
    else:
        descriptions += ([last_text] if last_text else []) + tables

    fields: list[tuple[str, str]] = []
    for f in reply.fields:
        fields += _split_field(f.name, f.value)
    if reply.citations:
        source_lines = [citation_line(c) for c in reply.citations]
        fields += _split_field("Sources", "\n".join(source_lines))

    image = image_name(reply)
    pages: list[discord.Embed] = []

    def new_page(description: str | None) -> discord.Embed:
        embed = discord.Embed(title=title, description=description or None, colour=colour)
        if image:
            embed.set_image(url=f"attachment://{image}")
        pages.append(embed)
        return embed

    for d in descriptions or [""]:
        current = new_page(d)
    budget = EMBED_TOTAL_MAX - FOOTER_RESERVE
    for name, value in fields:
        if len(current.fields) >= min(FIELDS_PER_PAGE, FIELDS_MAX) or len(current) + len(name) + len(value) > budget:
            current = new_page(None)
        current.add_field(name=name, value=value, inline=False)

    sources = len(reply.citations)
    for i, embed in enumerate(pages, 1):
        bits = []
        if len(pages) > 1:
            bits.append(f"Page {i}/{len(pages)}")
        if sources:
            bits.append(f"{sources} source{'s' if sources != 1 else ''}")
        if bits:
            embed.set_footer(text=clip(" · ".join(bits), FOOTER_MAX))
    return pages


def image_file(reply: Reply) -> discord.File | None:
    """A fresh File each time: discord.py consumes the buffer when it uploads it."""
    name = image_name(reply)
    if reply.image is None or name is None:
        return None
    return discord.File(
        io.BytesIO(reply.image.data), filename=name, description=clip(reply.image.description, 1024) or None
    )


def pack_embeds(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages of at most 10 embeds and 6,000 characters together."""
    messages: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        n = len(embed)
        if current and (len(current) >= EMBEDS_PER_MESSAGE or size + n > EMBED_TOTAL_MAX):
            messages.append(current)
            current, size = [], 0
        current.append(embed)
        size += n
    if current:
        messages.append(current)
    return messages


class Paginator(discord.ui.View):
    """◀ ▶ buttons over pre-rendered pages that only the asker may press.

    After ``timeout`` seconds without a press the buttons are disabled on the message
    itself, so nobody presses a button that no longer answers.
    """

    def __init__(self, pages: Sequence[discord.Embed], owner_id: int, *, timeout: float = 180.0) -> None:
        super().__init__(timeout=timeout)
        self.pages = list(pages)
        self.owner_id = owner_id
        self.index = 0
        self.message: discord.Message | None = None
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous_page.disabled = self.index == 0
        self.next_page.disabled = self.index >= len(self.pages) - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the person who asked can turn pages.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return False

    async def _show(self, interaction: discord.Interaction, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self, allowed_mentions=NO_MENTIONS)

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def previous_page(self, interaction: discord.Interaction, button: discord.ui.Button[Paginator]) -> None:
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button[Paginator]) -> None:
        await self._show(interaction, self.index + 1)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is None:
            return
        try:
            await self.message.edit(view=self, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.info("could not disable the page buttons of message %s: %s", self.message.id, exc)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        log.error("page button failed", exc_info=(type(error), error, error.__traceback__))


async def send_reply(
    target: commands.Context[Any] | discord.abc.Messageable,
    reply: Reply,
    *,
    owner_id: int | None,
    ephemeral: bool = False,
    timeout: float = 180.0,
) -> discord.Message | None:
    """Answer a person: the first page, with page buttons when there is more than one."""
    pages = render_pages(reply)
    kwargs: dict[str, Any] = {"embed": pages[0], "allowed_mentions": NO_MENTIONS}
    file = image_file(reply)
    if file is not None:
        kwargs["file"] = file
    if ephemeral and isinstance(target, commands.Context) and target.interaction is not None:
        kwargs["ephemeral"] = True
    if len(pages) == 1:
        return await target.send(**kwargs)
    if owner_id is None:
        sent = await post_embeds(target, pages, file=file)
        return sent[0] if sent else None
    view = Paginator(pages, owner_id, timeout=timeout)
    kwargs["view"] = view
    message = await target.send(**kwargs)
    view.message = message
    return message


async def post_embeds(
    target: commands.Context[Any] | discord.abc.Messageable,
    embeds: Sequence[discord.Embed],
    *,
    file: discord.File | None = None,
) -> list[discord.Message]:
    """Send every embed, packed into as few messages as the limits allow."""
    sent = []
    for i, group in enumerate(pack_embeds(embeds)):
        kwargs: dict[str, Any] = {"embeds": group, "allowed_mentions": NO_MENTIONS}
        if i == 0 and file is not None:
            kwargs["file"] = file
        sent.append(await target.send(**kwargs))
    return sent


async def post_reply(channel: discord.abc.Messageable, reply: Reply) -> list[discord.Message]:
    """Post a reply nobody asked for in person (a scheduled digest): all pages at once."""
    return await post_embeds(channel, render_pages(reply), file=image_file(reply))
