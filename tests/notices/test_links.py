import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from notices.links import host_in_domains, url_normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Example.COM/Video/AbC?x=1#frag", "https://example.com/Video/AbC?x=1"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://bücher.example/p", "https://xn--bcher-kva.example/p"),
        ("http://203.0.113.7/x", "http://203.0.113.7/x"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_normalizes(raw, expected):
    assert url_normalize(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "example.com/a",
        "ftp://example.com/a",
        "javascript:alert(1)",
        "https://",
        "https:///a",
        "https://exa mple.com/",
        "https://user:pw@example.com/",
        "https://example.com:99999/",
        "https://-bad.example/",
        "not a url",
    ],
)
def test_rejects(raw):
    with pytest.raises(ValidationError):
        url_normalize(raw)


def test_subdomains_belong_to_their_domain():
    domains = {"kilat.example"}
    assert host_in_domains("kilat.example", domains)
    assert host_in_domains("cdn.kilat.example", domains)
    assert not host_in_domains("notkilat.example", domains)
    assert not host_in_domains("kilat.example.evil", domains)


paths = st.from_regex(r"(/[A-Za-z0-9._~-]{0,12}){0,4}", fullmatch=True)
hosts = st.from_regex(r"[a-z][a-z0-9]{0,10}\.(com|id|example)", fullmatch=True)


@given(st.sampled_from(["http", "https", "HTTP", "HtTpS"]), hosts, paths)
def test_normal_form_is_a_fixed_point_and_ignores_case_of_scheme_and_host(scheme, host, path):
    once = url_normalize(f"{scheme}://{host.upper()}{path}")
    assert url_normalize(once) == once
    assert once == url_normalize(f"{scheme.lower()}://{host}{path}")
    assert once.endswith(path or "/")


any_text = st.one_of(
    st.text(max_size=80),
    st.builds(
        lambda scheme, rest: f"{scheme}://{rest}",
        st.sampled_from(["http", "https", "ftp", "HTTP", ""]),
        st.text(max_size=60),
    ),
)


@given(any_text)
def test_any_text_is_either_refused_cleanly_or_normalized_to_a_fixed_point(raw):
    try:
        once = url_normalize(raw)
    except ValidationError:
        return
    assert url_normalize(once) == once
    assert once.startswith(("http://", "https://"))
    assert "#" not in once


def test_hosts_are_encoded_as_browsers_resolve_them():
    # IDNA 2008 / UTS #46 (non-transitional): the sharp s is kept, not folded to "ss".
    assert url_normalize("https://Straße.example/Post/1") == "https://xn--strae-oqa.example/Post/1"
