"""Ingestion: validates what sources send and puts it on the raw topic."""
