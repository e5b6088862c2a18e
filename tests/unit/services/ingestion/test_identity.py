from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from kabar.services.ingestion.identity import article_id, canonical_url


def test_tracking_parameters_fragment_host_case_and_default_port_go() -> None:
    assert (
        canonical_url("HTTPS://News.Example.com:443/read/1?utm_source=tw&b=2&a=1&fbclid=x#comments")
        == "https://news.example.com/read/1?a=1&b=2"
    )


def test_meaningful_query_parameters_and_other_ports_stay() -> None:
    assert canonical_url("http://example.com:8080/a?page=2") == "http://example.com:8080/a?page=2"


def test_an_empty_path_becomes_root() -> None:
    assert canonical_url("https://example.com") == "https://example.com/"


def test_the_id_comes_from_the_canonical_url_when_there_is_one() -> None:
    a = article_id(url="https://x.com/a?utm_medium=s", source="x", title="A", published_at=None)
    b = article_id(url="https://X.com/a#top", source="other", title="B", published_at=None)
    assert a == b and len(a) == 32


def test_without_url_source_title_and_day_make_the_id() -> None:
    day = datetime(2024, 12, 2, 7, tzinfo=UTC)
    a = article_id(url=None, source="Bernama.com ", title="Banjir  di Kelantan", published_at=day)
    b = article_id(url=None, source="bernama.com", title="banjir di kelantan", published_at=day)
    c = article_id(url=None, source="bernama.com", title="banjir di kelantan", published_at=None)
    assert a == b != c


@given(
    path=st.text(alphabet="abcdefghij/-", max_size=20),
    params=st.dictionaries(st.sampled_from(["a", "b", "page", "id"]), st.text("xyz0123", max_size=4)),
    tracking=st.dictionaries(
        st.sampled_from(["utm_source", "utm_campaign", "fbclid", "gclid"]), st.text("q", max_size=3)
    ),
    fragment=st.text(alphabet="abc", max_size=5),
)
def test_tracking_and_fragment_never_change_the_id(
    path: str, params: dict[str, str], tracking: dict[str, str], fragment: str
) -> None:
    from urllib.parse import urlencode

    plain = f"https://example.com/{path}?{urlencode(params)}"
    noisy = f"https://EXAMPLE.com/{path}?{urlencode({**tracking, **params})}#{fragment}"
    assert canonical_url(plain) == canonical_url(noisy)
    assert article_id(url=plain, source="s", title="t", published_at=None) == article_id(
        url=noisy, source="s", title="t", published_at=None
    )
