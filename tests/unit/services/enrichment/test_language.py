import pytest

from services.enrichment.language import identify_language

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
