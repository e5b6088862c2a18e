"""The dateline grammar ingestion and entity extraction share, on the shapes its comments cite."""

import pytest

from kabar.services.common.dateline import dateline_end, parse_dateline


@pytest.mark.parametrize(
    ("text", "story"),
    [
        ("KOTA BHARU, 3 Dis (Bernama) -- Polis menahan", "Polis menahan"),
        ("Jakarta (ANTARA) - Presiden membuka", "Presiden membuka"),
        ("KUALA LUMPUR (Nov 12): Gamuda menang", "Gamuda menang"),
        ("SINGAPORE – The court heard", "The court heard"),
        ("Bisnis.com, JAKARTA – Bank Indonesia menahan", "Bank Indonesia menahan"),
        ("JAKARTA, KOMPAS.com — Banjir melanda", "Banjir melanda"),
        ("PETALING JAYA, Dec 5 — Police said", "Police said"),
        ("Surabaya, Detik -- Gempa mengguncang", "Gempa mengguncang"),
        ("Suara.com - Badan Nasional", "Badan Nasional"),
        ("DENPASAR, Bali - The Bali administration", "The Bali administration"),
        ("KONTAN.CO.ID - JAKARTA. Kementerian Investasi mencatat", "Kementerian Investasi mencatat"),
        ("Jakarta. The Health Ministry will expand", "The Health Ministry will expand"),
    ],
)
def test_the_story_starts_after_the_dateline(text: str, story: str) -> None:
    assert text[dateline_end(text) :] == story
    assert parse_dateline(text).rest == story


def test_a_bracketed_date_is_the_datelines_date() -> None:
    assert parse_dateline("KUALA LUMPUR (Nov 12): Gamuda menang").date_text == "Nov 12"


def test_an_acronym_opening_a_sentence_is_no_dateline() -> None:
    assert dateline_end("BNPB - melalui posko - mencatat") == 0


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Purwokerto - Bupati Banyumas meninjau", "Purwokerto"),  # a town
        ("Tarakan - Wali Kota Tarakan meresmikan", "Tarakan"),  # a city
        ("Sleman, 3 Mei - Erupsi Merapi", "Sleman"),  # a regency
        ("Labuan: Polis menahan", "Labuan"),  # a federal territory
        ("Singapore – The court heard", "Singapore"),  # the city of the city-state
        ("Georgetown: Majlis Bandaraya", "Georgetown"),  # any of an entry's aliases
        ("Bangkok - Pemerintah Thailand", "Bangkok"),  # a city abroad
    ],
)
def test_a_title_case_place_the_gazetteer_knows_is_a_dateline_without_a_publisher(
    text: str, place: str
) -> None:
    assert parse_dateline(text).place == place


def test_a_word_and_a_full_stop_is_a_dateline_only_when_a_place_a_dateline_names() -> None:
    """A known city ("Jakarta. The ministry ..."), not a word ("Pemerintah. Itu ...") nor a province."""
    assert dateline_end("Pemerintah. Itu sebabnya anggaran naik.") == 0
    assert dateline_end("Jawa Tengah. Provinsi itu menargetkan panen.") == 0


def test_a_title_case_province_alone_is_no_dateline() -> None:
    """A story is about a province, not filed from one: "Jawa Tengah" opens a sentence here."""
    assert dateline_end("Jawa Tengah - provinsi dengan lumbung padi terbesar - menargetkan") == 0


def test_a_city_in_capitals_then_its_island_or_province_is_a_dateline() -> None:
    found = parse_dateline("DENPASAR, Bali - The Bali administration will require")
    assert (found.place, found.rest) == ("Denpasar", "The Bali administration will require")
    assert parse_dateline("MAKASSAR, Sulawesi Selatan - Harga beras naik").place == "Makassar"
    assert dateline_end("BNPB, Basarnas - mencatat") == 0  # acronyms, not a city in capitals
