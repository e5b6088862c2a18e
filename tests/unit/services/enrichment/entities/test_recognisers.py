"""Each example phrase a rule's comment cites, as a test of that rule (sentences written for
these tests around the cited phrase)."""

import pytest

from kabar.services.enrichment.entities import extract_entities
from kabar.services.enrichment.entities.document import Document, tokenize
from kabar.services.enrichment.entities.profiles import profile_for
from kabar.services.enrichment.entities.recognisers import RECOGNISERS, initials_fit
from kabar.services.enrichment.gazetteer import gazetteer


def found(text: str, language: str) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in extract_entities(text, language)]


def test_every_recogniser_a_profile_names_exists() -> None:
    names = {r.__name__ for r in RECOGNISERS}
    for language in ("id", "ms", "en", "th"):
        assert profile_for(language).recognisers <= names


def test_a_possessive_ends_the_name_before_it() -> None:
    assert tokenize("Anwar's plan")[0] == ["Anwar", "plan"]


def test_an_abbreviations_full_stop_does_not_end_the_name_it_opens() -> None:
    doc = Document("Pasien dirujuk ke RSUP Dr. Hasan Sadikin kemarin.", profile_for("id"), gazetteer())
    assert not doc.sentence_start(doc.words.index("Hasan"))


# --------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Gubernur Jawa Barat Ridwan Kamil meninjau banjir.",
            [("Jawa Barat", "LOC"), ("Ridwan Kamil", "PER")],
        ),
        ("Kapolda Metro Jaya Irjen Karyoto memimpin apel.", [("Karyoto", "PER")]),
        (
            "Kepala Pusat Data, Informasi, dan Komunikasi Kebencanaan BNPB Arif Santoso Wibowo mengatakan banjir surut.",
            [("Arif Santoso Wibowo", "PER")],
        ),
        ("Presiden Prabowo Subianto membuka sidang.", [("Prabowo Subianto", "PER")]),
        ("Kasat Reskrim Polresta Sleman menangkap pelaku.", [("Polresta Sleman", "ORG")]),
    ],
)
def test_a_title_leads_to_its_office_and_holder(text: str, expected: list[tuple[str, str]]) -> None:
    mentions = found(text, "id")
    assert all(mention in mentions for mention in expected), mentions


def test_a_title_ending_in_a_place_word_names_the_place_next() -> None:
    assert ("Sik", "LOC") in found("Ketua Polis Daerah Sik berkata siasatan diteruskan.", "ms")


def test_a_department_after_a_title_is_no_ones_name() -> None:
    assert not any(label == "PER" for _, label in found("Timbalan Pengarah (Operasi) hadir.", "ms"))


def test_an_english_office_before_the_title_and_one_after_of_or_for() -> None:
    assert ("Melissa Koh", "PER") in found(
        "Minister of State for Transport Melissa Koh spoke on Monday.", "en"
    )


def test_an_organisation_opening_with_a_title_word_is_the_organisation() -> None:
    assert ("General Elections Commission", "ORG") in found(
        "The General Elections Commission announced the results.", "en"
    )


# --------------------------------------------------------------------------- no entity


@pytest.mark.parametrize(
    "text", ["He won the Malaysia Open on Sunday.", "He was charged under the MACC Act yesterday."]
)
def test_events_and_laws_are_no_entities(text: str) -> None:
    assert found(text, "en") == []


# --------------------------------------------------------------------------- gazetteer


def test_money_is_not_the_country_its_sign_abbreviates() -> None:
    assert not any(text == "US" for text, _ in found("Harganya naik menjadi US$5 per barel.", "id"))


def test_a_known_name_going_on_is_someone_else() -> None:
    mentions = extract_entities("Pengacara Wiranto Santoso hadir di pengadilan.", "id")
    assert [(m.text, m.entity_id) for m in mentions if m.label == "PER"] == [("Wiranto Santoso", None)]


