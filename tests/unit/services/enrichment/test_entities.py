"""The entity extractor on sentences written for these tests (the evaluation sets are kept
apart: tests/eval/data/)."""

import pytest

from kabar.services.enrichment.entities import Mention, extract_entities


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
    for text in ("", "   ", "12345 67", "(((", "A", "kata Menteri", "Datuk Seri"):  # a title ending the text
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


def test_a_five_word_malay_title_is_not_part_of_the_name() -> None:
    text = "Ahli Majlis Mesyuarat Kerajaan Negeri Datuk Ahmad Zaki Yusof berkata bantuan disalurkan."
    assert found(text, "ms") == [("Ahmad Zaki Yusof", "PER", "Ahmad Zaki Yusof")]


def test_a_later_name_part_never_makes_a_lower_case_word_a_person() -> None:
    text = "Ketua Pengarah Penyelidikan dan Pembangunan Ahmad Rizal berkata harga dan permintaan naik."
    assert all(t[:1].isupper() for t, label, _ in found(text, "ms") if label == "PER")


@pytest.mark.parametrize(
    ("text", "language", "first"),
    [
        ("KOTA BHARU, Dec 3 (Bernama) -- Floods hit Kelantan again.", "en", "Kelantan"),
        ("KUALA LUMPUR (Nov 12): Gamuda Bhd won a contract in Penang.", "en", "Gamuda Bhd"),
        ("SINGAPORE – Commuters at Tampines waited.", "en", "Tampines"),
        ("JAKARTA (ANTARA) - Banjir melanda Kabupaten Bandung.", "id", "Kabupaten Bandung"),
    ],
)
def test_a_dateline_is_not_a_mention(text: str, language: str, first: str) -> None:
    assert found(text, language)[0][0] == first


def test_english_titles_and_honorifics_stay_out_of_names_and_malay_titles_are_names_there() -> None:
    text = "Prime Minister Datuk Seri Azman Hakim and Deputy Premier Datuk Amar Dr Lau Siew Kiong met."
    assert [t for t, label, _ in found(text, "en") if label == "PER"] == ["Azman Hakim", "Lau Siew Kiong"]


def test_a_police_rank_before_a_name_and_later_before_the_surname() -> None:
    text = "Penang police chief Comm Datuk Hamzah Yusoff said three men were held. Comm Hamzah urged caution."
    people = [(t, c) for t, label, c in found(text, "en") if label == "PER"]
    assert people == [("Hamzah Yusoff", "Hamzah Yusoff"), ("Hamzah", "Hamzah Yusoff")]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("BI payment systems department head Rina Kusumawati said reserves were ample.", "Rina Kusumawati"),
        ("The wage will be reviewed, says human resources minister R Ganesan.", "R Ganesan"),
        ("Nor Azlina Md Isa, 38, pleaded not guilty to six counts.", "Nor Azlina Md Isa"),
        ("Fitria Handayani, an economist at a local bank, expects a rate cut.", "Fitria Handayani"),
        ("I Made Sudarsana, head of the tourism office, said hotels were full.", "I Made Sudarsana"),
        ('"Foreigners must respect our laws," Ketut said.', "Ketut"),
    ],
)
def test_english_context_marks_a_regional_name_as_a_person(text: str, person: str) -> None:
    assert (person, "PER") in [(t, label) for t, label, _ in found(text, "en")]


def test_sums_of_money_nationalities_and_portfolios_are_not_entities() -> None:
    text = (
        "Indonesian and Singaporean officials said the scam cost RM12mil. "
        "Energy and Mineral Resources Minister Hendro Wibisono said shares rose to RM4.85."
    )
    assert found(text, "en") == [("Hendro Wibisono", "PER", "Hendro Wibisono")]


def test_an_english_name_ends_at_its_last_capital_and_the_descriptor_picks_the_entry() -> None:
    text = "The Bekasi regency administration and the West Java provincial government agreed."
    assert found(text, "en") == [("Bekasi", "LOC", "Bekasi Regency"), ("West Java", "LOC", "West Java")]


