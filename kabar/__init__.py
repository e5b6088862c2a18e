"""Kabar: regional news, cleaned, tagged, linked and searchable."""
