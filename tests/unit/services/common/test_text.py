"""Text safe to store and to show."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kabar.services.common.text import one_line, without_control_characters

CASES = {
    "colour codes": ("\x1b[1;31mBanjir\x1b[0m Bandung", "Banjir Bandung"),
    "a terminal title set by OSC, ended by BEL": ("\x1b]0;pwned\x07Judul", "Judul"),
    "an OSC 52 clipboard write, ended by ST": ("a\x1b]52;c;ZWNobyBoaQ==\x1b\\b", "ab"),
    "8-bit CSI": ("\x9b31mMerah", "Merah"),
    "charset switch": ("\x1b(BTeks", "Teks"),
    "C0 and C1 controls and DEL": ("a\x00b\x07c\x7fd\x85e\x9ff", "abcd\nef"),
    "Windows and old Mac line breaks": ("satu\r\ndua\rtiga", "satu\ndua\ntiga"),
    "vertical tab and form feed keep words apart": ("satu\x0bdua\x0ctiga", "satu dua tiga"),
    "tab and newline stay": ("a\tb\nc", "a\tb\nc"),
    "a lone surrogate": ("Jakarta\ud800", "Jakarta"),
    "letters of every script stay": ("Kuala Lumpur 吉隆坡 كوالا لمبور", "Kuala Lumpur 吉隆坡 كوالا لمبور"),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_escape_sequences_and_controls_are_removed(text: str, expected: str) -> None:
    assert without_control_characters(text) == expected


@given(st.text())
def test_nothing_a_terminal_would_act_on_survives(text: str) -> None:
    cleaned = without_control_characters(text)
    assert not any((ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F for c in cleaned)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in cleaned)
    cleaned.encode("utf-8")
    assert without_control_characters(cleaned) == cleaned


def test_one_line_is_safe_and_on_one_line() -> None:
    assert one_line("Judul\n\x1b[31mberita\x1b[0m\t baru") == "Judul berita baru"
