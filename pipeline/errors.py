"""Errors with stable codes. Stages raise them; only the runner catches them.

The runner turns each into one manifest entry and one line on stderr, so the
message must read well alone: ``[E101] unreadable PDF: file is truncated``.
"""
from __future__ import annotations


class ProfileError(Exception):
    """Base of every error the pipeline raises on purpose."""

    code = "E000"
    prefix = ""

    def __init__(self, detail: str = ""):
        self.detail = detail
        super().__init__(f"{self.prefix}{': ' if self.prefix and detail else ''}{detail}" if self.prefix else detail)

    @property
    def line(self) -> str:
        return f"[{self.code}] {self}"


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
