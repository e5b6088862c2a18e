"""How the region's news introduces people, organisations and places, rule by rule: each
example phrase a rule's comment cites, as a test of that rule (sentences written for these
tests around the cited phrase)."""

import pytest

from kabar.services.enrichment.entities import extract_entities
from kabar.services.enrichment.entities.document import headline_spans
from kabar.services.enrichment.grammar import grammar


def found(text: str, language: str) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in extract_entities(text, language)]


# --------------------------------------------------------------------------- lines and headlines


def test_a_name_never_runs_over_a_line_break() -> None:
    text = "Penyidik memeriksa tiga pejabat Pemkab Sidoarjo\n\nKasus ini bermula dari operasi KPK."
    mentions = found(text, "id")
    assert ("Pemkab Sidoarjo", "ORG") in mentions, mentions
    assert all("\n" not in name for name, _ in mentions)


def test_a_related_articles_headline_is_found_on_its_line_or_the_next() -> None:
    text = "Harga naik.\n\nBaca Juga: Bank Dunia Pangkas Proyeksi\n\nBaca juga:\nKPK Periksa Tiga Pejabat\n\nLagi."
    spans = [text[s:e] for s, e in headline_spans(text, grammar().headline_cues)]
    assert spans == ["Bank Dunia Pangkas Proyeksi", "KPK Periksa Tiga Pejabat"]


def test_in_a_headline_only_what_the_gazetteer_head_words_or_acronyms_name_is_a_name() -> None:
    text = "Inflasi turun.\n\nBaca Juga: Bank Dunia Pangkas Proyeksi Ekonomi Asia Timur\n\nEkspor naik."
    assert found(text, "id") == [("Bank Dunia", "ORG"), ("Asia Timur", "LOC")]
    text = "Baca juga: Presiden Prabowo Subianto Terima Kunjungan Perdana Menteri Vietnam\n\nLagi."
    assert found(text, "id") == [("Prabowo Subianto", "PER"), ("Vietnam", "LOC")]


# --------------------------------------------------------------------------- people


def test_an_initials_full_stop_does_not_end_the_name_it_opens() -> None:
    assert ("K. Thanabalan", "PER") in found("Seorang penumpang, K. Thanabalan, 34, berkata bas laju.", "ms")
    assert ("S. Arulselvan", "PER") in found(
        "Doktor pasukan, Dr S. Arulselvan, berkata imbasan dibuat.", "ms"
    )
    mentions = found("Pengarah APM Terengganu, Kolonel (PA) Che Adam A. Rahman, berkata anggota siap.", "ms")
    assert ("Che Adam A. Rahman", "PER") in mentions, mentions


def test_abbreviated_given_names_and_ranks_do_not_end_the_name() -> None:
    assert ("Muh. Hasbi Yusuf", "PER") in found("Anggota Fraksi PKS, Muh. Hasbi Yusuf, mengingatkan.", "id")
    mentions = found("Direktur Utama Lion Air Capt. Daniel Putut Kuncoro Adi mengatakan itu.", "id")
    assert ("Daniel Putut Kuncoro Adi", "PER") in mentions, mentions


def test_particles_may_come_two_in_a_row_and_dela_is_one() -> None:
    mentions = found("Dekan Fakultas Hukum Universitas Leiden, Joanne van der Leun, menyebut hubungan.", "id")
    assert ("Joanne van der Leun", "PER") in mentions, mentions
    mentions = found("Analyst Rodrigo dela Cruz said the agreement was significant.", "en")
    assert ("Rodrigo dela Cruz", "PER") in mentions, mentions


