import itertools
import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kabar.schemas.limits import FINGERPRINT_BITS
from kabar.services.ingestion.normalise import (
    BoilerplateResult,
    CleanedBody,
    Dateline,
    clean_body,
    content_hash,
    find_reference_dates,
    hamming_distance,
    html_to_text,
    parse_dateline,
    parse_regional_datetime,
    simhash,
    strip_boilerplate,
)

SAMPLES = Path(__file__).resolve().parents[4] / "samples" / "articles.ndjson"
SYNDICATED_STORY = "bnpb-catat-4200-rumah-terendam-banjir"
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)


@pytest.fixture(scope="module")
def samples() -> list[dict[str, str]]:
    return [json.loads(line) for line in SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def cleaned_samples(samples: list[dict[str, str]]) -> list[tuple[str, CleanedBody]]:
    return [(sample["url"], clean_body(sample["body"])) for sample in samples]


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" and c != "\n" for c in text)


# --------------------------------------------------------------------------- html_to_text


def test_scripts_styles_and_page_chrome_are_dropped() -> None:
    page = (
        "<html><head><title>Judul tab</title><style>p{color:red}</style></head><body>"
        "<nav>Beranda Berita</nav><p>Isi berita.</p>"
        "<script>var tracker = '<p>bukan teks</p>';</script><noscript>Aktifkan JavaScript</noscript>"
        "<iframe src='https://x'>bingkai</iframe><svg><text>ikon</text></svg>"
        "<form><label>Cari</label></form><aside>Terpopuler</aside>"
        "<figure><img src='a.jpg'><figcaption>Foto: ANTARA/Arif</figcaption></figure>"
        "<div class='social-share'>Facebook Twitter</div><div id='share'>WhatsApp</div>"
        "<footer>Hak cipta</footer></body></html>"
    )
    assert html_to_text(page) == "Isi berita."


def test_blocks_become_paragraphs_and_br_a_line_break() -> None:
    page = (
        "<h1>Banjir</h1><p>Paragraf satu<br>baris kedua</p><div>Paragraf dua</div>"
        "<ul><li>Butir A</li><li>Butir B</li></ul><blockquote>Kutipan</blockquote><h3>Subjudul</h3>"
    )
    assert html_to_text(page) == (
        "Banjir\n\nParagraf satu\nbaris kedua\n\nParagraf dua\n\nButir A\n\nButir B\n\nKutipan\n\nSubjudul"
    )


def test_source_line_breaks_inside_html_are_only_whitespace() -> None:
    assert html_to_text("<p>Hujan deras\n   mengguyur\tkota</p>\n<p>Kedua</p>") == (
        "Hujan deras mengguyur kota\n\nKedua"
    )


def test_entities_are_unescaped_and_unicode_normalised() -> None:
    page = "<p>Rp&nbsp;15.940&#160;per&nbsp;dolar &amp; Caf&eacute; e&#769; &lt;naik&gt;</p>"
    assert html_to_text(page) == "Rp 15.940 per dolar & Café é <naik>"


def test_invisible_and_control_characters_go_and_space_runs_collapse() -> None:
    text = "Ke\u00adcamatan\u200b Dayeuh\x00kolot\x07 \u00a0\u2009 naik\u202f\t1,5\u3000meter  "
    assert html_to_text(text) == "Kecamatan Dayeuhkolot naik 1,5 meter"


def test_plain_text_keeps_one_paragraph_per_line() -> None:
    assert html_to_text("Baris satu\r\nBaris dua\n\n\n  Baris tiga  \rBaris empat") == (
        "Baris satu\n\nBaris dua\n\nBaris tiga\n\nBaris empat"
    )


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>Tanpa penutup <b>tebal <i>miring", "Tanpa penutup tebal miring"),
        ("<div><p>satu<p>dua</div>tiga", "satu\n\ndua\n\ntiga"),
        ("<p>Harga < Rp10.000 dan suhu > 30</p>", "Harga < Rp10.000 dan suhu > 30"),
        ("<p>Sebelum</p><!-- komentar tanpa akhir <p>tersembunyi</p>", "Sebelum"),
        ("<p>Sebelum</p><![ x <p>sesudah</p>", "Sebelum\n\nsesudah"),
        ("<p>Akhir</p><a href='", "Akhir\n\n<a href='"),
        ("<p>Teks</p></span></div></p>", "Teks"),
        ("<p>Sebelum</p><iframe src='x'/><p>Sesudah</p>", "Sebelum\n\nSesudah"),
        ("<p class='" + "x" * 200_000 + "'>Atribut besar</p>", "Atribut besar"),
    ],
)
def test_malformed_markup_still_gives_the_visible_text(markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected


@PROPERTY_SETTINGS
@given(st.text())
def test_html_to_text_never_raises_and_leaves_no_control_characters(text: str) -> None:
    assert not has_control_characters(html_to_text(text))


@PROPERTY_SETTINGS
@given(
    st.lists(st.sampled_from(["<p>", "</div>", "<![ ", "<!--", "-->", "</ ", "<a href='", ">", "&", "x\x00"]))
)
def test_html_to_text_never_raises_on_tag_soup(fragments: list[str]) -> None:
    assert not has_control_characters(html_to_text("<p>" + "".join(fragments)))


@PROPERTY_SETTINGS
@given(
    before=st.text(st.characters(blacklist_characters="<&")),
    script=st.text(st.characters(blacklist_characters="<")),
    after=st.text(st.characters(blacklist_characters="<&")),
)
def test_script_content_never_reaches_the_text(before: str, script: str, after: str) -> None:
    text = html_to_text(f"<p>{before}</p><script>kabarTracker({script})</script><p>{after}</p>")
    assert "kabarTracker" not in text and "<script" not in text


# --------------------------------------------------------------------------- strip_boilerplate

STORY = "Banjir merendam 4.200 rumah di Kabupaten Bandung."
STORY_2 = "Petugas mengerahkan 12 perahu karet."


@pytest.mark.parametrize(
    "line",
    [
        "Baca Juga: BMKG Prakirakan Hujan Lebat",
        "Baca juga: Harga Beras Naik Jelang Natal",
        "BACA JUGA: Warga Bertahan di Lantai Dua",
        "Baca Juga : Bank Indonesia Siaga di Pasar",
        "Simak juga: Daftar Lokasi Perayaan Tahun Baru",
        "Lihat juga: Video Banjir Dayeuhkolot",
        "Artikel berkaitan: Wanita hilang RM92,000",
        "Read also: Causeway traffic expected to peak",
        "Related news: BNPB asks regions to update plans",
        "Pilihan Editor: Jadwal Lengkap Timnas Indonesia",
    ],
)
def test_related_article_lines_are_removed_anywhere(line: str) -> None:
    result = strip_boilerplate(f"{STORY}\n{line}\n{STORY_2}")
    assert result == BoilerplateResult(text=f"{STORY}\n{STORY_2}", removed=(line,))


@pytest.mark.parametrize(
    "label", ["Baca Juga:", "baca juga :", "BACA JUGA:", "Simak juga:", "Artikel berkaitan:"]
)
def test_a_lone_label_takes_the_linked_headline_on_the_next_line(label: str) -> None:
    text = f"{STORY}\n\n{label}\n\nApindo Minta Insentif untuk Industri Padat Karya\n\n{STORY_2}"
    result = strip_boilerplate(text)
    assert result.text == f"{STORY}\n\n{STORY_2}"
    assert result.removed == (label, "Apindo Minta Insentif untuk Industri Padat Karya")


def test_a_lone_label_skips_ad_residue_before_the_headline() -> None:
    result = strip_boilerplate(f"{STORY}\nBaca juga:\nADVERTISEMENT\nJudul Tautan\n{STORY_2}")
    assert result.text == f"{STORY}\n{STORY_2}"


def test_a_paragraph_after_a_lone_label_is_not_taken_for_a_headline() -> None:
    long_paragraph = "Menurut dia, " + "petugas gabungan terus menyisir permukiman warga. " * 6
    result = strip_boilerplate(f"{STORY}\nBaca juga:\n{long_paragraph.strip()}")
    assert result.text == f"{STORY}\n{long_paragraph.strip()}"


@pytest.mark.parametrize(
    "line",
    [
        "Simak berita dan artikel lainnya di Google News",
        "Dapatkan update berita pilihan dan breaking news setiap hari dari Kompas.com.",
        "Dapatkan update berita pilihan dan breaking news setiap hari dari Suara.com. "
        "Ikuti kami di WhatsApp Channel dan Google News.",
        "Ikuti kami di WhatsApp Channel",
        "Ikuti Sinar Harian di WhatsApp Channel untuk berita terkini.",
        "Follow us on Google News",
        "Ikuti berita terkini kami melalui Telegram",
        "Klik di sini untuk berlangganan",
        "Download aplikasi Kabar untuk berita terkini",
    ],
)
def test_calls_to_action_are_removed_anywhere(line: str) -> None:
    assert strip_boilerplate(f"{STORY}\n{line}\n{STORY_2}").text == f"{STORY}\n{STORY_2}"


@pytest.mark.parametrize(
    "line", ["ADVERTISEMENT", "Advertisement", "SCROLL TO CONTINUE WITH CONTENT", "Share:", "Bagikan:"]
)
def test_layout_residue_is_removed_anywhere(line: str) -> None:
    assert strip_boilerplate(f"{STORY}\n{line}\n{STORY_2}").removed == (line,)


@pytest.mark.parametrize(
    "credits",
    [
        ["Editor: Dewi Kartika Sari"],
        ["Penulis: Nadia Putri Lestari", "Editor: Bambang Sutrisno Aji"],
        ["Reporter: Aditya Eko Saputra"],
        ["Sumber : Antara"],
        ["Pewarta: Rizky Pratama Nugraha", "Editor: Dewi Kartika Sari"],
        ["Artikel ini telah tayang di detikJatim."],
        ["(ant/rhm)"],
        ["(mdk/fik)"],
        ["Rep: Bayu Aji Pamungkas/Red: Lestari Wulandari"],
        ["-- BERNAMA"],
        ["Ikuti kami di WhatsApp Channel", "Diperbarui: Senin, 9 Desember 2024 10:20 WIB"],
    ],
)
def test_credits_at_the_end_are_removed(credits: list[str]) -> None:
    result = strip_boilerplate("\n".join([STORY, STORY_2, *credits]))
    assert result == BoilerplateResult(text=f"{STORY}\n{STORY_2}", removed=tuple(credits))


@pytest.mark.parametrize(
    "line", ["Editor: Dewi Kartika Sari", "Sumber: Antara", "(ant/rhm)", "Penulis: Nadia"]
)
def test_credit_shaped_lines_in_the_middle_stay(line: str) -> None:
    text = f"{STORY}\n{line}\n{STORY_2}"
    assert strip_boilerplate(text) == BoilerplateResult(text=text, removed=())


@pytest.mark.parametrize(
    "sentence",
    [
        "Warga diminta baca juga aturan evakuasi sebelum musim hujan tiba.",
        "Ia meminta publik simak juga: penjelasan BMKG soal La Nina, katanya.",
        "Pemimpin redaksi dan editor senior menghadiri rapat itu.",
        "Menurut editor: tidak ada perubahan, ujarnya kepada wartawan.",
        "Iklan rokok dilarang di sekitar sekolah.",
        "Ikuti arahan petugas di lokasi pengungsian, kata Arif.",
        "Advertisement spending rose 4 percent last year.",
        "Sumber dana berasal dari APBD, katanya.",
        "Para peserta berbagi pengalaman (share) di forum itu.",
    ],
)
def test_sentences_that_merely_contain_the_words_stay(sentence: str) -> None:
    text = f"{STORY}\n{sentence}"
    assert strip_boilerplate(text) == BoilerplateResult(text=text, removed=())


def test_paragraph_breaks_survive_and_removed_lines_come_in_reading_order() -> None:
    text = (
        f"  {STORY}  \n\n\nADVERTISEMENT\n\n{STORY_2}\nBaca juga: Judul\nKalimat ketiga.\n\n"
        "Editor: Dewi\n(ant/rhm)"
    )
    result = strip_boilerplate(text)
    assert result.text == f"{STORY}\n\n{STORY_2}\nKalimat ketiga."
    assert result.removed == ("ADVERTISEMENT", "Baca juga: Judul", "Editor: Dewi", "(ant/rhm)")


def test_nothing_but_boilerplate_leaves_nothing() -> None:
    assert strip_boilerplate("ADVERTISEMENT\nBaca juga:\nJudul\nEditor: X").text == ""


boilerplate_soup = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "Baca juga:", "Baca Juga: Judul", "ADVERTISEMENT", "Editor: Dewi", "(ant/rhm)", "",
                "Simak berita dan artikel lainnya di Google News", STORY, STORY_2, "  ", "-- BERNAMA",
            ]
        ),
        st.text(max_size=40),
    ),
    max_size=12,
).map("\n".join)  # fmt: skip


