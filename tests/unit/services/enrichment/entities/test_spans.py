"""Where names end: the particles of patronyms and surnames stay inside a person's name."""

import pytest

from kabar.services.enrichment.entities import extract_entities


def people(text: str, language: str) -> list[str]:
    return [m.text for m in extract_entities(text, language) if m.label == "PER"]


@pytest.mark.parametrize(
    ("text", "language", "name"),
    [
        ("Putra Mahkota Muhammad bin Salman tiba di Riyadh.", "id", "Muhammad bin Salman"),
        ("Penyanyi Siti Nurhaliza binti Tarudin tampil di Jakarta.", "id", "Siti Nurhaliza binti Tarudin"),
        ("Penyanyi Siti Nurhaliza binti Tarudin membuat persembahan.", "ms", "Siti Nurhaliza binti Tarudin"),
        ("Peguam Nur Aisyah bte Ahmad berkata kes itu diteruskan.", "ms", "Nur Aisyah bte Ahmad"),
        ("Pengamat Abdul Rahman al-Hashimi menilai langkah itu tepat.", "id", "Abdul Rahman al-Hashimi"),
        ("Presiden Mesir Abdel Fattah el-Sisi menerima kunjungan itu.", "id", "Abdel Fattah el-Sisi"),
        ("Analyst Abdul Rahman al-Hashimi said the deal would hold.", "en", "Abdul Rahman al-Hashimi"),
        ("Ketua Komisi Eropa Ursula von der Leyen hadir.", "id", "Ursula von der Leyen"),
        ("Presiden Brasil Luiz Inácio Lula da Silva hadir.", "id", "Luiz Inácio Lula da Silva"),
        ("Lukisan Vincent van Gogh dipamerkan di Jakarta.", "id", "Vincent van Gogh"),
        ("Gelandang Portugal João dos Santos mencetak gol.", "id", "João dos Santos"),
        (
            "Singer Siti Nurhaliza binti Tarudin performed in Kuala Lumpur.",
            "en",
            "Siti Nurhaliza binti Tarudin",
        ),
    ],
)
def test_a_name_with_lower_case_particles_stays_whole(text: str, language: str, name: str) -> None:
    assert name in people(text, language)