def test_an_english_names_last_word_says_what_it_is() -> None:
    text = (
        "Bukit Aman Commercial Crime Investigation Department officers met the Badminton "
        "Association of Malaysia (BAM) at Menara Dato' Onn, between Komtar and Penang Sentral."
    )
    mentions = found(text, "en")
    assert mentions[0] == (
        "Bukit Aman Commercial Crime Investigation Department",
        "ORG",
        "Bukit Aman Commercial Crime Investigation Department",
    )
    assert ("Badminton Association of Malaysia", "ORG", "Badminton Association of Malaysia") in mentions
    assert ("BAM", "ORG", "Badminton Association of Malaysia") in mentions
    assert ("Menara Dato' Onn", "LOC", "Menara Dato' Onn") in mentions
    assert ("Penang Sentral", "LOC", "Penang Sentral") in mentions
    assert not any(" and " in t for t, _, _ in mentions)


def test_an_english_organisation_name_may_hold_for() -> None:
    text = "The Institute for Medical Research (IMR) released mosquitoes."
    assert found(text, "en") == [
        ("Institute for Medical Research", "ORG", "Institute for Medical Research"),
        ("IMR", "ORG", "Institute for Medical Research"),
    ]


def test_events_and_laws_are_not_entities_nor_the_names_inside_them() -> None:
    text = (
        "She was charged under the Malaysian Anti-Corruption Commission Act 2009 "
        "after the pair reached the final of the China Masters."
    )
    assert found(text, "en") == []


def test_names_the_model_mislabels_are_places_in_a_list_of_places_or_after_in() -> None:
    text = "Residents of Miri, Bekenu and Niah have waited long enough. The plant in Lambir opens next year."
    assert [(t, label) for t, label, _ in found(text, "en")] == [
        ("Miri", "LOC"),
        ("Bekenu", "LOC"),
        ("Niah", "LOC"),
        ("Lambir", "LOC"),
    ]


def test_a_company_named_with_its_legal_form_is_the_organisation_its_short_name_names() -> None:
    text = (
        "State shipping firm PT Pelni (Persero) added voyages. "
        "The head of Pelni's Jayapura branch said tickets sold out."
    )
    assert ("Pelni", "ORG", "PT Pelni (Persero)") in found(text, "en")


def test_an_english_surname_later_is_the_person_named_in_full() -> None:
    text = (
        "Jason Teo Wei Ming, 44, pleaded guilty at the State Courts. "
        "The court heard that Teo forged signatures at Jurong East."
    )
    assert found(text, "en") == [
        ("Jason Teo Wei Ming", "PER", "Jason Teo Wei Ming"),
        ("State Courts", "ORG", "State Courts"),
        ("Teo", "PER", "Jason Teo Wei Ming"),
        ("Jurong East", "LOC", "Jurong East"),
    ]


def test_an_english_span_never_starts_with_a_connector() -> None:
    assert found("He is the director of Land Transport Authority now.", "en") == [
        ("Land Transport Authority", "ORG", "Land Transport Authority")
    ]