@PROPERTY_SETTINGS
@given(st.one_of(st.text(), boilerplate_soup))
def test_strip_boilerplate_is_idempotent(text: str) -> None:
    once = strip_boilerplate(text)
    assert strip_boilerplate(once.text) == BoilerplateResult(text=once.text, removed=())


# --------------------------------------------------------------------------- parse_dateline


@pytest.mark.parametrize(
    ("text", "place", "publisher", "date_text"),
    [
        ("Bisnis.com, JAKARTA – Nilai tukar rupiah melemah.", "Jakarta", "Bisnis.com", None),
        ("JAKARTA, KOMPAS.com — Badan Pusat Statistik mencatat.", "Jakarta", "KOMPAS.com", None),
        ("MEDAN, KOMPAS.com - Dinas Kesehatan mencatat.", "Medan", "KOMPAS.com", None),
        ("Jakarta (ANTARA) - Badan Nasional mencatat.", "Jakarta", "ANTARA", None),
        ("Surabaya, Detik -- Gempa bumi mengguncang.", "Surabaya", "Detik", None),
        ("Jakarta, CNN Indonesia -- Kementerian ESDM mencatat.", "Jakarta", "CNN Indonesia", None),
        ("TEMPO.CO, Jakarta - Komisi Pemilihan Umum memulai.", "Jakarta", "TEMPO.CO", None),
        ("REPUBLIKA.CO.ID, JAKARTA -- Badan Nasional mencatat.", "Jakarta", "REPUBLIKA.CO.ID", None),
        ("Suara.com - Badan Nasional mencatat.", None, "Suara.com", None),
        ("KUALA LUMPUR: Ringgit dibuka tinggi.", "Kuala Lumpur", None, None),
        ("KOTA BHARU, 3 Dis (Bernama) -- Jumlah mangsa banjir menurun.", "Kota Bharu", "Bernama", "3 Dis"),
        ("KUALA LUMPUR, Dec 2 (Bernama) -- Malaysia and Egypt agreed.", "Kuala Lumpur", "Bernama", "Dec 2"),
        ("JAKARTA (The Jakarta Post) - Bank Indonesia signaled.", "Jakarta", "The Jakarta Post", None),
        ("SINGAPORE - Construction of the RTS Link.", "Singapore", None, None),
        ("PETALING JAYA, Dec 5 — The council proposed.", "Petaling Jaya", None, "Dec 5"),
        ("Makassar - Dinas Pendidikan menguji coba.", "Makassar", None, None),
        ("Johor Bahru: Seorang pesara kerugian.", "Johor Bahru", None, None),
        ("Bogor (ANTARA) - Hujan deras mengguyur Kota Bogor.", "Bogor", "ANTARA", None),
    ],
)
def test_dateline_shapes(text: str, place: str | None, publisher: str | None, date_text: str | None) -> None:
    dateline = parse_dateline(text)
    assert (dateline.place, dateline.publisher, dateline.date_text) == (place, publisher, date_text)
    assert dateline.rest == text[text.index(dateline.rest) :]
    assert dateline.rest[0].isupper() and len(dateline.rest) >= 20


