import pytest

from pipeline.country import resolve_country
from pipeline.errors import NotAProfile, UnknownCountry


@pytest.mark.parametrize(
    "title, iso3, name",
    [
        ("Kazakhstan", "KAZ", "Kazakhstan"),
        ("Country Profile: Kazakhstan", "KAZ", "Kazakhstan"),
        ("Mali – Country Profile 2023", "MLI", "Mali"),
        ("Bosnia and Herzegovina", "BIH", "Bosnia and Herzegovina"),
        ("Türkiye", "TUR", "Türkiye"),
        ("Republic of Korea", "KOR", "Republic of Korea"),
    ],
    ids=["plain", "prefix", "suffix-dash", "small-words", "alias", "official-name"],
)
def test_title_names_the_country(rules, title, iso3, name):
    country = resolve_country(title, rules)
    assert (country.iso3, country.name, country.warning) == (iso3, name, None)


def test_file_name_is_the_fallback_with_a_warning(rules):
    country = resolve_country(None, rules, "exports/kenya_profile_2024.txt")
    assert country.iso3 == "KEN" and "file name" in country.warning
    assert resolve_country("Annual Report", rules, "in/PER.md").iso3 == "PER"


@pytest.mark.parametrize("path", ["in/profile_in_2023.md", "in/can.md", "in/report.md"])
def test_short_words_in_file_names_are_not_country_codes(rules, path):
    with pytest.raises(NotAProfile):
        resolve_country(None, rules, path)


def test_title_that_is_no_country_fails(rules):
    with pytest.raises(UnknownCountry, match="'Atlantis' is not a country name"):
        resolve_country("Atlantis", rules, "in/atlantis.md")
