from kabar.services.common.dlq import Failure, Origin, dead_letter


def test_a_record_origin_reads_topic_partition_at_offset() -> None:
    origin = Origin.of_record("news.raw", 2, 1041)
    assert origin.label == "news.raw[2]@1041"
    letter = dead_letter("enrichment", Failure("invalid_json", "not JSON"), origin, b"{oops")
    assert (letter.source_topic, letter.source_partition, letter.source_offset) == ("news.raw", 2, 1041)
    assert letter.payload == b"{oops" and letter.stage == "enrichment"


def test_a_file_origin_names_file_and_line() -> None:
    letter = dead_letter("ingestion", Failure("invalid_json", "x"), Origin.of_line("a.ndjson", 7), b"")
    assert letter.origin == "a.ndjson:7" and letter.source_topic is None


def test_overlong_messages_are_cut_so_one_letter_cannot_flood_the_dlq() -> None:
    letter = dead_letter("indexing", Failure("es_x", "y" * 50_000), Origin.of_line("f", 1), b"")
    assert len(letter.error_message) == 2_000