# --------------------------------------------------------------------------- English patterns


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ships queued at Penang Port on Monday.", ("Penang Port", "LOC")),
        ("The Kendari Corruption Court sentenced him.", ("Kendari Corruption Court", "ORG")),
        (
            "The fair opened at the Kuala Lumpur Convention Centre on Monday.",
            ("Kuala Lumpur Convention Centre", "LOC"),
        ),
        ("The fire broke out at Tampines Avenue 7 at noon.", ("Tampines Avenue 7", "LOC")),
        (
            "She studied at the Singapore Institute of Technology last year.",
            ("Singapore Institute of Technology", "ORG"),
        ),
    ],
)
def test_an_english_names_last_word_says_what_it_is(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text, "en")


def test_two_organisations_joined_by_and_stay_two() -> None:
    mentions = found("The round was led by MDI Ventures and Vertex Ventures last week.", "en")
    assert ("MDI Ventures", "ORG") in mentions and ("Vertex Ventures", "ORG") in mentions


# --------------------------------------------------------------------------- head words and companies


def test_a_place_head_word_opens_a_place() -> None:
    assert ("Kabupaten Poso", "LOC") in found("Banjir melanda Kabupaten Poso kemarin.", "id")


def test_a_company_runs_to_its_legal_form() -> None:
    assert ("Sarawak Metro Sdn Bhd", "ORG") in found(
        "Projek itu dikendalikan oleh Sarawak Metro Sdn Bhd.", "ms"
    )


def test_a_sentences_first_word_is_no_part_of_a_company() -> None:
    mentions = found("Saham PT Aneka Tambang Tbk naik tajam.", "id")
    assert not any(text.startswith("Saham") for text, _ in mentions)


# --------------------------------------------------------------------------- acronyms


def test_an_acronym_in_brackets_names_the_long_form_before_it_and_later() -> None:
    text = "Asosiasi Penambang Nikel Indonesia (APNI) menolak. Menurut APNI, harga turun."
    mentions = extract_entities(text, "id")
    acronyms = [m for m in mentions if m.text == "APNI"]
    assert len(acronyms) == 2
    long_form = next(m for m in mentions if m.text == "Asosiasi Penambang Nikel Indonesia")
    assert {m.canonical for m in acronyms} == {long_form.canonical}


def test_a_places_acronym_must_fit_its_initials() -> None:
    assert not initials_fit("KUTS", "Kuching")
    assert initials_fit("APNI", "Asosiasi Penambang Nikel Indonesia")


# --------------------------------------------------------------------------- unexplained names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The department head Rina Kusumawati said so.", ("Rina Kusumawati", "PER")),
        ("Nor Azlina Md Isa, 38, was charged.", ("Nor Azlina Md Isa", "PER")),
        ("The winner was Colombian Andres Felipe Rojas.", ("Andres Felipe Rojas", "PER")),
    ],
)
def test_the_context_marks_an_unknown_english_name_as_a_persons(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text, "en")


def test_a_role_opening_the_sentence_is_not_the_name() -> None:
    assert not any(
        text.startswith("Goalkeeper") for text, _ in found("Goalkeeper Khairul Anuar Ismail saved it.", "en")
    )


def test_a_name_after_a_place_word_is_a_place() -> None:
    assert ("Seturan", "LOC") in found("Warga berkumpul di Seturan sejak pagi.", "id")


def test_a_sentences_first_common_word_is_no_part_of_the_name() -> None:
    mentions = found("Pasangan Hendrik Simatupang menikah kemarin.", "id")
    assert not any(text.startswith("Pasangan") for text, _ in mentions)


def test_and_joins_two_people_never_one_name() -> None:
    mentions = found("Pengacara Hotman Siregar dan Rinaldi Harahap hadir, kata Hotman.", "id")
    assert ("Hotman Siregar dan Rinaldi Harahap", "PER") not in mentions


# --------------------------------------------------------------------------- coreference


def test_a_later_single_name_is_the_person_named_in_full_before() -> None:
    text = "Kepala BNPB Arif Santoso Wibowo meninjau lokasi. Menurut Arif, warga sudah mengungsi."
    mentions = extract_entities(text, "id")
    assert [m.canonical for m in mentions if m.text == "Arif"] == ["Arif Santoso Wibowo"]