@pytest.mark.parametrize("dash", [" - ", " – ", " — ", " -- ", "--", "—", " -\n"])
def test_every_dash_separates_a_dateline(dash: str) -> None:
    assert parse_dateline(f"JAKARTA{dash}Harga naik.") == Dateline("Jakarta", None, None, "Harga naik.")


def test_the_first_word_is_never_glued_to_the_place() -> None:
    assert parse_dateline("JAKARTA, KOMPAS.com—Badan Pusat Statistik").rest == "Badan Pusat Statistik"


@pytest.mark.parametrize(
    "text",
    [
        "Pemerintah - melalui kementerian - menyiapkan anggaran.",
        "Harga minyak naik: Brent menguat 2 persen.",
        "Harga Minyak Naik: Brent menguat.",
        "Presiden Prabowo: kita harus siap.",
        "Pemerintah (Kemenkeu) - menyiapkan anggaran.",
        "Pemerintah, Kementerian Keuangan - menyiapkan anggaran.",
        "BNPB - lembaga penanggulangan bencana - mencatat.",
        "Indonesia - Malaysia bertanding malam ini.",
        "JAKARTA-Bandung ditempuh tiga jam.",
        "Trial runs of the free meal program began.",
        "KUALA LUMPUR BANDAR RAYA TERBESAR DI MALAYSIA SEJAK DULU, KOMPAS.com - teks",
        "",
    ],
)
def test_ordinary_sentence_starts_are_not_datelines(text: str) -> None:
    assert parse_dateline(text) == Dateline(None, None, None, text)