@pytest.mark.parametrize(
    ("text", "language", "person"),
    [
        ("Seorang penumpang, K. Thanabalan, 34, berkata bas laju.", "ms", "K. Thanabalan"),
        ("Menurut analis Clara Wijayakusuma, harga nikel naik.", "id", "Clara Wijayakusuma"),
        ("Seorang mangsa di Kampung Gong Kulim, Che Puteh Mamat, 67, berkata air naik.", "ms", "Che Puteh Mamat"),
        ("Korban selamat, Iyah Sumiati (52) mengaku mendengar gemuruh.", "id", "Iyah Sumiati"),
        ("Tertuduh, Mohd Hafiz Iskandar bin Abdul Rahim, 52, mengaku tidak bersalah.", "ms",
         "Mohd Hafiz Iskandar bin Abdul Rahim"),
        ("Warga Kelurahan Caringin, Dede Kurniasih, mengaku anaknya dirawat.", "id", "Dede Kurniasih"),
        ("Calon BN ialah bekas wakil rakyat, Zulkarnain bin Mat Yusof, 58. Dia berkata.", "ms",
         "Zulkarnain bin Mat Yusof"),
    ],
)  # fmt: skip
def test_a_role_noun_or_an_age_marks_an_unknown_regional_name_as_a_person(
    text: str, language: str, person: str
) -> None:
    mentions = found(text, language)
    assert (person, "PER") in mentions, mentions


def test_residents_of_a_place_are_not_a_person() -> None:
    mentions = found('"Warga Bawean tidak perlu lagi menunggu kapal," kata Arif.', "id")
    assert ("Bawean", "PER") not in mentions, mentions


def test_a_title_and_office_with_its_acronym_lead_to_the_person() -> None:
    text = "Kepala Badan Nasional Penanggulangan Bencana (BNPB) Suharyanto meninjau lokasi."
    assert ("Suharyanto", "PER") in found(text, "id")


# --------------------------------------------------------------------------- English names by their last word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Penang Heritage Trust welcomed the trail.", ("Penang Heritage Trust", "ORG")),
        ("It was built by George Town World Heritage Incorporated last year.",
         ("George Town World Heritage Incorporated", "ORG")),
        ("The vaccine is made by drugmaker Takeda Pharmaceutical in Osaka.", ("Takeda Pharmaceutical", "ORG")),
        ("A spokesman for the Archdiocese of Jakarta said so.", ("Archdiocese of Jakarta", "ORG")),
        ("Police guarded Jakarta Cathedral on Sunday.", ("Jakarta Cathedral", "LOC")),
        ("The group is bidding for the Mutiara Line light rail transit.", ("Mutiara Line", "LOC")),
        ("He spoke at the Bekasi City Hall on Friday.", ("Bekasi City Hall", "LOC")),
        ("Tourists crowd the Khoo Kongsi clan temple.", ("Khoo Kongsi", "LOC")),
        ("The line will link the Sydney CBD with the west.", ("Sydney CBD", "LOC")),
        ("Cases rose in South-east Asia this year.", ("South-east Asia", "LOC")),
    ],
)  # fmt: skip
def test_an_english_names_last_word_says_what_it_is(text: str, expected: tuple[str, str]) -> None:
    mentions = found(text, "en")
    assert expected in mentions, mentions


def test_indices_and_rankings_are_not_entities_nor_the_names_inside_them() -> None:
    assert found("The Jakarta Composite Index fell 1.1 percent.", "en") == []
    assert found("It climbed in the latest QS World University Rankings.", "en") == []


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Father Adi Prasojo, spokesman for the church, said so.", "Adi Prasojo"),
        ("Bishop Fransiskus Kopong Kung said the church would help.", "Fransiskus Kopong Kung"),
        ("Infectious diseases physician Leong Hoe Nam said the vaccine would help.", "Leong Hoe Nam"),
        (
            "Ujang Supriatna, a community leader in Jatiasih, said families had lived there.",
            "Ujang Supriatna",
        ),
    ],
)
def test_clergy_titles_and_more_role_words_mark_an_english_person(text: str, person: str) -> None:
    mentions = found(text, "en")
    assert (person, "PER") in mentions, mentions


# --------------------------------------------------------------------------- where a body ends and its people begin


def test_a_title_after_a_connector_opens_its_holder_not_more_of_the_name() -> None:
    mentions = found(
        "Rapat itu dihadiri Kejaksaan Negeri Gowa dan Kapolres Gowa AKBP Reonald Simanjuntak.", "id"
    )
    assert ("Kejaksaan Negeri Gowa", "ORG") in mentions, mentions
    assert ("Reonald Simanjuntak", "PER") in mentions, mentions


