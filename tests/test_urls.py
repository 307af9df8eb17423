import pytest

from pipeline.urls import breaks_url, url_continues


@pytest.mark.parametrize("url, following", [
    ("https://example.org/files/", "report.pdf"),             # broken after a separator
    ("https://example.org/vnr", "-2019.pdf"),                 # before one
    ("https://hlpf.un.org/2021/23946KAZAKHSTA", "N_DNO_eng_4.pdf"),  # mid-word, into a URL-shaped piece
    ("https://hlpf.un.org/sites/default/files/vnr", "s/2022/VNR%202022.pdf"),
    ("https://www.gold.uclg.", "org/sites/default/files/x.pdf"),  # after a dot, into a path
])
def test_a_url_goes_on(url, following):
    assert url_continues(url, following)


@pytest.mark.parametrize("url, following", [
    ("https://example.org/a.pdf", "(2019);"),                 # a year in parentheses
    ("https://example.org/a.pdf", "Accessed"),                # a plain word
    ("https://example.org/a.pdf.", "See"),                    # a sentence ended
    ("https://example.org/a.pdf", "https://example.org/b"),   # another URL
    ("https://example.org/a.pdf.", "and"),
    ("https://example.org/a", "report"),                      # a plain lowercase word
])
def test_a_url_ends(url, following):
    assert not url_continues(url, following)


@pytest.mark.parametrize("last, following, breaks", [
    ("htt", "ps://www.example.org/a", True),      # inside the scheme
    ("https", "://example.org", True),
    ("https://", "www.example.org/a", True),      # right after it
    ("https://example.org/til-regi", "onal-og-20192023/", True),
    ("the", "https://example.org", False),        # a URL opening the next line
    ("h", "ello", False),
    ("plan", "2019", False),
])
def test_breaks_url(last, following, breaks):
    assert breaks_url(last, following) is breaks