def test_a_province_after_the_place_is_not_taken_for_a_publisher() -> None:
    text = "SURABAYA, Jawa Timur - Hujan deras mengguyur."
    assert parse_dateline(text).publisher is None


@PROPERTY_SETTINGS
@given(
    st.one_of(
        st.text(), st.from_regex(r"[A-Z][A-Za-z. ]{0,20}(, [A-Za-z.]{1,12})?( \(\w+\))? ?(-|--|–|:) .*")
    )
)
def test_dateline_rest_is_always_a_suffix_of_the_text(text: str) -> None:
    assert text.endswith(parse_dateline(text).rest)


# --------------------------------------------------------------------------- dates


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Senin, 2 Desember 2024 14:30 WIB", utc(2024, 12, 2, 7, 30)),
        ("2 Desember 2024 14:30 WIB", utc(2024, 12, 2, 7, 30)),
        ("Jumat, 13 Desember 2024 pukul 20.00 WIB", utc(2024, 12, 13, 13, 0)),
        ("02/12/2024, 14:30 WIB", utc(2024, 12, 2, 7, 30)),
        ("diterbitkan 02.12.2024 | 07:05:09", utc(2024, 12, 2, 0, 5, 9)),
        ("2 Des 2024", utc(2024, 12, 1, 17)),
        ("Isnin, 2 Disember 2024", utc(2024, 12, 1, 17)),
        ("Minggu (1/12/2024)", utc(2024, 11, 30, 17)),
        ("Dec 2, 2024", utc(2024, 12, 1, 17)),
        ("2 December 2024 3.45 p.m.", utc(2024, 12, 2, 8, 45)),
        ("2024-12-05T14:22:00+07:00", utc(2024, 12, 5, 7, 22)),
        ("2024-12-05T07:22:00Z", utc(2024, 12, 5, 7, 22)),
        ("2024-12-05", utc(2024, 12, 4, 17)),
        ("Diperbarui: Senin, 9 Desember 2024 10:20 WIB", utc(2024, 12, 9, 3, 20)),
    ],
)
def test_regional_date_shapes(text: str, expected: datetime) -> None:
    assert parse_regional_datetime(text) == expected


