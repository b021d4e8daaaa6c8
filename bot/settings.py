"""Runtime configuration, read from ``BRIEFBOT_*`` environment variables and ``.env``.

Built in ``main()`` and passed down, never at import time, so importing any module (or
running the tests) needs no token. Secrets are ``SecretStr`` so they never show up in a
log line or a repr.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BRIEFBOT_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        # "BRIEFBOT_SLACK_BOT_TOKEN=" copied from .env.example means "not set", not an empty token
        env_ignore_empty=True,
    )

    db: Path = Field(Path("data/briefbot.db"), description="SQLite database path")
    seed: bool = Field(True, description="fill an empty database from the shipped articles")

    discord_token: SecretStr | None = None
    discord_prefix: str = "!"
    discord_guild_id: int | None = None
    # Another Discord endpoint (a REST proxy, a gateway relay, a test double): REST base without
    # the /api/vN suffix, and the gateway's ws:// or wss:// URL. Unset means Discord itself.
    discord_api_url: str | None = None
    discord_gateway_url: str | None = None

    slack_bot_token: SecretStr | None = None  # xoxb-…
    slack_app_token: SecretStr | None = None  # xapp-…: Socket Mode (no public URL needed)
    slack_signing_secret: SecretStr | None = None  # HTTP mode: verifies every request came from Slack
    slack_host: str = "0.0.0.0"
    slack_port: int = 3000
    slack_command: str = "brief"  # the slash command, without the slash
    slack_moderator_users: Annotated[list[str], NoDecode] = Field(default_factory=list)  # user ids
    slack_moderator_group: str | None = None  # a user group id (S…) whose members moderate
    slack_api_url: str | None = None  # the Web API base URL (another Slack endpoint, a test double)

    moderator_roles: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["Moderator"])
    admin_user_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)

    max_file_bytes: int = 5_000_000
    max_url_bytes: int = 5_000_000
    fetch_timeout: float = 15.0
    allow_private_urls: bool = False
    extract_workers: int = 1
    cooldown_seconds: float = 5.0
    feed_interval_minutes: int = Field(15, ge=5)  # how often a new feed is polled
    feed_first_items: int = Field(10, ge=0)  # items taken from a feed's first poll (not its archive)
    log_level: str = "INFO"

    _csv = field_validator("moderator_roles", "admin_user_ids", "slack_moderator_users", mode="before")(_split_csv)

    def redacted(self) -> dict[str, object]:
        """Settings as a dict with every secret masked, safe to log."""
        out: dict[str, object] = {}
        for name, value in self.model_dump().items():
            if any(k in name for k in ("token", "secret", "key")):
                out[name] = "***" if value else None
            else:
                out[name] = value
        return out
