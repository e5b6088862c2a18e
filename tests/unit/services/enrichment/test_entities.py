"""The entity extractor on sentences written for these tests (the evaluation sets are kept
apart: tests/eval/data/)."""

import pytest

from services.enrichment.entities import Mention, extract_entities


def found(text: str, language: str) -> list[tuple[str, str, str]]:
    return [(m.text, m.label, m.canonical) for m in extract_entities(text, language)]


def test_country_names_link_to_their_english_names_in_every_language() -> None:
    id_text = (
        "Pemerintah mengecam serangan di Suriah yang didukung Rusia, sementara AS dan Amerika Serikat diam."
    )
    assert [(t, c) for t, label, c in found(id_text, "id") if label == "LOC"] == [
        ("Suriah", "Syria"),
        ("Rusia", "Russia"),
        ("AS", "United States"),
        ("Amerika Serikat", "United States"),
    ]
    ms_text = "Rakyat Malaysia di Syria selamat, kata pegawai dari Amerika Syarikat dan Jepun."
    assert ("Amerika Syarikat", "LOC", "United States") in found(ms_text, "ms")
    assert ("Jepun", "LOC", "Japan") in found(ms_text, "ms")


def test_titles_are_not_part_of_a_persons_name_and_offices_name_places() -> None:
    text = "Gubernur Jawa Barat Ridwan Saputra meninjau lokasi banjir bersama Menteri Keuangan Sri Wahyuni."
    mentions = found(text, "id")
    assert ("Jawa Barat", "LOC", "West Java") in mentions
    assert ("Ridwan Saputra", "PER", "Ridwan Saputra") in mentions
    assert ("Sri Wahyuni", "PER", "Sri Wahyuni") in mentions
    assert not any(label == "ORG" and "Keuangan" in t for t, label, _ in mentions)


def test_malay_honorifics_stay_out_of_the_name() -> None:
    text = "Menteri Besar Kelantan, Datuk Seri Ahmad Zaki Yusof berkata bantuan akan disalurkan segera."
    mentions = found(text, "ms")
    assert ("Kelantan", "LOC", "Kelantan") in mentions
    assert ("Ahmad Zaki Yusof", "PER", "Ahmad Zaki Yusof") in mentions


def test_an_acronym_introduced_in_parentheses_links_to_its_long_form_later_too() -> None:
    text = (
        "Gabungan Pengusaha Kelapa Sawit Indonesia (Gapki) memperkirakan ekspor turun. "
        "Menurut Gapki, permintaan Eropa melemah."
    )
    mentions = found(text, "id")
    assert mentions[:2] == [
        ("Gabungan Pengusaha Kelapa Sawit Indonesia", "ORG", "Gabungan Pengusaha Kelapa Sawit Indonesia"),
        ("Gapki", "ORG", "Gabungan Pengusaha Kelapa Sawit Indonesia"),
    ]
    assert mentions.count(("Gapki", "ORG", "Gabungan Pengusaha Kelapa Sawit Indonesia")) == 2


def test_known_agencies_with_commas_in_their_names() -> None:
    text = "Badan Meteorologi, Klimatologi, dan Geofisika (BMKG) memperingatkan hujan lebat."
    assert found(text, "id")[:2] == [
        (
            "Badan Meteorologi, Klimatologi, dan Geofisika",
            "ORG",
            "Meteorology, Climatology and Geophysics Agency",
        ),
        ("BMKG", "ORG", "Meteorology, Climatology and Geophysics Agency"),
    ]


def test_a_later_single_name_is_the_person_named_before() -> None:
    text = 'Kepala BNPB Arif Santoso Wibowo meninjau lokasi. "Kami siaga," kata Arif di Jakarta.'
    mentions = found(text, "id")
    assert ("Arif Santoso Wibowo", "PER", "Arif Santoso Wibowo") in mentions
    assert ("Arif", "PER", "Arif Santoso Wibowo") in mentions


def test_days_months_holidays_and_sentence_starts_are_not_entities() -> None:
    text = "Sementara itu, pada Senin (2/12/2024) menjelang Natal dan Tahun Baru, harga naik. Namun Desember sepi."
    assert found(text, "id") == []


def test_offsets_point_at_the_mention_in_the_text() -> None:
    text = "Banjir melanda Kabupaten Bandung dan Kota Bekasi, kata BPBD."
    for mention in extract_entities(text, "id"):
        assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize("language", ["id", "ms", "en"])
def test_empty_and_odd_text_gives_no_entities(language: str) -> None:
    for text in ("", "   ", "12345 67", "(((", "A"):
        assert isinstance(extract_entities(text, language), list)


def test_english_goes_through_the_model_and_the_gazetteer_names_it() -> None:
    text = (
        "Indonesia's Finance Minister Sri Wahyuni met officials from Syria and Russia in Jakarta on Monday."
    )
    mentions = extract_entities(text, "en")
    assert all(isinstance(m, Mention) for m in mentions)
    canonical = {m.canonical for m in mentions}
    assert {"Syria", "Russia", "Jakarta"} <= canonical
    assert any(m.label == "PER" and m.text == "Sri Wahyuni" for m in mentions)
