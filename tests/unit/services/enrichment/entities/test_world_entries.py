"""Well-known companies, parties and places the gazetteer holds since dev4: each found by
its name alone, with its label (sentences written for these tests)."""

from kabar.services.enrichment.entities import extract_entities


def found(text: str, language: str) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in extract_entities(text, language)]


def test_car_makers_and_energy_companies_are_organisations() -> None:
    text = "Produsen asal Tiongkok, BYD, dan VinFast menambah kapasitas, sementara Eni dan ExxonMobil mengebor sumur baru."
    mentions = found(text, "id")
    for name in ("BYD", "VinFast", "Eni", "ExxonMobil"):
        assert (name, "ORG") in mentions, mentions


def test_the_national_airline_by_its_short_name() -> None:
    text = "Sementara itu, Garuda juga berencana membuka kembali rute ke Osaka tahun depan."
    assert ("Garuda", "ORG") in found(text, "id")


def test_thai_parties_and_casino_operators_are_organisations() -> None:
    text = "The coalition includes Bhumjaithai. Operators such as Las Vegas Sands and MGM Resorts have shown interest."
    mentions = found(text, "en")
    for name in ("Bhumjaithai", "Las Vegas Sands", "MGM Resorts"):
        assert (name, "ORG") in mentions, mentions


def test_regions_and_provinces_abroad_are_places() -> None:
    text = (
        "The plant will ship carbon dioxide from Kyushu and Chubu, and solar farms are planned in Ninh Thuan."
    )
    mentions = found(text, "en")
    for name in ("Kyushu", "Chubu", "Ninh Thuan"):
        assert (name, "LOC") in mentions, mentions


def test_an_oil_block_named_alone_does_not_cut_the_company_named_after_it() -> None:
    text = "PT Pertamina Hulu Rokan (PHR) menemukan cadangan gas. Gas dari Rokan dapat dialirkan ke Dumai."
    mentions = found(text, "id")
    assert ("PT Pertamina Hulu Rokan", "ORG") in mentions, mentions
    assert ("Rokan", "LOC") in mentions, mentions


def test_the_coast_guards_of_the_south_china_sea_are_organisations() -> None:
    text = "The China Coast Guard fired water cannon at a supply boat, the Philippine Coast Guard said."
    mentions = found(text, "en")
    assert ("China Coast Guard", "ORG") in mentions, mentions
    assert ("Philippine Coast Guard", "ORG") in mentions, mentions
    assert ("China", "LOC") not in mentions, mentions


def test_fuel_and_commodity_acronyms_are_no_organisations() -> None:
    text = "JERA buys LNG from Qatar, while LPG and CPO prices rose."
    mentions = found(text, "en")
    assert not {("LNG", "ORG"), ("LPG", "ORG"), ("CPO", "ORG")} & set(mentions), mentions


def test_every_country_is_known_by_its_indonesian_name() -> None:
    text = "Kasus terbanyak dilaporkan di Republik Demokratik Kongo, Burundi, dan Uganda."
    mentions = found(text, "id")
    for country in ("Burundi", "Uganda"):
        assert (country, "LOC") in mentions, mentions


def test_taiwan_by_the_name_it_competes_under_and_a_prison_are_places() -> None:
    text = "Japan's Haruka Shimizu beat Chinese Taipei's Chou Wei-lun. He spent 14 months in Kajang Prison."
    mentions = found(text, "en")
    assert ("Chinese Taipei", "LOC") in mentions, mentions
    assert ("Kajang Prison", "LOC") in mentions, mentions
