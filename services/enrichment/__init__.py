"""Enrichment: language and, later, entities and translation for every raw article."""
