"""Page furniture among stored sentences: what a summary, a timeline or a quote list must
not show as reporting.

The cleaner (:mod:`corpus.clean`) removes most of it before an article is stored; what
slips through one sentence at a time ("Sign up now.", a photo credit, an author's bio, a
heading glued to its paragraph) is recognised here, so every command refuses it alike.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from .segment import is_heading

_NOISE_ANYWHERE = re.compile(
    r"(?:\bsign up\b|\bsubscribe\b|\bread more\b|\bclick here\b|\bphoto:|\bimage credit\b|\bimage:|"
    r"\bvideo:|\bwatch:|\blisten:|\bcredit:|\bnewsletter\b|\bunlimited access\b|\bscroll to top\b|"
    r"\bconnect with us\b|\bfollow us\b|\ball rights reserved\b|\bcookies?\b policy|\bterms of (?:use|service)\b|"
    r"\bcontributed to (?:this|his|her|the) report\b|\bwith reporting by\b|\bget the [\w' ]+ app\b|"
    r"\bwhat are you looking for\b|\bcreative ?commons\b|\bcc by(?:-sa)?\b|https?://|www\.|"
    r"\bcopyright\b|©|\bdelivered right to your inbox\b|\blive briefing\b)",
    re.IGNORECASE,
)
#: A literal piece of every alternative above, lower-cased: the regex runs only on a sentence
#: holding one (an alternation tried at every position costs 0.1 ms a sentence).
_NOISE_KEYS = (
    "sign up", "subscribe", "read more", "click here", "photo:", "image", "video:", "watch:", "listen:",
    "credit:", "newsletter", "unlimited access", "scroll to top", "connect with us", "follow us",
    "all rights reserved", "cookie", "terms of ", "contributed to ", "with reporting by", "get the ",
    "what are you looking for", "creative", "cc by", "http", "www.", "copyright", "©",
    "delivered right to your inbox", "live briefing",
)
_NOISE_START = re.compile(
    r"^\W*(?:advertisement|written by|related|recommended|share|"
    r"by [A-Z][\w.’'-]+(?: [A-Z][\w.’'-]+){0,3}(?:\s*/|$)|"
    r"\(?reuters/|\(?ap photo|getty images|file photo)",
    re.IGNORECASE,
)
# "Jack Buckby is 19FortyFive’s Breaking News Editor." — author bios at the foot of a page.
_BIO = re.compile(
    r"\bis (?:a|an|the|[\w-]+[’']s)\b[^.]{0,60}\b(?:editor|correspondent|reporter|journalist|columnist|"
    r"contributor|writer|author|analyst at)\b",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?…][”\"’')\]]*$|[”\"]$")
_WORD = re.compile(r"[A-Za-z][\w’'-]*")


def looks_like_boilerplate(text: str, title: str | None = None) -> bool:
    """Whether a stored sentence is page furniture rather than reporting.

    The cleaner removes most of it, but a summary that quotes "Sign up now." or a photo
    credit is worse than a shorter summary, so this errs on the side of refusing.
    """
    s = text.strip()
    words = _WORD.findall(s)
    if len(words) < 6:
        return True
    low = s.lower()
    noisy = any(k in low for k in _NOISE_KEYS) and _NOISE_ANYWHERE.search(s)
    if noisy or _NOISE_START.search(s) or _BIO.search(s):
        return True
    letters = [c for c in s if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.6:
        return True  # SHOUTED promo lines and headings
    if not _TERMINAL.search(s):
        return True  # no sentence punctuation: a heading or a caption fragment
    if is_heading(s) and len(words) < 16:
        return True
    return bool(title and fuzz.ratio(s.lower(), title.lower()) >= 85)
