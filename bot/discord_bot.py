"""The Discord front end: every chat command of the registry as a hybrid command.

Nothing here knows what a command does. Each registry :class:`Command` becomes one
hybrid command — ``/ask question:…`` and ``!ask …`` — whose signature is generated from
its declared arguments, so slash options, their descriptions and choices, prefix parsing
and autocomplete can never drift from the registry. The handler layer does the work and
checks privilege; this module only works out who is asking, fetches attachments within
limits, defers slow commands, renders the reply and turns errors into friendly answers.

Slash commands are published only by :func:`sync_commands` (``briefbot sync-commands``),
never on start: syncing on every start is rate limited and slow to propagate.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import keyword
import logging
import math
import re
from collections.abc import Awaitable, Callable
from typing import Any, cast

import discord
from discord import app_commands
from discord.ext import commands
from discord.ext.commands.parameters import Signature
from rapidfuzz import fuzz, process
import yarl

from corpus.errors import CorpusError
from handlers.context import Context
from handlers.registry import REGISTRY, Command, Registry, dispatch, load_commands
from handlers.types import Attachment, Privilege, Reply, Request, User, UserError

from .digest_scheduler import DigestScheduler
from .discord_render import NO_MENTIONS, clip, error_embed, send_reply
from .settings import Settings
from .uploads import check_upload

log = logging.getLogger(__name__)

#: What ``add`` can read; checked on the file name before anything is downloaded.
#: Seconds a command may take before its interaction is deferred: well inside Discord's three,
#: leaving room for a slow network on the way back.
DEFER_AFTER = 1.0
CHOICES_MAX = 25
SLASH_TEXT_MAX = 100
GENERIC_FAILURE = "Something went wrong on my side. It has been logged; please try again later."

Autocompleter = Callable[[discord.Interaction, str], Awaitable[list[app_commands.Choice[str]]]]


# --------------------------------------------------------------------------- who is asking


def privilege_of(user: discord.abc.User, guild: discord.Guild | None, settings: Settings) -> Privilege:
    """Privilege from the member's standing in the guild; direct messages are members only."""
    if guild is None or not isinstance(user, discord.Member):
        return Privilege.MEMBER
    if guild.owner_id == user.id:
        return Privilege.OWNER
    perms = user.guild_permissions
    if perms.administrator or str(user.id) in settings.admin_user_ids:
        return Privilege.ADMIN
    moderator_roles = {r.casefold() for r in settings.moderator_roles}
    if perms.manage_messages or perms.manage_guild or any(r.name.casefold() in moderator_roles for r in user.roles):
        return Privilege.MODERATOR
    return Privilege.MEMBER


def check_attachment(attachment: discord.Attachment, max_bytes: int) -> None:
    """Refuse a file by its declared name and size, before spending a download on it."""
    check_upload(attachment.filename, attachment.size, max_bytes)


async def read_attachment(attachment: discord.Attachment) -> Attachment:
    try:
        data = await attachment.read()
    except discord.HTTPException as exc:
        raise UserError(f"I could not download {clip(attachment.filename, 80)} from Discord ({exc.status}).") from None
    return Attachment(attachment.filename, data, attachment.content_type)


# --------------------------------------------------------------------------- autocomplete


def _bot_of(interaction: discord.Interaction) -> BriefBot:
    return cast(BriefBot, interaction.client)


