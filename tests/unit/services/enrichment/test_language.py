import pytest

from kabar.services.enrichment.language import identify_language

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


def shares(text: str) -> list[tuple[str, float]]:
    return [(s.code, s.share) for s in identify_language(text).shares]


def test_a_single_language_article_has_one_share() -> None:
    assert shares("\n".join([CASES["id"], CASES["id"]])) == [("id", 1.0)]


def test_english_quotes_in_an_indonesian_article_make_it_mixed() -> None:
    guess = identify_language("\n".join([CASES["id"], CASES["en"], CASES["id"]]))
    assert guess.code == "id"
    assert [s.code for s in guess.shares] == ["id", "en"]
    assert 0.25 < guess.shares[1].share < 0.4
    assert sum(s.share for s in guess.shares) == pytest.approx(1.0, abs=0.002)


def test_judging_stops_once_the_vote_is_settled_and_goes_on_while_in_doubt() -> None:
    settled = [CASES["en"]] * 5  # over 600 characters, all of them English
    assert shares("\n".join([*settled, CASES["id"], CASES["id"]])) == [("en", 1.0)]
    in_doubt = [CASES["en"], CASES["id"]] * 2  # no language holds 95% of the weight yet
    assert [code for code, _ in shares("\n".join([*in_doubt, CASES["id"]]))] == ["id", "en"]


def test_malay_paragraphs_in_an_indonesian_article_are_not_a_second_language() -> None:
    assert [code for code, _ in shares("\n".join([CASES["id"], CASES["id"], CASES["ms"]]))] == ["id"]


def test_short_lines_say_nothing_and_the_detected_language_takes_the_whole_share() -> None:
    assert shares("Baca Juga:\nKerajaan negeri akan menyalurkan bantuan.\n\n")[0][1] == 1.0
    assert shares(CASES["en"] + "\nSelamat pagi.") == [("en", 1.0)]


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        (["ms", "id", "ms"], "ms"),
        (["id", "ms", "id"], "id"),
        (["en", "id", "en"], "en"),
        (["id", "en", "id"], "id"),
    ],
)
def test_the_language_most_of_the_text_is_in_wins(paragraphs: list[str], expected: str) -> None:
    assert identify_language("\n".join(CASES[code] for code in paragraphs)).code == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("Harga beras naik lagi di Jakarta", "id"), ("Flood kills 12", "en")]
)
def test_a_headline_alone_is_judged_whole(text: str, expected: str) -> None:
    guess = identify_language(text)
    assert guess.code == expected
    assert [(s.code, s.share) for s in guess.shares] == [(expected, 1.0)]