def test_a_body_numbered_in_roman_figures_ends_at_its_number_before_a_full_name() -> None:
    mentions = found("Ketua Komisi VIII Marwan Dasopang menyatakan DPR meminta pemerintah.", "id")
    assert ("Komisi VIII", "ORG") in mentions and ("Marwan Dasopang", "PER") in mentions, mentions
    assert ("Deddy Suryadi", "PER") in found("Pangdam IV Diponegoro Mayjen Deddy Suryadi hadir.", "id")


def test_an_honorific_after_the_comma_is_the_persons_not_the_organisations() -> None:
    text = "Pakar Pediatrik Hospital Sultanah Bahiyah, Dr Nor Azlina binti Che Hussin, berkata bayi sakit."
    mentions = found(text, "ms")
    assert ("Hospital Sultanah Bahiyah", "ORG") in mentions, mentions


@pytest.mark.parametrize(
    ("text", "language", "person"),
    [
        ("Pengamat penerbangan Alvin Lie menilai tambahan armada penting.", "id", "Alvin Lie"),
        ("Suap diberikan oleh pemilik CV Sumber Makmur, Sukardi. Uang diserahkan bertahap.", "id", "Sukardi"),
        (
            "Pengarah bebas PCG, Farina Farikhullah Khan, yang juga pengerusi, berkata.",
            "ms",
            "Farina Farikhullah Khan",
        ),
    ],
)
def test_a_role_with_a_word_after_it_or_an_organisation_and_a_comma_leads_to_a_person(
    text: str, language: str, person: str
) -> None:
    mentions = found(text, language)
    assert (person, "PER") in mentions, mentions


def test_no_ones_name_has_figures() -> None:
    mentions = found("Pelatih timnas U-23 Gerald Vanenburg memuji permainan.", "id")
    assert all("U-23" not in name for name, _ in mentions), mentions


def test_known_places_joined_by_hyphens_are_each_a_place() -> None:
    mentions = found("Maskapai menambah penerbangan di rute Jakarta-Denpasar dan Kualanamu-Batam.", "id")
    assert mentions == [("Jakarta", "LOC"), ("Denpasar", "LOC"), ("Kualanamu", "LOC"), ("Batam", "LOC")]
    assert found("Warga Timor-Leste datang.", "id") == [("Timor-Leste", "LOC")]


# --------------------------------------------------------------------------- Malay titles, honorifics and buildings


def test_malay_titles_and_honorifics_of_commissioners_imams_and_muftis() -> None:
    mentions = found(
        "Timbalan Ketua Pesuruhjaya (Operasi) SPRM, Datuk Seri Ahmad Khusairi Yahaya, berkata.", "ms"
    )
    assert ("Pesuruhjaya", "PER") not in mentions and ("Ahmad Khusairi Yahaya", "PER") in mentions, mentions
    mentions = found("Mufti itu, Sahibus Samahah Ahmad Fauwaz Fadzil, mengingatkan penceramah.", "ms")
    assert ("Ahmad Fauwaz Fadzil", "PER") in mentions, mentions
    mentions = found("Imam Besar Masjid Negara, Ikhsan Mohd Nor, berkata semua masjid mematuhinya.", "ms")
    assert ("Masjid Negara", "LOC") in mentions and ("Ikhsan Mohd Nor", "PER") in mentions, mentions


def test_a_committee_is_no_ones_name() -> None:
    text = "Pengerusi Jawatankuasa Pengurusan Bencana Pusat dijadual melawat mangsa."
    assert all(label != "PER" for _, label in found(text, "ms"))


def test_a_hereditary_title_before_an_honorific_is_not_a_later_mention_of_the_person() -> None:
    text = "Menteri itu, Tengku Datuk Seri Zafrul Tengku Abdul Aziz, berkata eksport naik."
    assert ("Tengku", "PER") not in found(text, "ms")


@pytest.mark.parametrize(
    ("text", "language", "place"),
    [
        (
            "Mangsa ditempatkan di PPS Dewan Orang Ramai Cherang Ruku sejak pagi.",
            "ms",
            "Dewan Orang Ramai Cherang Ruku",
        ),
        ("Ia berucap di Pusat Konvensyen Borneo Kuching semalam.", "ms", "Pusat Konvensyen Borneo Kuching"),
        ("Dia tinggal di Rumah Panjang Nanga Sumpa bersama keluarga.", "ms", "Rumah Panjang Nanga Sumpa"),
        ("Wali kota berbicara di Balai Kota Bandung, Jumat.", "id", "Balai Kota Bandung"),
        ("Majlis itu diadakan di Presint 9 hari ini.", "ms", "Presint 9"),
    ],
)
def test_halls_longhouses_and_precincts_are_places(text: str, language: str, place: str) -> None:
    mentions = found(text, language)
    assert (place, "LOC") in mentions, mentions