@pytest.mark.parametrize(
    ("text", "language", "long_form", "acronym"),
    [
        (
            "Menurut Organisation for Economic Co-operation and Development (OECD), ekonomi tumbuh. "
            "OECD memperkirakan inflasi turun.",
            "id",
            "Organisation for Economic Co-operation and Development",
            "OECD",
        ),
        (
            "Badan Riset dan Inovasi Nasional (BRIN) membuka lowongan. BRIN menerima 500 peneliti.",
            "id",
            "Badan Riset dan Inovasi Nasional",
            "BRIN",
        ),
        (
            "Suruhanjaya Pencegahan Rasuah Malaysia (SPRM) menahan dua pegawai. SPRM berkata siasatan diteruskan.",
            "ms",
            "Suruhanjaya Pencegahan Rasuah Malaysia",
            "SPRM",
        ),
        (
            "The International Atomic Energy Agency (IAEA) sent inspectors. IAEA chief said access was vital.",
            "en",
            "International Atomic Energy Agency",
            "IAEA",
        ),
        (
            "Data International Renewable Energy Agency (IRENA) menunjukkan lonjakan. IRENA menyebut Asia unggul.",
            "id",
            "International Renewable Energy Agency",
            "IRENA",
        ),
        (
            "Organisation for the Prohibition of Chemical Weapons (OPCW) mengirim tim. OPCW belum menyimpulkan.",
            "id",
            "Organisation for the Prohibition of Chemical Weapons",
            "OPCW",
        ),
        (
            "Laporan Organisation for the Prohibition of Chemical Weapons (OPCW) diterbitkan. OPCW berkata "
            "siasatan diteruskan.",
            "ms",
            "Organisation for the Prohibition of Chemical Weapons",
            "OPCW",
        ),
        (
            "The Organisation for the Prohibition of Chemical Weapons (OPCW) sent a team. The OPCW said it "
            "would report.",
            "en",
            "Organisation for the Prohibition of Chemical Weapons",
            "OPCW",
        ),
        (
            "Southeast Asian Fisheries Development Center (SEAFDEC) menggelar rapat. SEAFDEC mengundang nelayan.",
            "id",
            "Southeast Asian Fisheries Development Center",
            "SEAFDEC",
        ),
        (
            "Peneliti Center for Strategic and International Studies (CSIS) Yose Rizal menilai. CSIS juga menilai.",
            "id",
            "Center for Strategic and International Studies",
            "CSIS",
        ),
    ],
)
def test_an_organisation_introduced_with_its_acronym_is_whole_and_names_the_acronym_later(
    text: str, language: str, long_form: str, acronym: str
) -> None:
    mentions = extract_entities(text, language)
    whole = next((m for m in mentions if m.text == long_form and m.label == "ORG"), None)
    assert whole is not None, [(m.text, m.label) for m in mentions]
    acronyms = [(m.label, m.canonical) for m in mentions if m.text == acronym]
    assert acronyms == [("ORG", whole.canonical)] * 2


def test_the_person_after_an_office_introduced_with_its_acronym_is_found() -> None:
    text = "Peneliti Center for Strategic and International Studies (CSIS) Yose Rizal menilai."
    assert ("Yose Rizal", "PER") in found(text, "id")


def test_an_acronym_introduces_no_organisation_where_no_word_makes_one() -> None:
    text = "Indeks Harga Saham Gabungan (IHSG) ditutup menguat. IHSG naik 0,5 persen."
    assert not [m for m in found(text, "id") if m[1] == "ORG"]


@pytest.mark.parametrize(
    ("text", "language", "organisation", "person"),
    [
        (
            "Gubernur Bank Indonesia Perry Warjiyo mengatakan rupiah stabil.",
            "id",
            "Bank Indonesia",
            "Perry Warjiyo",
        ),
        (
            "Gubernur Bank Negara Malaysia Datuk Seri Abdul Rasheed Ghaffour berkata ekonomi kukuh.",
            "ms",
            "Bank Negara Malaysia",
            "Abdul Rasheed Ghaffour",
        ),
        (
            "Gabenor Bank Negara Malaysia Datuk Seri Abdul Rasheed Ghaffour berkata ekonomi kukuh.",
            "ms",
            "Bank Negara Malaysia",
            "Abdul Rasheed Ghaffour",
        ),
        (
            "Ketua Umum Partai Golkar Bahlil Lahadalia menghadiri acara itu.",
            "id",
            "Partai Golkar",
            "Bahlil Lahadalia",
        ),
        ("CEO Grab Anthony Tan menyampaikan rencana ekspansi.", "id", "Grab", "Anthony Tan"),
        (
            "Bank Indonesia Governor Perry Warjiyo said the rupiah was stable.",
            "en",
            "Bank Indonesia",
            "Perry Warjiyo",
        ),
        (
            "Bank Negara Malaysia Governor Datuk Seri Abdul Rasheed Ghaffour said growth was firm.",
            "en",
            "Bank Negara Malaysia",
            "Abdul Rasheed Ghaffour",
        ),
    ],
)
def test_a_title_between_an_organisation_and_a_person_separates_them(
    text: str, language: str, organisation: str, person: str
) -> None:
    mentions = found(text, language)
    assert (organisation, "ORG") in mentions and (person, "PER") in mentions, mentions