def test_an_english_mention_never_runs_over_a_line_break() -> None:
    text = "Pilihan Redaksi: Gubernur Minta Warga Waspada Banjir Kiriman\nOfficials met on Monday."
    mentions = extract_entities(text, "en")
    assert mentions
    for mention in mentions:
        assert "\n" not in mention.text
        assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    ("text", "language", "organisation", "person"),
    [
        (
            "Kepala Dinas Kesehatan Kabupaten Sleman Heru Santoso mengatakan kasus turun.",
            "id",
            "Dinas Kesehatan Kabupaten Sleman",
            "Heru Santoso",
        ),
        (
            "Ketua Umum Asosiasi Petani Kopi Indonesia (APKI) Wahyu Prasetyo mengatakan harga wajar.",
            "id",
            "Asosiasi Petani Kopi Indonesia",
            "Wahyu Prasetyo",
        ),
        (
            "Direktur Utama PT Bank Negara Indonesia (Persero) Tbk Rudi Hartanto mengatakan kredit tumbuh.",
            "id",
            "PT Bank Negara Indonesia (Persero) Tbk",
            "Rudi Hartanto",
        ),
        (
            "Penganalisis Mercu Investment Bank Berhad, Siti Hajar Osman, berkata pasaran stabil.",
            "ms",
            "Mercu Investment Bank Berhad",
            "Siti Hajar Osman",
        ),
        (
            "Ketua Ekonomi Bank Muamalat Malaysia Berhad, Faizal Rahim berkata ringgit kukuh.",
            "ms",
            "Bank Muamalat Malaysia Berhad",
            "Faizal Rahim",
        ),
    ],
)
def test_an_office_names_the_whole_organisation_with_its_place_and_legal_form(
    text: str, language: str, organisation: str, person: str
) -> None:
    mentions = found(text, language)
    assert [t for t, label, _ in mentions if label == "ORG"][:1] == [organisation]
    assert [t for t, label, _ in mentions if label == "PER"] == [person]
    assert not any(label == "LOC" for _, label, _ in mentions)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The General Elections Commission (KPU) will print the ballots.",
            ("General Elections Commission", "ORG"),
        ),
        ("Delegates met at the Penang Convention Centre on Monday.", ("Penang Convention Centre", "LOC")),
        ("Shares of Hartalega Holdings Bhd fell 2%.", ("Hartalega Holdings Bhd", "ORG")),
        ("The ASEAN Secretariat said the meeting would go ahead.", ("ASEAN Secretariat", "ORG")),
        ("Fogging was carried out along Tampines Avenue 7 on Sunday.", ("Tampines Avenue 7", "LOC")),
        (
            "Pilgrims gathered at the Embassy of Brunei Darussalam in Riyadh.",
            ("Embassy of Brunei Darussalam", "ORG"),
        ),
        (
            "Its shares rose to RM4.92 and Kuala Lumpur Kepong Bhd gained 1%.",
            ("Kuala Lumpur Kepong Bhd", "ORG"),
        ),
        (
            "A study by the Penang Institute of Coastal Road Studies found ruts.",
            ("Penang Institute of Coastal Road Studies", "ORG"),
        ),
        (
            "The Federation of the Rubber Smallholders Association (Ferusa) objected.",
            ("Federation of the Rubber Smallholders Association", "ORG"),
        ),
        ("Pupils of SK Batu Lintang sat the test.", ("SK Batu Lintang", "ORG")),
        ("Riders of Team Sapura Cycling were second.", ("Team Sapura Cycling", "ORG")),
        ("Water levels at Timah Tasoh Reservoir fell.", ("Timah Tasoh Reservoir", "LOC")),
        ("Rallies on Jalan M.H. Thamrin ended at noon.", ("Jalan M.H. Thamrin", "LOC")),
    ],
)
def test_an_english_organisation_or_venue_is_named_whole(text: str, expected: tuple[str, str]) -> None:
    assert next((t, label) for t, label, _ in found(text, "en")) == expected


def test_titles_and_things_with_a_number_are_no_entities() -> None:
    text = (
        "First Admiral Zulkifli Omar said N95 masks and the DENV-3 serotype were not the agency's concern. "
        "Madam Rosnah Ismail, 58, said La Nina brought rain to Johor."
    )
    assert [(t, label) for t, label, _ in found(text, "en")] == [
        ("Zulkifli Omar", "PER"),
        ("Rosnah Ismail", "PER"),
        ("Johor", "LOC"),
    ]


def test_two_organisations_joined_by_and_stay_two() -> None:
    text = "The round was led by Kembang Ventures and Tirta Ventures, the startup said."
    assert [(t, label) for t, label, _ in found(text, "en")] == [
        ("Kembang Ventures", "ORG"),
        ("Tirta Ventures", "ORG"),
    ]


