import pytest

from services.enrichment.language import identify_language, language_mix

CASES = {
    "id": "Pemerintah Provinsi Jawa Barat menyiapkan posko pengungsian bagi warga yang terdampak banjir "
    "di Kabupaten Bandung, kata Kepala BPBD setempat kepada wartawan, Minggu.",
    "ms": "Kerajaan negeri akan menyalurkan bantuan segera kepada mangsa banjir di Kelantan, kata "
    "Menteri Besar ketika ditemui pemberita selepas mesyuarat exco pada Isnin.",
    "en": "The central bank kept its benchmark rate unchanged on Wednesday, saying inflation remained "
    "within its target range despite pressure on the currency.",
}


@pytest.mark.parametrize("expected", sorted(CASES))
def test_indonesian_malay_and_english_are_told_apart(expected: str) -> None:
    guess = identify_language(CASES[expected])
    assert guess.code == expected
    assert 0.5 <= guess.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "12345 67 !!!", "🙂🙂🙂"])
def test_text_without_a_language_is_undetermined(text: str) -> None:
    assert identify_language(text).code == "und"


def test_a_single_language_article_has_one_share() -> None:
    body = "\n".join([CASES["id"], CASES["id"]])
    assert [(s.code, s.share) for s in language_mix(body, "id")] == [("id", 1.0)]


def test_english_quotes_in_an_indonesian_article_make_it_mixed() -> None:
    body = "\n".join([CASES["id"], CASES["en"], CASES["id"]])
    mix = language_mix(body, identify_language(body).code)
    assert [s.code for s in mix] == ["id", "en"]
    assert 0.25 < mix[1].share < 0.4 and sum(s.share for s in mix) == pytest.approx(1.0, abs=0.002)


def test_malay_paragraphs_in_an_indonesian_article_are_not_a_second_language() -> None:
    body = "\n".join([CASES["id"], CASES["ms"]])
    assert [s.code for s in language_mix(body, "id")] == ["id"]


def test_short_lines_say_nothing_and_an_empty_body_keeps_the_detected_language() -> None:
    assert [s.code for s in language_mix("Baca Juga:\nOK.\n\n", "ms")] == ["ms"]
    assert [(s.code, s.share) for s in language_mix(CASES["en"] + "\nSelamat pagi.", "en")] == [("en", 1.0)]
