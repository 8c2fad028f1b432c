"""pt-BR text helpers: repair mojibake, flatten catalogue markdown, fold for matching."""

from __future__ import annotations

import re
import unicodedata

import ftfy

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# Editors leave invisible characters in catalogue texts ("2000\u200b"): drop them, never a space.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*)")
# The catalogue escapes markdown-special characters inside URLs ("servicos\_digitais").
_ESCAPED = re.compile(r"\\([_*\[\]()#])")


# What double-encoded UTF-8 looks like in Portuguese text: Â/Ã/â followed by a character that
# Latin-1/cp1252 gives to a UTF-8 continuation byte, "Â " left from a no-break space, or Thai
# letters from a cp874 misreading ("nยบ"). Only such texts go through ftfy (~50 us a line), which
# also leaves clean texts exactly as written (no quote straightening).
_MOJIBAKE = re.compile(
    "[\u00c2\u00c3\u00e2][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|\u00c2 |[\u0e00-\u0e7f]"
)


def repair(text: str) -> str:
    """Undo double-encoded UTF-8 (mojibake such as "Â" + no-break space); normalise to NFC."""
    if not text:
        return ""
    if not _MOJIBAKE.search(text):
        return unicodedata.normalize("NFC", text)
    fixed = ftfy.fix_text(text, normalization="NFC")
    # A lone "Â" before a (no-break) space is what remains of a double-encoded U+00A0 whose
    # second byte was copied as an ordinary space; ftfy cannot see it once the NBSP is gone.
    fixed = fixed.replace("Â\u00a0", " ").replace("Â ", " ")
    return fixed


def unescape_markdown(text: str) -> str:
    return _ESCAPED.sub(r"\1", text)


def plain(text: str | None) -> str:
    """Catalogue markdown -> readable single-spaced text (link labels kept, emphasis dropped)."""
    if not text:
        return ""
    text = unescape_markdown(repair(_ZERO_WIDTH.sub("", text)))
    text = _MD_LINK.sub(lambda m: m.group(1).strip() or m.group(2), text)
    text = _MD_EMPHASIS.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def links(text: str | None) -> list[str]:
    """Targets of markdown links and bare URLs, unescaped."""
    if not text:
        return []
    text = unescape_markdown(text)
    found = [m.group(2) for m in _MD_LINK.finditer(text)]
    found += re.findall(r"(?<![(\[])\bhttps?://[^\s)\]]+", text)
    return [url for url in dict.fromkeys(found) if url]


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form for matching words, never for display."""
    decomposed = unicodedata.normalize("NFKD", repair(text).casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", stripped).strip()
