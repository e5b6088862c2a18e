"""Text safe to store and to show: no control characters, no terminal escape sequences.

A title or body from a feed can carry ANSI colour codes, OSC sequences (which set a
terminal's title or write to its clipboard), C1 controls or lone surrogates (which no
UTF-8 encoder accepts). Ingestion removes them from every field before anything else
reads the article, HTML character references are checked again once decoded, and the
``kabar`` command passes everything it prints through ``one_line``, so text indexed
before or by another producer cannot reach a terminal raw either.
"""

import re

# ECMA-48: CSI sequences (ESC [ or the 8-bit CSI), control strings (OSC, DCS, SOS, PM,
# APC) up to their terminator, and the two- and three-character escapes (ESC ( B ...)
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]P^_X]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
_LINE_BREAKS = re.compile(r"\r\n?|\x85")
_PAGE_BREAKS = re.compile(r"[\x0b\x0c]")
# C0 but tab and newline, DEL, C1, and UTF-16 surrogates left alone by a decoder
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# every character the four patterns above start with: most text has none of them, and one
# scan for them costs a fraction of running the four (ingestion cleans every field this way)
_ANY_TO_CHANGE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def without_control_characters(text: str) -> str:
    """The text with escape sequences and control characters removed; line breaks become
    newlines and vertical tabs and form feeds spaces, so words on either side stay apart."""
    if _ANY_TO_CHANGE.search(text) is None:
        return text
    text = _ESCAPE_SEQUENCES.sub("", text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _PAGE_BREAKS.sub(" ", text)
    return _CONTROLS.sub("", text)


def one_line(text: str) -> str:
    """For a terminal: safe, and on one line."""
    return " ".join(without_control_characters(text).split())
