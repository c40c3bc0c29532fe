import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from registry.hostnames import hostname_normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("  sub.example.co.id ", "sub.example.co.id"),
        ("bücher.example", "xn--bcher-kva.example"),
        # IDNA 2008 / UTS #46, as browsers resolve it (IDNA 2003 gave "strasse.example").
        ("straße.example", "xn--strae-oqa.example"),
        ("faß.de", "xn--fa-hia.de"),
        ("\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25.com", "example.com"),  # full-width
        ("XN--BCHER-KVA.example", "xn--bcher-kva.example"),
        ("a-b.example", "a-b.example"),
    ],
)
def test_normalizes(raw, expected):
    assert hostname_normalize(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "localhost",
        "http://example.com",
        "example.com/path",
        "example.com:443",
        "user@example.com",
        "-bad.example",
        "bad-.example",
        "exa mple.com",
        "a..b",
        "1.2.3.4",
        "x" * 64 + ".example",
        "under_score.example",
        "☃.example",
        "ab--c.example",  # hyphens in the 3rd and 4th places are reserved (IDNA 2008)
    ],
)
def test_rejects(raw):
    with pytest.raises(ValidationError):
        hostname_normalize(raw)


# Hyphens in the third and fourth places are reserved (IDNA 2008, `xn--`): such a label is
# refused (test_rejects), so it is no valid name to generate.
labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True).filter(
    lambda label: label[2:4] != "--"
)


@given(st.lists(labels, min_size=1, max_size=4), st.from_regex(r"[a-z]{2,6}", fullmatch=True))
def test_normal_form_is_a_fixed_point(parts, tld):
    name = ".".join([*parts, tld])
    once = hostname_normalize(name.upper() + ".")
    assert once == name
    assert hostname_normalize(once) == once