@pytest.mark.parametrize(
    ("written", "month"),
    [
        ("Januari", 1), ("Jan", 1), ("Februari", 2), ("Feb", 2), ("Maret", 3), ("Mac", 3), ("Mar", 3),
        ("April", 4), ("Apr", 4), ("Mei", 5), ("May", 5), ("Juni", 6), ("Jun", 6), ("Juli", 7),
        ("Julai", 7), ("Jul", 7), ("Agustus", 8), ("Ogos", 8), ("Agu", 8), ("Agt", 8), ("Ags", 8),
        ("Aug", 8), ("September", 9), ("Sep", 9), ("Oktober", 10), ("Okt", 10), ("Oct", 10),
        ("November", 11), ("Nov", 11), ("Desember", 12), ("Disember", 12), ("Des", 12), ("Dec", 12),
    ],
)  # fmt: skip
def test_indonesian_malay_and_english_month_names(written: str, month: int) -> None:
    assert parse_regional_datetime(f"15 {written} 2024 12:00 UTC") == utc(2024, month, 15, 12)


@pytest.mark.parametrize(
    ("zone", "hours_east_of_utc"),
    [
        ("WIB", 7), ("WITA", 8), ("WIT", 9), ("MYT", 8), ("waktu Malaysia", 8), ("SGT", 8),
        ("(WIB)", 7), ("GMT", 0), ("UTC+8", 8), ("+05:30", 5.5),
    ],
)  # fmt: skip
def test_written_time_zones(zone: str, hours_east_of_utc: float) -> None:
    expected = utc(2024, 12, 2, 12) - timedelta(hours=hours_east_of_utc)
    assert parse_regional_datetime(f"2 Desember 2024 12:00 {zone}") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 Disember 2024 10:15 pagi", utc(2024, 12, 2, 2, 15)),
        ("2 Disember 2024 8.30 malam", utc(2024, 12, 2, 12, 30)),
        ("2 Disember 2024 4.30 petang", utc(2024, 12, 2, 8, 30)),
        ("2 Disember 2024 1.30 siang", utc(2024, 12, 2, 5, 30)),
        ("2 Disember 2024 12:00 am", utc(2024, 12, 1, 16)),
    ],
)
def test_default_zone_and_malay_times_of_day(text: str, expected: datetime) -> None:
    assert parse_regional_datetime(text, default_tz="Asia/Kuala_Lumpur") == expected


