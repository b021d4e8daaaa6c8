"""``help``: generated from the registry, so it is never out of date."""

from __future__ import annotations

from .context import Context
from .registry import REGISTRY, Arg, command
from .types import Field, Privilege, Reply, Request, UserError


@command(
    "help",
    "List the commands, or explain one.",
    args=(Arg("command", "a command to explain", kind="word", required=False),),
    example="help ask",
)
async def help_command(ctx: Context, req: Request) -> Reply:
    return help_reply(req.args.get("command"), req.privilege)


def help_reply(name: str | None, privilege: Privilege) -> Reply:
    """The help text for one command or the list, for someone of this privilege. It reads only
    the registry, so the command line answers it without opening (or creating) a database."""
    if name:
        cmd = REGISTRY.get(name)
        if cmd is None:
            raise UserError(f"There is no command {name!r}. Type `help` for the list.")
        fields = [Field(a.name, a.description + ("" if a.required else " (optional)")) for a in cmd.args]
        lines = [cmd.summary, "", f"Usage: {cmd.usage()}"]
        if cmd.example:
            lines.append(f"Example: {cmd.example}")
        if cmd.aliases:
            lines.append("Also: " + ", ".join(cmd.aliases))
        if cmd.privilege:
            lines.append(f"Needs: {cmd.privilege.name.lower()}")
        return Reply("help", True, "\n".join(lines), title=f"help: {cmd.name}", fields=fields)
    rows = []
    for cmd in REGISTRY:
        if cmd.privilege > privilege:
            continue
        rows.append([cmd.usage(), cmd.summary, cmd.example])
    return Reply(
        "help",
        True,
        "Commands (type `help COMMAND` for details):",
        title="briefbot commands",
        columns=["usage", "what it does", "example"],
        table=rows,
    )
