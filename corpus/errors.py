"""Errors the corpus layer raises with a message fit to show a person.

Front ends catch :class:`CorpusError` (and the handler layer's ``UserError``) in one
place and turn it into a friendly reply; anything else is a bug and gets logged.
"""

from __future__ import annotations


class CorpusError(Exception):
    """A problem with the user's input or request, explained in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IngestError(CorpusError):
    """An item could not be ingested (empty, binary, too large, unreadable...)."""


class FetchError(IngestError):
    """A URL could not be fetched, or was refused (private address, wrong type...).

    ``status`` is the HTTP status when the server answered with an error, and
    ``retry_after`` the seconds it asked us to wait (429, 503 with ``Retry-After``).
    """

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class ModelMissingError(CorpusError):
    """The spaCy English model is not installed."""