def test_without_a_written_zone_the_default_zone_applies() -> None:
    assert parse_regional_datetime("2 Des 2024 14:30") == utc(2024, 12, 2, 7, 30)
    assert parse_regional_datetime("2 Des 2024 14:30", default_tz="Asia/Makassar") == utc(2024, 12, 2, 6, 30)


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2024", "31 Februari 2024", "29 Feb 2023", "2 Des 2024 25:00 WIB", "2 Des 2024 13.00 pagi",
        "Rabu (11/12)", "Dec 7", "tanpa tanggal sama sekali", "Rp15.940 per dolar, naik 0,31%", "",
    ],
)  # fmt: skip
def test_invalid_or_missing_dates_give_none(text: str) -> None:
    assert parse_regional_datetime(text) is None


def test_an_invalid_date_does_not_hide_a_later_valid_one() -> None:
    assert parse_regional_datetime("31/02/2024 lalu 1/3/2024") == utc(2024, 2, 29, 17)


@PROPERTY_SETTINGS
@given(st.one_of(st.text(), st.from_regex(r"\d{1,2}[/. ]\w{1,9}[/. ]\d{4}[ ,]*\d{1,2}[:.]\d{2} ?\w{0,6}")))
def test_date_parsing_never_raises_and_gives_utc(text: str) -> None:
    parsed = parse_regional_datetime(text)
    assert parsed is None or parsed.tzinfo == UTC
    assert all(found.tzinfo == UTC for found in find_reference_dates(text))