def test_a_royal_title_inside_an_organisations_name_does_not_end_it() -> None:
    text = "Students of Universiti Sultan Zainal Abidin won the debate."
    assert ("Universiti Sultan Zainal Abidin", "ORG") in found(text, "en")


def test_a_place_that_ends_a_quote_is_no_speaker() -> None:
    text = '"Kami sudah mendirikan posko di Lubuk Pakam," kata Zainal.'
    assert ("Lubuk Pakam", "LOC") in found(text, "id")


@pytest.mark.parametrize(
    ("text", "language", "company"),
    [
        ("Northport (Malaysia) Bhd chief executive said more ships called.", "en", "Northport (Malaysia) Bhd"),
        ("Syarikat Nestle (M) Sdn Bhd mencatat keuntungan.", "ms", "Syarikat Nestle (M) Sdn Bhd"),
    ],
)  # fmt: skip
def test_a_company_name_goes_on_with_the_country_it_is_registered_in(
    text: str, language: str, company: str
) -> None:
    assert (company, "ORG") in found(text, language)


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        ("The United Nations Children's Fund (UNICEF) said it was sending kits.", "United Nations Children's Fund", "ORG"),
        ("Landslides cut the road to Fraser's Hill on Sunday, police said.", "Fraser's Hill", "LOC"),
    ],
)  # fmt: skip
def test_a_known_name_with_a_possessive_inside_is_found_whole(text: str, name: str, label: str) -> None:
    assert (name, label) in found(text, "en")


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        ("A prosecutor from the Attorney-General's Chambers said the prosecution would appeal.",
         "Attorney-General's Chambers", "ORG"),
        ("The final will be played at the Sultan Ibrahim Stadium in Johor on Saturday.", "Sultan Ibrahim Stadium",
         "LOC"),
    ],
)  # fmt: skip
def test_a_known_name_opening_with_a_title_is_that_name_not_a_title(text: str, name: str, label: str) -> None:
    assert (name, label) in found(text, "en")


def test_a_companys_legal_form_ends_its_name_before_the_country_it_is_from() -> None:
    text = "Gas will be supplied to JERA Co Inc of Japan and Korea Gas Corp (Kogas) for 10 years."
    mentions = found(text, "en")
    for name, label in (
        ("JERA Co Inc", "ORG"),
        ("Japan", "LOC"),
        ("Korea Gas Corp", "ORG"),
        ("Kogas", "ORG"),
    ):
        assert (name, label) in mentions, mentions


def test_a_syllable_acronym_of_the_last_words_names_the_organisation() -> None:
    text = "Majelis hakim Pengadilan Tindak Pidana Korupsi (Tipikor) Surabaya menjatuhkan vonis. Hakim Tipikor berkata."
    mentions = [(m.text, m.label, m.canonical) for m in extract_entities(text, "id")]
    assert mentions.count(("Tipikor", "ORG", "Pengadilan Tindak Pidana Korupsi")) == 2, mentions


def test_a_rank_inside_an_organisations_head_is_part_of_its_name() -> None:
    text = "Kapal itu ditangkap Direktorat Jenderal Pengawasan Sumber Daya Kelautan dan Perikanan (PSDKP) di Batam."
    name = "Direktorat Jenderal Pengawasan Sumber Daya Kelautan dan Perikanan"
    assert (name, "ORG") in found(text, "id")
