"""Translation off the critical path: the article is searchable with its entities first,
then its English translation arrives as a partial update that erases nothing."""

import json
import time

import httpx

from kabar.services.indexing.index_design import sync_client
from tests.fixtures.tiny_translation_model import build_tiny_model

ARTICLE = {
    "source": "antaranews.com",
    "url": "https://www.antaranews.com/berita/4512999/gempa-guncang-maluku",
    "title": "Gempa guncang Maluku",
    "body": "Ambon (ANTARA) - Badan Meteorologi, Klimatologi, dan Geofisika (BMKG) mencatat gempa di Maluku. "
    "Warga Kota Ambon sempat panik, kata Kepala BMKG Dwi Handayani.",
    "language_hint": "id",
}


def wait_for(settings, article_id: str, ready, timeout_s: float = 60) -> dict:  # type: ignore[no-untyped-def,type-arg]
    deadline = time.monotonic() + timeout_s
    with sync_client(settings) as es:
        while time.monotonic() < deadline:
            if es.indices.exists_alias(name=settings.es_alias):
                hits = es.search(index=settings.es_alias, query={"ids": {"values": [article_id]}})["hits"][
                    "hits"
                ]
                if hits and ready(hits[0]["_source"]):
                    return hits[0]["_source"]
            time.sleep(0.5)
    raise AssertionError(f"{article_id} did not reach the expected state in {timeout_s}s")


def test_an_article_is_translated_after_it_is_searchable(pipeline, run_service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    words = sorted({w for text in (ARTICLE["title"], ARTICLE["body"]) for w in text.split()})
    model = build_tiny_model(tmp_path / "model", words[:60])
    pipeline.env.update(
        {"KABAR_TRANSLATION_BACKEND": "ctranslate2", "KABAR_TRANSLATION_MODEL_DIR": str(model)}
    )
    ingestion = run_service("ingestion")
    run_service("enrichment")
    run_service("indexing")
    response = httpx.post(f"{ingestion.url}/v1/articles", json=ARTICLE, timeout=30)
    article_id = response.json()["items"][0]["article_id"]

    first = wait_for(pipeline.settings, article_id, lambda doc: True)
    assert first["translation_status"] == "pending" and "body_en" not in first
    assert "Meteorology, Climatology and Geophysics Agency" in first["entity_names"]

    run_service("translation")  # a late translator: search never waited for it
    translated = wait_for(
        pipeline.settings, article_id, lambda doc: doc["translation_status"] == "translated"
    )
    assert translated["body_en"] and translated["title_en"]
    assert translated["translation_model"].startswith("ctranslate2")
    assert translated["entities"] == first["entities"] and translated["title"] == ARTICLE["title"]


def test_without_a_model_articles_say_so(pipeline, run_service) -> None:  # type: ignore[no-untyped-def]
    ingestion = run_service("ingestion")
    run_service("enrichment")
    run_service("indexing")
    response = httpx.post(f"{ingestion.url}/v1/articles", json=ARTICLE, timeout=30)
    article_id = response.json()["items"][0]["article_id"]
    doc = wait_for(pipeline.settings, article_id, lambda doc: True)
    assert doc["translation_status"] == "no_model" and doc["language"] == "id"
    english = {
        **ARTICLE,
        "url": "https://www.thestar.com.my/news/1",
        "title": "Floods in Kelantan",
        "body": "KOTA BHARU: Floods in Kelantan worsened on Monday, the state disaster committee said.",
    }
    english_id = httpx.post(
        f"{ingestion.url}/v1/articles",
        content=json.dumps(english),
        headers={"content-type": "application/json"},
        timeout=30,
    ).json()["items"][0]["article_id"]
    assert wait_for(pipeline.settings, english_id, lambda doc: True)["translation_status"] == "not_needed"
