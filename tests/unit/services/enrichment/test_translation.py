"""Sentence splitting, the cache and batching, with an in-test translator: no model, no I/O."""

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kabar.services.enrichment.translation import (
    CachedTranslator,
    TranslationError,
    Translator,
    join_sentences,
    needs_translation,
    split_sentences,
    translate_text,
)


class UpperTranslator:
    """Upper-cases and tags each sentence, and remembers every call it got."""

    name = "upper"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def translate(self, sentences: Sequence[str], source: str, target: str = "en") -> list[str]:
        self.calls.append(list(sentences))
        return [f"{target}:{sentence.upper()}" for sentence in sentences]


class BrokenTranslator:
    name = "broken"

    def __init__(self, answer: list[str] | None = None) -> None:
        self.answer = answer
        self.calls = 0

    def translate(self, sentences: Sequence[str], source: str, target: str = "en") -> list[str]:
        self.calls += 1
        if self.answer is None:
            raise TranslationError("backend down")
        return self.answer


def sentences_of(text: str) -> list[str]:
    return [sentence for paragraph in split_sentences(text) for sentence in paragraph]


# --- splitting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            'JAKARTA (ANTARA) - Presiden Prabowo Subianto meninjau lokasi banjir di Kab. Bekasi, Jawa Barat, Senin. Ia didampingi Menteri Sosial dan Kepala BNPB. "Bantuan harus segera sampai," kata Prabowo.',
            [
                "JAKARTA (ANTARA) - Presiden Prabowo Subianto meninjau lokasi banjir di Kab. Bekasi, Jawa Barat, Senin.",
                "Ia didampingi Menteri Sosial dan Kepala BNPB.",
                '"Bantuan harus segera sampai," kata Prabowo.',
            ],
            id="indonesian-dateline-and-quote",
        ),
        pytest.param(
            "Rektor Prof. Dr. Ir. H. Ahmad Sutrisno, M.Si. membuka seminar di Jl. Sudirman No. 12, Kec. Menteng. Acara itu dihadiri 1.200 peserta.",
            [
                "Rektor Prof. Dr. Ir. H. Ahmad Sutrisno, M.Si. membuka seminar di Jl. Sudirman No. 12, Kec. Menteng.",
                "Acara itu dihadiri 1.200 peserta.",
            ],
            id="titles-streets-and-thousands",
        ),
        pytest.param(
            "Hj. Siti Aminah dan dr. Terawan hadir. Keduanya disambut St. Mulyono.",
            ["Hj. Siti Aminah dan dr. Terawan hadir.", "Keduanya disambut St. Mulyono."],
            id="hajjah-and-medical-doctor",
        ),
        pytest.param(
            "Mantan presiden B.J. Habibie lahir di Parepare. Ia wafat pada 2019.",
            ["Mantan presiden B.J. Habibie lahir di Parepare.", "Ia wafat pada 2019."],
            id="initials",
        ),
        pytest.param(
            "Inflasi naik 3.5 persen dan harga gula Rp 1.200 per ons. Harga beras stabil.",
            ["Inflasi naik 3.5 persen dan harga gula Rp 1.200 per ons.", "Harga beras stabil."],
            id="decimals-and-thousands",
        ),
        pytest.param(
            'Ia berkata, "Kami siap." Polisi kemudian tiba di lokasi.',
            ['Ia berkata, "Kami siap."', "Polisi kemudian tiba di lokasi."],
            id="straight-closing-quote",
        ),
        pytest.param(
            "“Kami siap!” kata dia. “Semua aman?” tanya wartawan. “Ya.”",
            ["“Kami siap!” kata dia.", "“Semua aman?” tanya wartawan.", "“Ya.”"],
            id="curly-quotes-with-lowercase-attribution",
        ),
        pytest.param(
            "Menteri Besar Kelantan, Datuk Hj. Mohd Nassuruddin, berkata bantuan akan disalurkan segera. Mangsa banjir di Kota Bharu meningkat kepada 2,000 orang! Adakah bantuan mencukupi? Ya, katanya.",
            [
                "Menteri Besar Kelantan, Datuk Hj. Mohd Nassuruddin, berkata bantuan akan disalurkan segera.",
                "Mangsa banjir di Kota Bharu meningkat kepada 2,000 orang!",
                "Adakah bantuan mencukupi?",
                "Ya, katanya.",
            ],
            id="malay-exclamation-and-question",
        ),
        pytest.param(
            "Mr. Anwar Ibrahim met Dr. Mahathir and Mrs. Tan in Kuala Lumpur on Monday. The talks lasted 3.5 hours. 12 ministers attended.",
            [
                "Mr. Anwar Ibrahim met Dr. Mahathir and Mrs. Tan in Kuala Lumpur on Monday.",
                "The talks lasted 3.5 hours.",
                "12 ministers attended.",
            ],
            id="english-titles-and-leading-digit",
        ),
        pytest.param(
            "Bantuan berupa beras, minyak, dll. Semua disalurkan a.n. Kepala Desa, dsb. Laporan tsb. Diterima camat.",
            [
                "Bantuan berupa beras, minyak, dll. Semua disalurkan a.n. Kepala Desa, dsb. Laporan tsb. Diterima camat."
            ],
            id="indonesian-abbreviations-never-split",
        ),
        pytest.param(
            "Banjir melanda Prov. Jawa Barat sejak Senin. Pesantren KH. Hasyim Asy'ari di Jombang ditutup. Mangsa di Kg. Baru dipindahkan. Bantuan tiba.",
            [
                "Banjir melanda Prov. Jawa Barat sejak Senin.",
                "Pesantren KH. Hasyim Asy'ari di Jombang ditutup.",
                "Mangsa di Kg. Baru dipindahkan.",
                "Bantuan tiba.",
            ],
            id="province-kyai-and-kampung-abbreviations",
        ),
        pytest.param(
            "Berita itu dikutip dari detik.com. Situs kompas.com juga memuatnya. versi 2.0 dirilis kemudian.",
            [
                "Berita itu dikutip dari detik.com.",
                "Situs kompas.com juga memuatnya. versi 2.0 dirilis kemudian.",
            ],
            id="domains-and-lowercase-continuation",
        ),
        pytest.param(
            "Dia terdiam... Lalu pergi.",
            ["Dia terdiam...", "Lalu pergi."],
            id="ellipsis",
        ),
    ],
)
def test_news_text_is_split_into_sentences(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


def test_every_line_break_starts_a_paragraph_and_blank_lines_collapse() -> None:
    text = "Paragraf satu. Kalimat dua.\nParagraf dua.\n\n\n  \nParagraf   tiga\tdi sini.  \n"
    assert split_sentences(text) == [
        ["Paragraf satu.", "Kalimat dua."],
        ["Paragraf dua."],
        ["Paragraf tiga di sini."],
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n"])
def test_blank_text_has_no_paragraphs(text: str) -> None:
    assert split_sentences(text) == []


def test_join_puts_blank_lines_between_paragraphs() -> None:
    assert join_sentences([["Satu.", "Dua."], ["Tiga."]]) == "Satu. Dua.\n\nTiga."
    assert join_sentences([]) == ""


def test_an_overlong_sentence_is_cut_at_the_last_space_before_the_limit() -> None:
    sentence = " ".join(f"kata{i:04d}" for i in range(200))  # 1,799 characters, no full stop
    pieces = sentences_of(sentence)
    assert len(pieces) == 2
    assert all(len(piece) <= 1_000 for piece in pieces)
    assert " ".join(pieces) == sentence
    assert len(pieces[0]) > 990  # cut near the limit, not early


def test_a_single_token_longer_than_the_limit_is_cut_inside_it() -> None:
    token = "x" * 250
    assert split_sentences(f"Awal. {token}", max_chars=100) == [["Awal.", "x" * 100, "x" * 100, "x" * 50]]


WORDS = st.one_of(
    st.sampled_from(
        ["Dr.", "Ir.", "Prof.", "H.", "Hj.", "No.", "Jl.", "Kab.", "dll.", "a.n.", "B.J.", "1.200", "3.5",
         "Jakarta.", "banjir!", "kenapa?", '"Kami', 'siap."', "“Ya.”", "Rp", "—", "...", "(ANTARA)", "12."]
    ),
    st.text(alphabet="abcdeABCDE0123.!?\"'”“-,", min_size=1, max_size=12),
)  # fmt: skip
SEPARATORS = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\n\n", " \n \n "])


@st.composite
def news_like_text(draw: st.DrawFn) -> str:
    words = draw(st.lists(WORDS, max_size=60))
    return "".join(word + draw(SEPARATORS) for word in words)


@given(news_like_text(), st.sampled_from([30, 80, 1_000]))
def test_join_of_split_keeps_every_word_in_order(text: str, max_chars: int) -> None:
    paragraphs = split_sentences(text, max_chars)
    assert join_sentences(paragraphs).split() == text.split()
    for sentence in (sentence for paragraph in paragraphs for sentence in paragraph):
        assert 0 < len(sentence) <= max_chars
        assert sentence == sentence.strip()


@given(st.text(max_size=400))
def test_any_text_keeps_its_words(text: str) -> None:
    assert join_sentences(split_sentences(text)).split() == text.split()


# --- the cache ------------------------------------------------------------------------------


def test_the_fake_and_the_cache_satisfy_the_protocol() -> None:
    fake = UpperTranslator()
    assert isinstance(fake, Translator)
    assert isinstance(CachedTranslator(fake), Translator)


def test_misses_go_to_the_backend_in_one_call_and_order_is_kept() -> None:
    fake = UpperTranslator()
    cache = CachedTranslator(fake)
    assert cache.translate(["satu", "dua", "satu", "tiga"], "id") == [
        "en:SATU",
        "en:DUA",
        "en:SATU",
        "en:TIGA",
    ]
    assert fake.calls == [["satu", "dua", "tiga"]]
    assert (cache.hits, cache.misses) == (1, 3)

    assert cache.translate(["tiga", "empat", "satu"], "id") == ["en:TIGA", "en:EMPAT", "en:SATU"]
    assert fake.calls[1:] == [["empat"]]
    assert (cache.hits, cache.misses) == (3, 4)


def test_repeated_sentences_cost_nothing_the_second_time() -> None:
    fake = UpperTranslator()
    cache = CachedTranslator(fake)
    boilerplate = ["Baca juga: berita lainnya.", "(ANTARA)"]
    cache.translate(boilerplate, "id")
    assert cache.translate(boilerplate, "id") == ["en:BACA JUGA: BERITA LAINNYA.", "en:(ANTARA)"]
    assert len(fake.calls) == 1


def test_source_and_target_are_part_of_the_key() -> None:
    fake = UpperTranslator()
    cache = CachedTranslator(fake)
    cache.translate(["bank"], "id")
    cache.translate(["bank"], "ms")
    assert cache.translate(["bank"], "id", target="ms") == ["ms:BANK"]
    assert fake.calls == [["bank"], ["bank"], ["bank"]]


def test_the_least_recently_used_entry_is_evicted() -> None:
    fake = UpperTranslator()
    cache = CachedTranslator(fake, max_entries=2)
    for sentence in ["a", "b", "a", "c"]:  # "a" is touched again, so "b" is the oldest
        cache.translate([sentence], "id")
    assert len(cache) == 2
    calls = len(fake.calls)
    cache.translate(["a", "c"], "id")
    assert len(fake.calls) == calls
    cache.translate(["b"], "id")
    assert fake.calls[-1] == ["b"]


def test_a_call_with_more_misses_than_the_bound_still_answers_all_of_them() -> None:
    cache = CachedTranslator(UpperTranslator(), max_entries=2)
    assert cache.translate(["a", "b", "c", "d"], "id") == ["en:A", "en:B", "en:C", "en:D"]
    assert len(cache) == 2


def test_failures_are_not_cached() -> None:
    broken = BrokenTranslator()
    cache = CachedTranslator(broken)
    for _ in range(2):
        with pytest.raises(TranslationError):
            cache.translate(["satu"], "id")
    assert broken.calls == 2
    assert len(cache) == 0


def test_a_backend_answering_the_wrong_count_is_a_failure() -> None:
    with pytest.raises(TranslationError, match="1 translations for 2"):
        CachedTranslator(BrokenTranslator(answer=["one"])).translate(["satu", "dua"], "id")


# --- translating a text ----------------------------------------------------------------------

ARTICLE = (
    "Banjir melanda Kab. Bandung. Ribuan warga mengungsi. BPBD mendirikan posko.\n\n"
    "Kepala BPBD, Dr. Ir. Budi Santoso, mengatakan bantuan tiba Senin. Air mulai surut. "
    "Warga diminta waspada. Hujan diperkirakan turun lagi.\n\n"
    "***\n\n"
    "Baca juga: banjir di Garut. Hujan diperkirakan turun lagi."
)


def test_text_is_translated_in_batches_and_keeps_its_paragraphs() -> None:
    fake = UpperTranslator()
    result = translate_text(fake, ARTICLE, "id", batch_size=4)
    assert [len(call) for call in fake.calls] == [4, 4, 1]
    assert result.split("\n\n") == [
        "en:BANJIR MELANDA KAB. BANDUNG. en:RIBUAN WARGA MENGUNGSI. en:BPBD MENDIRIKAN POSKO.",
        "en:KEPALA BPBD, DR. IR. BUDI SANTOSO, MENGATAKAN BANTUAN TIBA SENIN. en:AIR MULAI SURUT. "
        "en:WARGA DIMINTA WASPADA. en:HUJAN DIPERKIRAKAN TURUN LAGI.",
        "***",
        "en:BACA JUGA: BANJIR DI GARUT. en:HUJAN DIPERKIRAKAN TURUN LAGI.",
    ]


def test_with_a_cache_a_repeated_sentence_is_translated_once() -> None:
    fake = UpperTranslator()
    translate_text(CachedTranslator(fake), ARTICLE, "id", batch_size=64)
    sent = [sentence for call in fake.calls for sentence in call]
    assert sent.count("Hujan diperkirakan turun lagi.") == 1


def test_punctuation_only_sentences_are_copied_not_translated() -> None:
    fake = UpperTranslator()
    assert translate_text(fake, "***\n\n— —", "id") == "***\n\n— —"
    assert fake.calls == []


@pytest.mark.parametrize("text", ["", "  \n\n \t"])
def test_empty_text_translates_to_nothing_without_a_call(text: str) -> None:
    fake = UpperTranslator()
    assert translate_text(fake, text, "id") == ""
    assert fake.calls == []


def test_a_backend_failure_fails_the_whole_text() -> None:
    with pytest.raises(TranslationError, match="backend down"):
        translate_text(BrokenTranslator(), ARTICLE, "id")
    with pytest.raises(TranslationError, match="broken returned 1 translations"):
        translate_text(BrokenTranslator(answer=["only one"]), ARTICLE, "id")


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        translate_text(UpperTranslator(), ARTICLE, "id", batch_size=0)


@pytest.mark.parametrize(
    ("language", "target", "expected"),
    [
        ("id", "en", True),
        ("ms", "en", True),
        ("en", "en", False),
        ("EN", "en", False),
        ("en-GB", "en", False),
        ("und", "en", False),
        ("", "en", False),
        ("id", "id", False),
        ("en", "id", True),
    ],
)
def test_needs_translation(language: str, target: str, expected: bool) -> None:
    assert needs_translation(language, target) is expected
