"""Indexing: enriched articles into Elasticsearch, idempotently, by article id."""
