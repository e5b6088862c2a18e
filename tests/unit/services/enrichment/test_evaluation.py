from kabar.services.enrichment.evaluation import evaluate


def test_the_datelines_place_is_not_scored_against_the_bodys_labels() -> None:
    body = "Banjir melanda Kabupaten Bandung sejak Senin."
    row = {
        "id": "t-1",
        "language": "id",
        "title": "Banjir di Bandung",
        "body": body,
        "dateline_place": "Jakarta",
        "entities": [
            {
                "text": "Kabupaten Bandung",
                "label": "LOC",
                "canonical": "Bandung Regency",
                "start": 15,
                "end": 32,
            }
        ],
    }
    score = evaluate([row]).scores[("id", "all")]
    assert (score.true_positive, score.false_positive, score.false_negative) == (1, 0, 0)