def test_a_health_clinic_is_an_organisation() -> None:
    mentions = found("Beliau merasmikan Klinik Kesihatan Jitra di sini hari ini.", "ms")
    assert ("Klinik Kesihatan Jitra", "ORG") in mentions, mentions


# --------------------------------------------------------------------------- dev4


def test_a_head_word_and_one_capital_letter_is_a_group_of_a_draw_not_an_organisation() -> None:
    text = "Indonesia naik ke peringkat ketiga Grup C dengan enam poin, di atas Bahrain."
    mentions = found(text, "id")
    assert not any(name.startswith("Grup") for name, _ in mentions), mentions
    assert ("Indonesia", "LOC") in mentions and ("Bahrain", "LOC") in mentions


def test_a_place_whose_name_opens_with_the_keeps_it() -> None:
    text = "An international tribunal in The Hague ruled in 2016 that the claims had no legal basis."
    assert ("The Hague", "LOC") in found(text, "en")


def test_a_nationality_before_a_person_is_not_part_of_the_name() -> None:
    text = "Spaniard Jon Irazabal, Arif Aiman Hanapi and substitute Heberty Fernandes were also on target."
    mentions = found(text, "en")
    assert ("Jon Irazabal", "PER") in mentions, mentions
    assert not any(name.startswith("Spaniard") for name, _ in mentions)


def test_a_forecaster_is_a_role_before_a_name() -> None:
    text = "Prakirawan Ganis Erutjahjo meminta nelayan tidak melaut saat gelombang tinggi."
    assert ("Ganis Erutjahjo", "PER") in found(text, "id")


def test_a_malaysian_indian_patronym_keeps_the_given_name_before_a_l() -> None:
    text = "Another witness, Ramesh a/l Subramaniam, said his earlier statement was recorded in Malay."
    assert ("Ramesh a/l Subramaniam", "PER") in found(text, "en")


def test_an_unknown_person_after_a_known_organisation_is_split_from_it() -> None:
    text = "Di Jakarta, juru bicara Kementerian Luar Negeri Rolliansyah Soemirat mengatakan hal itu."
    mentions = found(text, "id")
    assert ("Kementerian Luar Negeri", "ORG") in mentions, mentions
    assert ("Rolliansyah Soemirat", "PER") in mentions, mentions


def test_a_known_organisation_and_a_place_after_it_stay_one_office() -> None:
    text = "Kepala Dinas Pendidikan Kalimantan Selatan Abdul Hadi Nor menyebut sekolah libur."
    assert ("Dinas Pendidikan Kalimantan Selatan", "ORG") in found(text, "id")


# --------------------------------------------------------------------------- the untuned batch


@pytest.mark.parametrize(
    ("text", "language", "people"),
    [
        ("Uang itu diserahkan melalui seorang perantara berinisial HS di Jakarta.", "id", ["HS"]),
        ("Kedua nakhoda, berinisial NVH dan TQD, dijerat Undang-Undang Perikanan.", "id", ["NVH", "TQD"]),
        ("Ketiga tersangka berinisial AR (34), SH (29) dan MN (41) ditahan.", "id", ["AR", "SH", "MN"]),
        ("Polisi menangkap seorang pria berinisial AS di Medan.", "id", ["AS"]),
    ],
)  # fmt: skip
def test_initials_a_report_names_a_person_by_are_that_person(
    text: str, language: str, people: list[str]
) -> None:
    mentions = found(text, language)
    assert all((person, "PER") in mentions for person in people), mentions
    assert ("AS", "LOC") not in mentions, mentions  # "berinisial AS" is no country


