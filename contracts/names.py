"""Text from untrusted input made safe as data: names cleaned for display, partition values encoded for folder names.

Standard library only (the warehouse's layout module and the log lines use it before pandas loads).

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

import unicodedata
from urllib.parse import unquote

# Longest folder name written (bytes, UTF-8): below the 255 of common file systems, with room to spare.
MAX_FOLDER_NAME_BYTES = 200
# Readers turn this partition value into null (pyarrow, pandas): never written as a value.
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
_KEPT_PUNCTUATION = frozenset("-_()")
# Unicode categories dropped from names: format characters (bidi marks and overrides such as
# U+200F, U+202E, zero-width joiners), surrogates (bytes a file name could not decode), private use.
_DROPPED_CATEGORIES = frozenset({"Cf", "Cs", "Co", "Cn"})
# Categories turned into a space: control characters (tab, newline, escape…) and line/paragraph separators.
_SPACED_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


class PartitionValueError(ValueError):
    """A value that cannot be written as a partition folder name every reader decodes back to it."""


def clean_name(text: str) -> str:
    """text without control, bidi/format, surrogate or unassigned characters (controls and line
    separators become a space), so that it shows as what it is in a folder name or a log line."""
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category in _DROPPED_CATEGORIES:
            continue
        out.append(" " if category in _SPACED_CATEGORIES else char)
    return "".join(out)


def printable(text: str) -> str:
    """clean_name of any value, for one log line (a newline or escape in it becomes a space)."""
    return clean_name(str(text))


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