def test_a_role_opening_a_sentence_is_not_part_of_the_name() -> None:
    text = (
        "Goalkeeper Khairul Anuar Ismail saved two penalties. Passenger Rachel Lim said the crew stayed calm. "
        "Fisherman Sudirman, 47, said the nets were empty."
    )
    people = [t for t, label, _ in found(text, "en") if label == "PER"]
    assert people == ["Khairul Anuar Ismail", "Rachel Lim", "Sudirman"]


def test_a_nationality_before_a_name_is_not_part_of_it_nor_is_a_title_the_model_split() -> None:
    text = (
        "The sprint went to Colombian Javier Ortega Ruiz of Bogota. "
        "Chief Minister Datuk Patinggi Tan Sri Abang Johari Openg said Datuk Seri Lokman Hakim Ali was right."
    )
    people = [t for t, label, _ in found(text, "en") if label == "PER"]
    assert people[0] == "Javier Ortega Ruiz"
    assert "Lokman Hakim Ali" in people and not any(p.startswith("Seri") for p in people)


def test_a_person_of_a_team_is_two_mentions_and_a_place_with_a_compass_word_is_one() -> None:
    text = "Halim Rosli of Kedah Cycling Team won. Buses ran between Sengkang West and Punggol."
    mentions = [(t, label) for t, label, _ in found(text, "en")]
    assert ("Kedah Cycling Team", "ORG") in mentions
    assert ("Sengkang West", "LOC") in mentions
    assert not any(t.startswith("Halim Rosli of") for t, _ in mentions)


def test_the_member_for_a_seat_is_not_the_seat() -> None:
    text = '"The Yang Berhormat for Kampung Tunku should know better," Lee said. Residents of Taman Pertama agreed.'
    mentions = [(t, label) for t, label, _ in found(text, "en")]
    assert ("Kampung Tunku", "LOC") in mentions and ("Taman Pertama", "LOC") in mentions
    assert not any(t == "Yang Berhormat" for t, _ in mentions)


def test_a_portfolio_before_a_minister_is_no_place_and_an_iban_name_keeps_its_anak() -> None:
    text = "The bridge opens in June, said Infrastructure and Port Development Minister Datuk Henry Lawai anak Sagin."
    assert found(text, "en") == [("Henry Lawai anak Sagin", "PER", "Henry Lawai anak Sagin")]


def test_a_name_with_an_assemblyman_after_it_is_a_place_everywhere_in_the_article() -> None:
    text = "Work on the jetty at Pulau Ketam resumed.\n\nBelawai assemblyman Ong Kah Seng said Belawai folk waited years."
    assert [label for t, label, _ in found(text, "en") if t == "Belawai"] == ["LOC", "LOC"]


def test_a_company_with_its_legal_form_in_brackets_links_to_the_known_company() -> None:
    mentions = extract_entities(
        "Saham PT Bank Rakyat Indonesia (Persero) Tbk memimpin penguatan indeks.", "id"
    )
    assert [(m.text, m.canonical, m.entity_id) for m in mentions] == [
        ("PT Bank Rakyat Indonesia (Persero) Tbk", "Bank Rakyat Indonesia", "org:id:bri")
    ]


def test_names_of_the_region_are_people_whole_whatever_the_model_called_them() -> None:
    text = "Thailand's Pornpimol Chaiyasit beat Ng Jun Hao of Singapore, while Kim Do-hyun withdrew injured."
    people = [t for t, label, _ in found(text, "en") if label == "PER"]
    assert people == ["Pornpimol Chaiyasit", "Ng Jun Hao", "Kim Do-hyun"]


def test_a_name_never_grows_over_a_title() -> None:
    text = "Former premier Tan Sri Muhyiddin Yassin said the coalition would hold."
    assert [t for t, label, _ in found(text, "en") if label == "PER"] == ["Muhyiddin Yassin"]


