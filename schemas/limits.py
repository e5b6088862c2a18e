"""The pipeline's size budget: every limit on an article and on the events made from it.

The largest article ingestion accepts must still make events every later stage can
write, and every topic, client and index setting must accept those events. So the limits
live here, the schemas enforce them, and the Kafka and Elasticsearch settings are derived
from them (``tests/unit/schemas/test_limits.py`` builds each event at its worst case and
checks that it fits, and that every setting in the repository agrees).
"""

# An article travels with its original and its cleaned text.
ARTICLE_MAX_CHARS = 200_000
TITLE_MAX_CHARS = 1_000
# a source, a publisher or a dateline's place: a name, never a paragraph
NAME_MAX_CHARS = 200
# what browsers and pydantic's HttpUrl accept
URL_MAX_CHARS = 2_083
# English runs longer than the Indonesian or Malay it comes from, never twice as long
TRANSLATION_GROWTH = 2

# Mentions kept per article. It is also the index's nested-objects limit (one nested
# document per mention): an article with more would be refused by Elasticsearch whole.
ENTITY_MENTIONS_MAX = 2_000
# a longer span is an extraction error, not a name
MENTION_MAX_CHARS = 100
ENTITY_ID_MAX_CHARS = 64

# The near-duplicate fingerprint (a simhash of the body): at 64 bits syndicated copies and
# unrelated stories overlap in Hamming distance, at 256 they stand apart.
FINGERPRINT_BITS = 256

# A dead letter keeps the first part of an oversized input, enough to see what it was.
DEAD_LETTER_PAYLOAD_MAX_BYTES = 256 * 1024
ERROR_MESSAGE_MAX_CHARS = 2_000

# The largest serialized event (a record's value) any stage writes. Text is at most four
# bytes a character in JSON once control characters are gone; the worst enriched event
# (two full bodies of four-byte characters plus every mention at its longest) is about
# 3.9 MB.
EVENT_MAX_BYTES = 4 * 1024 * 1024
# A record is its value plus the key, headers and the batch framing around it: what the
# topics' max.message.bytes, the producers' max_request_size and the consumers' fetch
# sizes are set to.
RECORD_MAX_BYTES = EVENT_MAX_BYTES + 64 * 1024
# One bulk request to Elasticsearch: several documents, and at least the largest one;
# well under the server's default http.max_content_length (100 MB).
ES_BULK_MAX_BYTES = 4 * RECORD_MAX_BYTES