def test_a_pair_written_with_a_slash_is_two_people_and_later_two_short_names() -> None:
    text = (
        "Ganda putra Indonesia, Raka Aditya Nugraha/Dwi Cahyo Wibisono, melaju ke final. "
        "Di final, Raka/Dwi akan menghadapi pasangan Korea Selatan."
    )
    mentions = [(m.text, m.label, m.canonical) for m in extract_entities(text, "id")]
    for person in ("Raka Aditya Nugraha", "Dwi Cahyo Wibisono"):
        assert (person, "PER", person) in mentions, mentions
    assert ("Raka", "PER", "Raka Aditya Nugraha") in mentions, mentions
    assert ("Dwi", "PER", "Dwi Cahyo Wibisono") in mentions, mentions


@pytest.mark.parametrize(
    ("text", "language", "full", "later"),
    [
        ("Direktur perusahaan itu, Jean-Baptiste de Villiers, menyerahkan uang. Menurut jaksa, "
         "de Villiers meninggalkan Indonesia.", "id", "Jean-Baptiste de Villiers", "de Villiers"),
        ("Ketua jurulatih, Pau Marti de la Fuente, memuji pemainnya. \"Kami bangkit,\" kata de la Fuente.",
         "ms", "Pau Marti de la Fuente", "de la Fuente"),
        ("Defence lawyer Marissa de Souza, acting for Su, spoke first. Ms de Souza asked for four years.",
         "en", "Marissa de Souza", "de Souza"),
        ("Kapal itu dinakhodai Pieter van Wyk, 56, dari Afrika Selatan. Van Wyk dan kru dibawa ke jeti.",
         "ms", "Pieter van Wyk", "Van Wyk"),
        ("Her Timorese counterpart Aderito da Costa Pereira met her in Atambua. Mr da Costa Pereira said "
         "the settlement would help.", "en", "Aderito da Costa Pereira", "da Costa Pereira"),
    ],
)  # fmt: skip
def test_a_surname_named_again_keeps_its_particles(text: str, language: str, full: str, later: str) -> None:
    mentions = [(m.text, m.label, m.canonical) for m in extract_entities(text, language)]
    assert (later, "PER", full) in mentions, mentions


def test_hajj_sites_and_hostels_are_places() -> None:
    text = (
        "Jemaah berangkat dari Asrama Haji Pondok Gede, lalu bermalam di Muzdalifah sebelum ke Mina. "
        "Wukuf di Arafah jatuh pada Sabtu."
    )
    mentions = found(text, "id")
    for place in ("Asrama Haji Pondok Gede", "Muzdalifah", "Mina", "Arafah"):
        assert (place, "LOC") in mentions, mentions


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("National men's doubles pair Tan Kok Leong-Nur Izzuddin Hakimi pulled off the biggest win.",
         ["Tan Kok Leong", "Nur Izzuddin Hakimi"]),
        ("They lost to Thailand's Kittiya Srisuk-Ploy Chanthavong 19-21, 21-23.",
         ["Kittiya Srisuk", "Ploy Chanthavong"]),
        ("Women's doubles pair Chong Mei Xuan-Nurul Syafiqah binti Azman bowed out.",
         ["Chong Mei Xuan", "Nurul Syafiqah binti Azman"]),
    ],
)  # fmt: skip
def test_a_doubles_pair_written_with_a_hyphen_is_two_people(text: str, people: list[str]) -> None:
    mentions = found(text, "en")
    assert all((person, "PER") in mentions for person in people), mentions


def test_a_double_barrelled_name_is_one_person() -> None:
    mentions = found("The actress Catherine Zeta-Jones watched from the stands, her agent said.", "en")
    assert ("Catherine", "PER") not in mentions and ("Jones", "PER") not in mentions, mentions


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("He was represented by counsel K. Rajasegaran and Farah Nadia binti Hashim.", "Farah Nadia binti Hashim"),
        ("Northport chief Ravi Shankar a/l Murugan said more ships called.", "Ravi Shankar a/l Murugan"),
    ],
)  # fmt: skip
def test_the_fathers_name_after_a_patronym_is_part_of_an_english_persons_name(text: str, person: str) -> None:
    mentions = found(text, "en")
    assert (person, "PER") in mentions, mentions


def test_a_full_name_of_listed_regional_names_is_an_english_person_without_a_cue() -> None:
    text = "Ng Jun Hao and Tan Zhi Wei stunned world No. 1 Kim Do-hyun and Park Sung-min of South Korea."
    assert ("Kim Do-hyun", "PER") in found(text, "en")
