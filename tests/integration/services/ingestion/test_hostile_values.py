"""Generated hostile values in every field of an input article, through the push API and
the backfill with real Kafka behind them: each is a clear result of its own, never a 500,
a failed batch or a dead backfill."""

import json
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kabar.schemas.events import ArticleIn
from kabar.services.common.kafka import ensure_topics, producer
from kabar.services.common.settings import IngestionSettings
from kabar.services.ingestion.backfill import backfill
from kabar.services.ingestion.publish import Publisher
from kabar.services.ingestion.service import create_app

VALID = {"source": "kompas.com", "title": "Banjir Bandung", "body": "Banjir melanda Bandung pada Senin."}
FIELDS = [*ArticleIn.model_fields, "not_a_field"]

# JSON text, not Python values: numbers past the integer-string limit cannot be dumped
json_text = st.one_of(
    st.text().map(json.dumps),  # controls, lone surrogates, escapes
    st.text(alphabet="\x1b[]0;\x07\x9b\x9d\\m\r\n", min_size=1).map(json.dumps),
    st.integers(4_300, 6_000).map(lambda digits: "9" * digits),
    st.sampled_from(["1e999999", "-1e999999", "NaN", "Infinity", "-0", "null", "true", "{}", "[]", '""']),
    st.integers(1, 3_000).map(lambda depth: "[" * depth + "]" * depth),
    st.sampled_from(
        [
            '"9999-12-31T23:59:59-12:00"',
            '"0001-01-01T00:00:00+01:00"',
            '"2024-02-30T10:00:00+07:00"',
            '"Senin, 2 Desember 99999 14:30 WIB"',
            '"Minggu (1/12/2024)"',
            '"http://[::1"',
            '"javascript:alert(1)"',
        ]
    ),
    st.integers(1, 400_000).map(lambda n: json.dumps("x" * n)),
    st.integers(-(2**70), 2**70).map(str),
)
hostile = st.dictionaries(st.sampled_from(FIELDS), json_text, min_size=1, max_size=3)


def article_with(fields: dict[str, str]) -> bytes:
    """The valid article with some fields replaced by the given JSON texts."""
    members = {name: json.dumps(value) for name, value in VALID.items()} | fields
    return ("{" + ", ".join(f"{json.dumps(name)}: {text}" for name, text in members.items()) + "}").encode()


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(fields=hostile)
def test_the_push_api_answers_every_value_with_a_result_of_its_own(pipeline, fields) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(pipeline.settings_as(IngestionSettings))) as client:
        single = client.post(
            "/v1/articles", content=article_with(fields), headers={"content-type": "application/json"}
        )
        assert single.status_code in (202, 422), single.text
        batch = b"\n".join([article_with({}), article_with(fields), article_with({"title": '"Banjir lagi"'})])
        response = client.post(
            "/v1/articles", content=batch, headers={"content-type": "application/x-ndjson"}
        )
    assert response.status_code == 202, response.text
    items = response.json()["items"]
    assert [item["origin"] for item in items] == ["request:1", "request:2", "request:3"]
    assert items[0]["status"] in ("accepted", "duplicate") and items[2]["status"] in ("accepted", "duplicate")
    assert items[1]["status"] in ("accepted", "duplicate", "rejected")
    if items[1]["status"] == "rejected":
        # a reason that names the problem, not the safety net for what nobody foresaw
        assert items[1]["reason"] not in (None, "unprocessable") and items[1]["message"]


@SETTINGS
@given(lines=st.lists(hostile, min_size=1, max_size=4))
def test_the_backfill_reports_every_line_and_never_dies_on_one(pipeline, tmp_path_factory, lines) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings_as(IngestionSettings)
    ensure_topics(settings)
    folder: Path = tmp_path_factory.mktemp("backfill")
    file = folder / "hostile.ndjson"
    file.write_bytes(b"\n".join([*(article_with(fields) for fields in lines), article_with({})]) + b"\n")
    kafka_producer = producer(settings, "test-hostile-backfill")
    try:
        summary = backfill([file], Publisher(settings, kafka_producer), folder / "state")
    finally:
        kafka_producer.close()
    assert [outcome.origin for outcome in summary.outcomes] == [
        f"{file}:{n}" for n in range(1, len(lines) + 2)
    ]
    assert summary.outcomes[-1].status in ("accepted", "duplicate")
    assert all(
        o.reason not in (None, "unprocessable") and o.message
        for o in summary.outcomes
        if o.status == "rejected"
    )
