"""URLs broken over two lines: one rule for text exports and PDFs.

Why its own module: footnotes (text path) and the PDF reader's line joining both
decide whether the next line carries on a URL; the rule must be the same.
"""
from __future__ import annotations

import re

URL_START = re.compile(r"(?:https?://|www\.)", re.IGNORECASE)
URL_AT_END = re.compile(r"(?:https?://|www\.)\S*$", re.IGNORECASE)
URL_BREAK = "/_-.?&=#%~"  # characters a URL is commonly broken after or before
URL_PIECE = re.compile(r"[\w\-./%?=&#~:+]+")


def url_continues(url: str, following: str) -> bool:
    """Does ``following`` (the next line's first word) carry on ``url``, which ended a line?

    A typesetter may break a URL at any character. It goes on when the break is at
    a separator ('/files/' + 'x.pdf', '...-' + '2019'), or when the next word is
    itself shaped as a URL piece, holding a separator or a digit ('KAZAKHSTA' +
    'N_DNO_eng_4.pdf'). A URL ending in '.' goes on only into a piece that holds '/'
    or a further '.' ('www.gold.uclg.' + 'org/sites'), since the '.' may end a sentence.
    Another URL, or a plain word, never continues one.
    """
    if not following or URL_START.match(following):
        return False
    piece = URL_PIECE.fullmatch(following.rstrip(".,;:)")) is not None
    if url.endswith("."):
        inner = following.rstrip(".,;:)")
        return piece and (following[0].islower() or following[0].isdigit()) and ("/" in inner or "." in inner)
    if url[-1] in URL_BREAK or following[0] in URL_BREAK:
        return piece or following[0] in URL_BREAK
    return piece and any(c in URL_BREAK or c.isdigit() for c in following.rstrip(".,;:)"))


_SCHEME_PIECE = re.compile(r"h|ht|htt|https?|https?:|https?:/|https?://|ww?|www", re.IGNORECASE)


def breaks_url(last: str, following: str) -> bool:
    """Does a line break fall inside a URL, between ``last`` (the word ending a line) and
    ``following`` (the word opening the next)? Inside its scheme ('htt' + 'ps://x.org'),
    or anywhere after it (``url_continues``)."""
    if _SCHEME_PIECE.fullmatch(last) and URL_START.match(last + following) and (
            last.endswith("://") or not URL_START.match(following)):
        return True
    url = URL_AT_END.search(last)
    return url is not None and url_continues(url.group(0), following)