def test_reference_dates_are_found_in_sentences_in_order() -> None:
    text = (
        "Gempa terjadi Minggu (24/11/2024) pagi dan susulan pada Senin, (25/11/2024). "
        "Rekapitulasi digelar Jumat, 29 November 2024 pukul 10.00 WIB hingga 3 Des 2024. "
        "Tanggal 02/12/2024 tanpa nama hari dan Isnin (2 Disember) tanpa tahun tidak dihitung."
    )
    assert find_reference_dates(text) == [
        utc(2024, 11, 23, 17),
        utc(2024, 11, 24, 17),
        utc(2024, 11, 29, 3),
        utc(2024, 12, 2, 17),
    ]


def test_reference_dates_use_the_default_zone() -> None:
    assert find_reference_dates("pada Isnin, 2 Disember 2024.", "Asia/Kuala_Lumpur") == [utc(2024, 12, 1, 16)]


# --------------------------------------------------------------------------- clean_body


def test_clean_body_chains_html_dateline_and_boilerplate() -> None:
    raw = (
        "<p><strong>JAKARTA, KOMPAS.com</strong> — Harga beras naik.</p>"
        "<p>Baca juga:</p><p><a href='/x'>Bapanas Siapkan Operasi Pasar</a></p>"
        "<p>Pedagang mengeluh.</p><div>ADVERTISEMENT</div><p>Penulis: Nadia</p>"
    )
    cleaned = clean_body(raw)
    assert cleaned == CleanedBody(
        text="Harga beras naik.\n\nPedagang mengeluh.",
        original=raw,
        dateline=Dateline("Jakarta", "KOMPAS.com", None, "Harga beras naik."),
        removed=("Baca juga:", "Bapanas Siapkan Operasi Pasar", "ADVERTISEMENT", "Penulis: Nadia"),
    )


@PROPERTY_SETTINGS
@given(st.text())
def test_clean_body_never_raises_and_keeps_the_original(text: str) -> None:
    assert clean_body(text).original == text


def test_every_sample_loses_its_boilerplate_and_keeps_its_dateline_place(
    samples: list[dict[str, str]], cleaned_samples: list[tuple[str, CleanedBody]]
) -> None:
    without_place = {
        sample["url"]
        for sample in samples
        if sample["body"].startswith("Suara.com -") or sample["body"].startswith("Trial runs")
    }
    leftover = re.compile(r"^(baca juga|advertisement$|scroll to continue)", re.IGNORECASE | re.MULTILINE)
    for (url, cleaned), sample in zip(cleaned_samples, samples, strict=True):
        assert not leftover.search(cleaned.text), url
        assert cleaned.text[0].isupper(), url
        if url in without_place:
            assert cleaned.dateline.place is None, url
        else:
            assert cleaned.dateline.place is not None, url
            assert cleaned.dateline.place.casefold() in sample["body"][:40].casefold(), url
        first_sentence = cleaned.text.split("\n")[0]
        assert sample["body"].split("\n")[0].endswith(first_sentence), url
        assert len(first_sentence) > len(sample["body"].split("\n")[0]) - 40, url
    assert len(without_place) == 2


def test_the_republika_copy_loses_the_linked_headline_and_its_source_line(
    cleaned_samples: list[tuple[str, CleanedBody]],
) -> None:
    republika = next(
        cleaned for url, cleaned in cleaned_samples if "republika" in url and SYNDICATED_STORY in url
    )
    assert "BMKG Prakirakan Hujan Lebat" not in republika.text
    assert republika.removed[-1] == "Sumber : Antara"


# --------------------------------------------------------------------------- hashes


def test_content_hash_ignores_case_and_spacing_but_not_words() -> None:
    a = content_hash("Banjir merendam 4.200 rumah di Kabupaten Bandung.")
    assert a == content_hash("  BANJIR merendam\n\n4.200\u00a0rumah di  kabupaten bandung. ")
    assert a != content_hash("Banjir merendam 4.300 rumah di Kabupaten Bandung.")
    assert re.fullmatch(r"[0-9a-f]{64}", a)