def test_known_people_link_to_one_canonical_name_under_any_of_their_names() -> None:
    text = "Presiden Prabowo Subianto menerima Jokowi di Istana. Prabowo mengatakan pertemuan itu akrab."
    assert [(t, label, c) for t, label, c in found(text, "id")] == [
        ("Prabowo Subianto", "PER", "Prabowo Subianto"),
        ("Jokowi", "PER", "Joko Widodo"),
        ("Prabowo", "PER", "Prabowo Subianto"),
    ]


def test_a_longer_name_that_starts_like_a_known_persons_is_someone_else() -> None:
    mentions = extract_entities("Ketua RT Wiranto Santoso mengatakan warga sudah mengungsi.", "id")
    assert [(m.text, m.label, m.entity_id) for m in mentions if m.label == "PER"] == [
        ("Wiranto Santoso", "PER", None)
    ]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Bisnis.com, JAKARTA - Harga emas naik di Surabaya pada Senin.", "id", [("Surabaya", "LOC")]),
        (
            "Kepala Pusat Vulkanologi (PVMBG) Badan Geologi Sutisna Wiradinata mengatakan status gunung "
            "tetap waspada. Warga diminta tenang, kata Sutisna.",
            "id",
            [
                ("Pusat Vulkanologi", "ORG"),
                ("PVMBG", "ORG"),
                ("Badan Geologi", "ORG"),
                ("Sutisna Wiradinata", "PER"),
                ("Sutisna", "PER"),
            ],
        ),
        (
            "Pasangan Hendrik Simatupang dan Yosua Hutagalung mendaftar ke KPU.",
            "id",
            [("Hendrik Simatupang", "PER"), ("Yosua Hutagalung", "PER"), ("KPU", "ORG")],
        ),
        (
            "Banjir merendam rumah warga di Cibeureum dan kawasan Tegalsari.",
            "id",
            [("Cibeureum", "LOC"), ("Tegalsari", "LOC")],
        ),
        (
            "Ketua Polis Daerah Klang Selatan, ACP Hamdan Latif, berkata mangsa cedera.",
            "ms",
            [("Klang Selatan", "LOC"), ("Hamdan Latif", "PER")],
        ),
        (
            "Kontrak itu diberikan kepada China Harbour Engineering Company Ltd pada Isnin.",
            "ms",
            [("China Harbour Engineering Company Ltd", "ORG")],
        ),
        (
            "Kasat Lantas Polres Bantul AKP Rina Sari mengatakan jalan ditutup.",
            "id",
            [("Polres Bantul", "ORG"), ("Rina Sari", "PER")],
        ),
        (
            "Kasat Reskrim Polresta Sleman AKP Made Wira Pratama menambahkan, tersangka ditahan.",
            "id",
            [("Polresta Sleman", "ORG"), ("Made Wira Pratama", "PER")],
        ),
        (
            "Pasien dirujuk ke RSUP Dr. Sardjito di Yogyakarta.",
            "id",
            [("RSUP Dr. Sardjito", "ORG"), ("Yogyakarta", "LOC")],
        ),
        (
            "Penganut berhimpun di Kuil Sri Veeramakaliamman dan Stadium Sultan Mizan sejak pagi.",
            "ms",
            [("Kuil Sri Veeramakaliamman", "LOC"), ("Stadium Sultan Mizan", "LOC")],
        ),
        (
            "Yang Dipertua Majlis Perbandaran Kemaman (MPK), Wan Rosdi Wan Musa, berkata kerja siap.",
            "ms",
            [("Majlis Perbandaran Kemaman", "ORG"), ("MPK", "ORG"), ("Wan Rosdi Wan Musa", "PER")],
        ),
        (
            "Ketua Pegawai Eksekutif Malaysia Rail Link Sdn Bhd, Datuk Rizal Hashim, berkata ujian berjaya.",
            "ms",
            [("Malaysia Rail Link Sdn Bhd", "ORG"), ("Rizal Hashim", "PER")],
        ),
    ],
)
def test_regional_names_are_cut_where_one_ends_and_the_next_begins(
    text: str, language: str, expected: list[tuple[str, str]]
) -> None:
    assert [(t, label) for t, label, _ in found(text, language)] == expected
