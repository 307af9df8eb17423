"""Errors with stable codes. Stages raise them; only the runner catches them.

The runner turns each into one manifest entry and one line on stderr, so the
message must read well alone: ``[E101] unreadable PDF: file is truncated``.
"""
from __future__ import annotations

import re

MESSAGE_LIMIT = 300  # characters of one manifest or stderr message; a 1 MB title is cut, not quoted

class ProfileError(Exception):
    """Base of every error the pipeline raises on purpose."""

    code = "E000"
    prefix = ""

    def __init__(self, detail: str = ""):
        self.detail = detail
        super().__init__(f"{self.prefix}{': ' if self.prefix and detail else ''}{detail}" if self.prefix else detail)

    @property
    def line(self) -> str:
        return one_line(f"[{self.code}] {self}")


class UnreadableInput(ProfileError):
    code = "E100"
    prefix = "unreadable input"


class UnreadablePdf(ProfileError):
    code = "E101"
    prefix = "unreadable PDF"


class EncryptedPdf(ProfileError):
    code = "E102"
    prefix = "encrypted PDF"


class NoTextLayer(ProfileError):
    code = "E103"
    prefix = "no text layer (scanned PDF?)"


class InputTooLarge(ProfileError):
    code = "E104"
    prefix = "input too large"


class InputTooSlow(ProfileError):
    code = "E105"
    prefix = "input took too long"


class OverMemoryLimit(ProfileError):
    code = "E106"
    prefix = "input needed too much memory"


class WorkerDied(ProfileError):
    code = "E107"
    prefix = "worker died"


class NotAProfile(ProfileError):
    code = "E200"
    prefix = "not a country profile"


class UnknownCountry(ProfileError):
    code = "E201"
    prefix = "unknown country"


class RuleError(ProfileError):
    """A rule file is malformed; ``errors`` lists every problem as ``file:line: what``."""

    code = "E300"
    prefix = "bad rules"

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


class ExtractionTimeout(ProfileError):
    code = "E400"
    prefix = "pattern timed out"


class OutputError(ProfileError):
    code = "E500"
    prefix = "cannot write output"


class OutputLocked(ProfileError):
    code = "E501"
    prefix = "output folder in use"


class InternalError(ProfileError):
    """A bug of ours, not a property of the input: the only code a bad input must never get."""

    code = "E999"
    prefix = "internal error"


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message fit for one line of a log: control characters escaped, at most ``limit`` characters.

    Input text (a title, a file name) reaches messages; a newline, an escape
    sequence or a megabyte of it must not break the line or flood the log.
    """
    text = _UNPRINTABLE.sub(_escape, text)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 30]}... ({len(text) - limit + 30} more chars)"


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:  # a byte os.fsdecode could not decode, or a lone surrogate
        return f"\\x{code & 0xFF:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
    return match.group().encode("unicode_escape").decode("ascii")


def display_path(path: str) -> str:
    """A path as text that encodes: bytes that are not UTF-8 (surrogate-escaped by os) shown as \\xNN."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