@PROPERTY_SETTINGS
@given(st.text(), st.sampled_from([" ", "\n", "\t ", "\u00a0", "  \n\n  "]))
def test_content_hash_is_invariant_to_extra_whitespace_and_case(text: str, extra: str) -> None:
    spaced = extra + re.sub(r"\s+", lambda gap: gap.group() + extra, text) + extra
    assert content_hash(text) == content_hash(spaced) == content_hash(text.casefold())


@PROPERTY_SETTINGS
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABC.,", min_size=1))
def test_content_hash_is_invariant_to_upper_case(text: str) -> None:
    assert content_hash(text) == content_hash(text.upper())


@PROPERTY_SETTINGS
@given(st.text())
def test_simhash_distance_of_a_text_to_itself_is_zero(text: str) -> None:
    assert hamming_distance(simhash(text), simhash(text)) == 0
    assert 0 <= simhash(text) < 2**FINGERPRINT_BITS


def test_simhash_is_stable_across_processes() -> None:
    """Fingerprints are stored, so they must not depend on Python's per-process hash seed."""
    assert simhash("Banjir merendam 4.200 rumah di Kabupaten Bandung", bits=64) == 0xDE9559F668ADBC34


def test_simhash_ignores_case_and_punctuation() -> None:
    assert simhash("Banjir merendam 4.200 rumah, kata BNPB.") == simhash(
        "banjir MERENDAM 4200 rumah kata bnpb"
    )


@pytest.mark.parametrize("bits", [8, 64, 128, 256, 512])
def test_simhash_width_follows_bits(bits: int) -> None:
    assert simhash("harga beras naik jelang natal dan tahun baru", bits) < 2**bits


@pytest.mark.parametrize("bits", [0, -1, 513])
def test_simhash_refuses_impossible_widths(bits: int) -> None:
    with pytest.raises(ValueError):
        simhash("teks", bits)


def test_hamming_distance_counts_differing_bits() -> None:
    assert hamming_distance(0b1011, 0b0110) == 3
    assert hamming_distance(0, 2**64 - 1) == 64


def test_syndicated_copies_are_near_duplicates_and_other_stories_are_not(
    cleaned_samples: list[tuple[str, CleanedBody]],
) -> None:
    """Each copy of the wire story rewords one sentence and has its own dateline and boilerplate.

    A one-sentence rewording of a ~200-word story moves a 64-bit simhash by about 10 bits
    (64 x angle / pi, here 9.1 and 10.5) and two copies reworded differently by about 14, give
    or take 3 bits of hash noise; unrelated stories sit near 32. So at 64 bits the copies are
    held to 16 and kept apart from every other sample by more than 20, and the wider 256-bit
    fingerprint, where noise matters less, must separate them with a large margin.
    """
    fingerprints = {url: simhash(cleaned.text, bits=64) for url, cleaned in cleaned_samples}
    copies = [url for url in fingerprints if SYNDICATED_STORY in url]
    others = [url for url in fingerprints if SYNDICATED_STORY not in url]
    assert len(copies) == 3
    copy_distances = [
        hamming_distance(fingerprints[a], fingerprints[b]) for a, b in itertools.combinations(copies, 2)
    ]
    assert max(copy_distances) <= 16
    assert min(hamming_distance(fingerprints[c], fingerprints[o]) for c in copies for o in others) > 20

    wide = {url: simhash(cleaned.text, bits=256) for url, cleaned in cleaned_samples}
    wide_copy_distances = [hamming_distance(wide[a], wide[b]) for a, b in itertools.combinations(copies, 2)]
    unrelated = [
        hamming_distance(wide[a], wide[b])
        for a, b in itertools.combinations(wide, 2)
        if not (a in copies and b in copies)
    ]
    assert max(wide_copy_distances) <= 256 // 4 < 256 * 3 // 8 <= min(unrelated)
