"""Characters of untrusted text: folded for comparison, cleaned for display, encoded for partition folder names.

Standard library only (the warehouse's layout module, the log lines and extract/ use it before pandas loads).

One table of characters decides, per Unicode category, what no reader can see (see _dropped): format
characters (Cf: zero-width spaces and joiners, the soft hyphen, the byte-order mark, bidi marks,
embeddings, overrides and isolates). fold_width drops them from every extracted text; clean_name drops
them, and surrogates, private-use and unassigned characters too, from a name shown or stored.

fold_width, the one folding used everywhere (titles, labels, measure headers, department names, figures):

* full-width ASCII variants U+FF01–U+FF5E become their ASCII twins, so ``（`` → ``(``,
  ``：`` → ``:``, ``３`` → ``3``; ``因公出国（境）费`` and ``因公出国(境)费`` both become
  ``因公出国(境)费``. The CONTRACT asks for full-width characters folded in department
  names; labels follow the same rule so the same row reads the same in every report.
* the ideographic space U+3000 and no-break spaces become an ordinary space;
  format characters are dropped;
* Kangxi radicals and CJK compatibility ideographs that some PDFs' text layers
  produce instead of the ordinary ideograph (``⼀`` U+2F00 for ``一``) become that
  ideograph (their NFKC form).

Nothing else changes: CJK punctuation (``、``, ``。``, ``“”``, ``《》``, ``…``) and
circled numbers stay as printed. Full NFKC is deliberately not used: it would
turn ``①`` into ``1`` and ``⑴`` into ``(1)``, which then reads as a figure.
compact(text) is fold_width without any space or line break: the form titles, names and
headers are compared in.

A partition value is data, never a path. A folder name `department=<value>` holds the value
percent-encoded (RFC 3986 style, UTF-8 bytes as %XX) for every character other than letters,
digits (any script, so Chinese names stay readable) and `-`, `_`, `(`, `)`: a `/`, `\\`, `=`,
`%`, `.`, space or any other punctuation can never make a path, an extra partition level or a
value a reader decodes differently. pandas, pyarrow (hive partitioning, segment_encoding "uri",
the default), DuckDB (hive_partitioning) and polars (hive_partitioning) all decode %XX back.
Values a reader would not give back as that string are refused with PartitionValueError: the
empty string, hive's null token `__HIVE_DEFAULT_PARTITION__`, and values whose folder name would
exceed MAX_FOLDER_NAME_BYTES (file systems allow 255 bytes per name).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote

# Longest folder name written (bytes, UTF-8): below the 255 of common file systems, with room to spare.
MAX_FOLDER_NAME_BYTES = 200
# Readers turn this partition value into null (pyarrow, pandas): never written as a value.
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
_KEPT_PUNCTUATION = frozenset("-_()")

# ---------- the character table ----------

# Unicode categories no reader can see, dropped from every folded text and every name: format characters.
_INVISIBLE_CATEGORIES = frozenset({"Cf"})
# Dropped from names besides: surrogates (bytes a file name could not decode), private use, unassigned.
_UNSHOWABLE_CATEGORIES = frozenset({"Cs", "Co", "Cn"})
# Categories a name holds as a space: control characters (tab, newline, escape…) and line/paragraph separators.
_SPACED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
_SPACES = frozenset("\u3000\u00a0\u2007\u202f")  # folded to " "
_COMPATIBILITY_IDEOGRAPHS = ((0x2F00, 0x2FD5), (0xF900, 0xFAFF), (0x2E80, 0x2EFF))  # Kangxi, CJK compatibility, radicals


def _dropped(char: str) -> bool:
    """Whether no reader can see `char` (a format character): fold_width and clean_name drop it."""
    return unicodedata.category(char) in _INVISIBLE_CATEGORIES


class _Table(dict):
    """A str.translate table filled one code point at a time, on first sight, from `rule` (char → text, None
    to drop it): rules over Unicode categories need no entry for every code point up front. At most
    _TABLE_SIZE code points are kept, so hostile text naming every code point cannot grow it without bound."""

    def __init__(self, rule: Callable[[str], str | None]) -> None:
        super().__init__()
        self._rule = rule

    def __missing__(self, code: int) -> str | None:
        value = self._rule(chr(code))
        if len(self) < _TABLE_SIZE:
            self[code] = value
        return value


_TABLE_SIZE = 1 << 16


def _folded(char: str) -> str | None:
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if char in _SPACES:
        return " "
    if _dropped(char):
        return None
    if any(start <= code <= end for start, end in _COMPATIBILITY_IDEOGRAPHS):
        ideograph = unicodedata.normalize("NFKC", char)
        return ideograph if len(ideograph) == 1 else char
    return char


def _cleaned(char: str) -> str | None:
    if _dropped(char) or unicodedata.category(char) in _UNSHOWABLE_CATEGORIES:
        return None
    return " " if unicodedata.category(char) in _SPACED_CATEGORIES else char


_FOLD_TABLE = _Table(_folded)
_CLEAN_TABLE = _Table(_cleaned)
_WHITESPACE = re.compile(r"\s+")


def fold_width(text: str) -> str:
    """Fold full-width ASCII variants to ASCII, odd spaces to " ", compatibility ideographs to ideographs; drop
    format characters."""
    return text.translate(_FOLD_TABLE)


def squeeze(text: str) -> str:
    """Every space and line break dropped, nothing folded: a printed figure or code as its characters."""
    return _WHITESPACE.sub("", text)


def compact(text: str) -> str:
    """Width folded and every space and line break dropped: the form titles, names and headers are compared in."""
    return squeeze(fold_width(text))


def clean_name(text: str) -> str:
    """text without control, bidi/format, surrogate or unassigned characters (controls and line
    separators become a space), so that it shows as what it is in a folder name or a log line."""
    return text.translate(_CLEAN_TABLE)


def printable(text: str) -> str:
    """clean_name of any value, for one log line (a newline or escape in it becomes a space)."""
    return clean_name(str(text))


# ---------- partition values ----------


class PartitionValueError(ValueError):
    """A value that cannot be written as a partition folder name every reader decodes back to it."""


def _kept(char: str) -> bool:
    return char in _KEPT_PUNCTUATION or (char.isalnum() and unicodedata.category(char)[0] in "LN")


def encode_partition_value(value: str) -> str:
    """The folder-name form of a partition value (see the module docstring); PartitionValueError if refused."""
    if not value:
        raise PartitionValueError("an empty partition value reads back as null")
    if value.upper() == HIVE_NULL:
        raise PartitionValueError(f"{HIVE_NULL} reads back as null")
    return "".join(char if _kept(char) else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
                   for char in value)


def decode_partition_value(text: str) -> str:
    """The value a folder name holds (inverse of encode_partition_value; %XX sequences as UTF-8)."""
    return unquote(text, encoding="utf-8", errors="strict")


def partition_folder(key: str, value: str) -> str:
    """`key=<encoded value>`, refused when longer than MAX_FOLDER_NAME_BYTES."""
    folder = f"{key}={encode_partition_value(value)}"
    size = len(folder.encode("utf-8"))
    if size > MAX_FOLDER_NAME_BYTES:
        raise PartitionValueError(
            f"the {key} value is too long for a folder name ({size} bytes encoded, at most {MAX_FOLDER_NAME_BYTES})")
    return folder
