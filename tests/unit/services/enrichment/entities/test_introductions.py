"""How the region's news introduces people, organisations and places, rule by rule: each
example phrase a rule's comment cites, as a test of that rule (sentences written for these
tests around the cited phrase)."""

from services.enrichment.entities import extract_entities
from services.enrichment.entities.document import headline_spans
from services.enrichment.grammar import grammar


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