async def autocomplete_article(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    ctx = _bot_of(interaction).ctx
    if ctx is None:
        return []
    store = ctx.corpus.store
    query = current.strip().lstrip("#")
    rows = await store.list_articles(query or None, limit=CHOICES_MAX)
    if query.isdigit():
        exact = await store.get_article(int(query))
        if exact is not None and all(a.id != exact.id for a in rows):
            rows.insert(0, exact.summary())
    return [
        app_commands.Choice(name=clip(f"{a.id} · {a.title}", SLASH_TEXT_MAX), value=str(a.id))
        for a in rows[:CHOICES_MAX]
    ]


async def autocomplete_entity(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Entity names, matched fuzzily so a misspelt name still finds its alias group."""
    ctx = _bot_of(interaction).ctx
    if ctx is None:
        return []
    rows = await ctx.corpus.store.entity_names()
    canonical = {name: canon for name, canon, _ in rows}
    labels = {canon: label for _, canon, label in rows}
    query = current.strip()
    if query:
        hits = process.extract(query, list(canonical), scorer=fuzz.WRatio, limit=CHOICES_MAX * 3, score_cutoff=50)
        ordered = [canonical[name] for name, _, _ in hits]
    else:
        ordered = sorted(labels)
    seen: list[str] = []
    for canon in ordered:
        if canon not in seen:
            seen.append(canon)
    return [
        app_commands.Choice(name=clip(f"{c} ({labels[c]})", SLASH_TEXT_MAX), value=clip(c, SLASH_TEXT_MAX))
        for c in seen[:CHOICES_MAX]
    ]


AUTOCOMPLETERS: dict[str, Autocompleter] = {"article": autocomplete_article, "entity": autocomplete_entity}


# --------------------------------------------------------------------------- commands from the registry


def _python_name(name: str, taken: set[str]) -> str:
    candidate = re.sub(r"\W", "_", name.lower()) or "arg"
    if candidate[0].isdigit():
        candidate = "_" + candidate
    while keyword.iskeyword(candidate) or candidate in taken or candidate == "ctx":
        candidate += "_"
    taken.add(candidate)
    return candidate


def build_command(cmd: Command, *, cooldown_seconds: float = 0.0) -> commands.HybridCommand[Any, ..., Any]:
    """One hybrid command whose signature is generated from the registry entry.

    Word, int and choice arguments become positional parameters; the last ``text``
    argument becomes a keyword-only parameter so a prefix command takes the rest of the
    line unquoted. Commands that accept files get an optional attachment option.
    """
    empty = inspect.Parameter.empty
    params = [commands.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=commands.Context)]
    taken: set[str] = set()
    arg_of: dict[str, str] = {}
    positional: list[str] = []
    descriptions: dict[str, str] = {}
    renames: dict[str, str] = {}
    choices: dict[str, list[app_commands.Choice[str]]] = {}
    completers: dict[str, Autocompleter] = {}
    rest_index = len(cmd.args) - 1 if cmd.args and cmd.args[-1].kind == "text" else None
    rest: commands.Parameter | None = None

    for i, arg in enumerate(cmd.args):
        py = _python_name(arg.name, taken)
        arg_of[py] = arg.name
        base: type = int if arg.kind == "int" else str
        annotation: Any = base if arg.required else base | None
        default = empty if arg.required else None
        descriptions[py] = clip(arg.description, SLASH_TEXT_MAX)
        if py != arg.name:
            renames[py] = arg.name
        if arg.kind == "choice" and arg.choices:
            choices[py] = [app_commands.Choice(name=c, value=c) for c in arg.choices[:CHOICES_MAX]]
        elif arg.autocomplete in AUTOCOMPLETERS and base is str:
            completers[py] = AUTOCOMPLETERS[arg.autocomplete]
        if i == rest_index:
            rest = commands.Parameter(
                py, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default, description=arg.description
            )
        else:
            params.append(
                commands.Parameter(
                    py,
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    annotation=annotation,
                    default=default,
                    description=arg.description,
                )
            )
            positional.append(py)

    file_param: str | None = None
    if cmd.accepts_attachments:
        file_param = _python_name("file", taken)
        params.append(
            commands.Parameter(
                file_param,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=discord.Attachment | None,
                default=None,
            )
        )
        positional.append(file_param)
        descriptions[file_param] = "a .txt, .md, .html or .jsonl(.gz) file"
    if rest is not None:
        params.append(rest)

    async def callback(ctx: commands.Context[BriefBot], *args: Any, **kwargs: Any) -> None:
        values = dict(zip(positional, args, strict=False))
        values.update(kwargs)
        attachment = values.pop(file_param, None) if file_param else None
        raw = {arg_of[py]: value for py, value in values.items() if py in arg_of}
        await ctx.bot.run_command(ctx, cmd, raw, attachment)

    # discord.py reads a command's options from its signature; the generated signature
    # lives on a stand-in that ``callback`` wraps, where discord.py's own temporary
    # ``__signature__`` handling cannot remove it.
    def signature_source() -> None:
        return None

    signature_source.__signature__ = Signature(params)  # type: ignore[attr-defined]
    callback.__wrapped__ = signature_source  # type: ignore[attr-defined]
    callback.__name__ = callback.__qualname__ = f"{cmd.name}_command"
    callback.__doc__ = cmd.summary

    app_commands.describe(**descriptions)(callback)
    if renames:
        app_commands.rename(**renames)(callback)
    if choices:
        app_commands.choices(**choices)(callback)
    if completers:
        app_commands.autocomplete(**completers)(callback)
    if cmd.heavy and cooldown_seconds > 0:
        commands.cooldown(1, cooldown_seconds, commands.BucketType.user)(callback)

    hybrid = commands.HybridCommand(
        callback,
        name=cmd.name,
        description=clip(cmd.summary, SLASH_TEXT_MAX),
        help=cmd.summary,
        aliases=list(cmd.aliases),
        ignore_extra=False,
    )
    app = hybrid.app_command
    if app is not None:
        ordered = sorted(app._params.items(), key=lambda kv: not kv[1].required)
        if [name for name, _ in ordered] != list(app._params):
            # Discord wants required options first; the prefix signature keeps the registry order.
            app._params = dict(ordered)
    return hybrid


# --------------------------------------------------------------------------- errors


def _innermost(error: BaseException) -> BaseException:
    while isinstance(
        error, (commands.CommandInvokeError, commands.HybridCommandError, app_commands.CommandInvokeError)
    ):
        inner = getattr(error, "original", None)
        if inner is None or inner is error:
            break
        error = inner
    return error


def explain(error: BaseException, usage: str | None) -> str | None:
    """The message a person should see for ``error``, or None when it is a bug to log."""
    err = _innermost(error)
    how = f" Usage: `{usage}`" if usage else ""
    if isinstance(err, (UserError, CorpusError)):
        return err.message
    if isinstance(err, (commands.CommandOnCooldown, app_commands.CommandOnCooldown)):
        return f"Slow down: you can use this command again in {math.ceil(err.retry_after)} s."
    if isinstance(err, commands.MissingRequiredArgument):
        return f"Missing {err.param.displayed_name or err.param.name}.{how}"
    if isinstance(err, commands.TooManyArguments):
        return f"Too many arguments.{how}"
    if isinstance(err, commands.UserInputError):
        return f"I could not read that: {err}{how}"
    if isinstance(err, commands.ConversionError):
        return f"I could not read one of the arguments.{how}"
    if isinstance(err, app_commands.TransformerError):
        return f"I could not read {clip(str(err.value), 60)!r}.{how}"
    if isinstance(err, (commands.CheckFailure, app_commands.CheckFailure)):
        return "You can't use that command here."
    if isinstance(err, commands.DisabledCommand):
        return "That command is switched off."
    if isinstance(err, app_commands.CommandNotFound):
        # A slash command Discord still lists after it was removed here (not yet re-synced).
        return "That command is no longer available. Type /help for the ones that are."
    return None


class BriefTree(app_commands.CommandTree):
    """Routes slash-command errors that never reach a hybrid command to the one translator."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await cast(BriefBot, self.client).report_interaction_error(interaction, error)


# --------------------------------------------------------------------------- the bot


class BriefBot(commands.Bot):
    """A bot whose commands are generated from the registry at ``setup_hook`` time.

    ``ctx`` is None only for :func:`sync_commands`, which needs the command tree but
    never answers a command.
    """

    def __init__(
        self,
        settings: Settings,
        ctx: Context | None,
        *,
        registry: Registry | None = None,
        page_timeout: float = 180.0,
        defer_after: float = DEFER_AFTER,
        **options: Any,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True
        intents.message_content = True
        super().__init__(
            command_prefix=commands.when_mentioned_or(settings.discord_prefix),
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            case_insensitive=True,
            tree_cls=BriefTree,
            # The bot never reads back a message it saw (no edit or reaction handlers):
            # a cache of the last 1,000 would only hold memory (tens of thousands of objects
            # for the garbage collector to walk).
            max_messages=None,
            **options,
        )
        self.settings = settings
        self.ctx = ctx
        self.registry = registry or REGISTRY
        self.page_timeout = page_timeout
        self.defer_after = defer_after
        self.scheduler: DigestScheduler | None = None

    async def setup_hook(self) -> None:
        if self.registry is REGISTRY:
            load_commands()
        for cmd in self.registry.for_chat():
            self.add_command(build_command(cmd, cooldown_seconds=self.settings.cooldown_seconds))
        if self.ctx is not None:
            self.scheduler = DigestScheduler(self, self.ctx)
            await self.add_cog(self.scheduler)

    def _front_end(self, state: str) -> None:
        if self.ctx is not None and self.ctx.runtime is not None:
            self.ctx.runtime.front_end("discord", state)

    async def on_ready(self) -> None:
        self._front_end("connected")

    async def on_resumed(self) -> None:
        self._front_end("connected")

    async def on_disconnect(self) -> None:
        self._front_end("disconnected")

    def usage(self, name: str | None, *, slash: bool) -> str | None:
        cmd = self.registry.get(name) if name else None
        if cmd is None:
            return None
        return ("/" if slash else self.settings.discord_prefix) + cmd.usage()

    async def run_command(
        self,
        ctx: commands.Context[BriefBot],
        cmd: Command,
        raw: dict[str, Any],
        attachment: discord.Attachment | None,
    ) -> None:
        """Build the request, dispatch it to the handler layer and send the rendered reply."""
        assert self.ctx is not None, "a bot built for syncing commands cannot run them"
        privilege = privilege_of(ctx.author, ctx.guild, self.settings)
        incoming: list[discord.Attachment] = []
        if cmd.accepts_attachments and privilege >= cmd.privilege:
            # Below the command's privilege the handler refuses; nothing is downloaded for it.
            incoming = [attachment] if ctx.interaction is not None and attachment else []
            if ctx.interaction is None:
                incoming = list(ctx.message.attachments)
            for a in incoming:
                check_attachment(a, self.settings.max_file_bytes)
        if ctx.interaction is not None:
            shown = " ".join(f"{k}:{v}" for k, v in raw.items() if v is not None)
            text = f"/{cmd.name} {shown}".strip()
        else:
            text = ctx.message.content

        async def work() -> Reply:
            files = [await read_attachment(a) for a in incoming]
            request = Request(
                command=cmd.name,
                args={k: v for k, v in raw.items() if v is not None},
                user=User(str(ctx.author.id), ctx.author.name),
                privilege=privilege,
                channel=f"discord:{ctx.channel.id}",
                text=text,
                attachments=files,
            )
            assert self.ctx is not None
            return await dispatch(self.ctx, request, self.registry)

        # Discord forgets an interaction not answered within three seconds. Whatever the
        # command, if it has not answered by the deadline it is deferred ("thinking…") and
        # answers as a followup: decided by the clock, not by guessing which commands are slow.
        task = asyncio.ensure_future(work())
        done, _ = await asyncio.wait({task}, timeout=self.defer_after)
        if not done:
            if ctx.interaction is not None:
                await ctx.defer()
            else:
                with contextlib.suppress(discord.HTTPException):  # the typing hint is cosmetic
                    await ctx.typing()
        reply = await task
        await send_reply(ctx, reply, owner_id=ctx.author.id, ephemeral=reply.error, timeout=self.page_timeout)

    async def on_command_error(self, ctx: commands.Context[BriefBot], error: commands.CommandError) -> None:  # type: ignore[override]
        if isinstance(error, commands.CommandNotFound):
            return
        name = ctx.command.name if ctx.command else None
        message = explain(error, self.usage(name, slash=ctx.interaction is not None))
        if message is None:
            inner = _innermost(error)
            log.error("command %s failed", name, exc_info=(type(inner), inner, inner.__traceback__))
            message = GENERIC_FAILURE
        else:
            log.info("command %s refused (%s)", name, type(_innermost(error)).__name__)
            log.debug("command %s refused: %s", name, message)
        try:
            await ctx.send(embed=error_embed(message), ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not send the error reply for %s: %s", name, exc)

    async def report_interaction_error(self, interaction: discord.Interaction, error: BaseException) -> None:
        name = interaction.command.name if interaction.command else None
        message = explain(error, self.usage(name, slash=True))
        if message is None:
            inner = _innermost(error)
            log.error("slash command %s failed", name, exc_info=(type(inner), inner, inner.__traceback__))
            message = GENERIC_FAILURE
        try:
            if interaction.response.is_done():
                await interaction.followup.send(
                    embed=error_embed(message), ephemeral=True, allowed_mentions=NO_MENTIONS
                )
            else:
                await interaction.response.send_message(
                    embed=error_embed(message), ephemeral=True, allowed_mentions=NO_MENTIONS
                )
        except discord.HTTPException as exc:
            log.warning("could not send the error reply for /%s: %s", name, exc)


def _token(settings: Settings) -> str:
    token = settings.discord_token.get_secret_value() if settings.discord_token else ""
    if not token:
        raise ValueError("BRIEFBOT_DISCORD_TOKEN is not set.")
    return token


def use_endpoints(settings: Settings) -> None:
    """Point discord.py at another REST and gateway endpoint when the settings name one.

    discord.py keeps both as class attributes, so this holds for the whole process, which
    runs one bot.
    """
    if settings.discord_api_url:
        discord.http.Route.BASE = settings.discord_api_url.rstrip("/") + "/api/v10"
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


async def run_discord(settings: Settings, ctx: Context) -> None:
    """Run the bot until it is closed; the caller owns (and closes) the corpus in ``ctx``."""
    use_endpoints(settings)
    bot = BriefBot(settings, ctx)
    async with bot:
        await bot.start(_token(settings))


async def sync_commands(settings: Settings, guild_id: int | None) -> int:
    """Publish the slash commands, to one guild (instant) or globally; return how many.

    Logs in over HTTP only: no gateway connection and no corpus are needed.
    """
    use_endpoints(settings)
    bot = BriefBot(settings, None)
    async with bot:
        await bot.login(_token(settings))
        if guild_id:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
        else:
            synced = await bot.tree.sync()
    return len(synced)
