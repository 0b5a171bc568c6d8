"""How one byte is drawn in the byte view (Qt-free): visible whitespace, hex boxes, UTF-8 characters.

Glyphs follow levanter/CircuitsVis: space ␣, newline ⏎ (then a real line break), tab ⇥, CR ␍; other
control bytes and stray bytes ≥ 0x80 as hex `1b`; a valid multi-byte UTF-8 character is drawn on its
lead byte while each continuation byte keeps its own (empty) coloured cell.
"""

from __future__ import annotations

SPECIAL = {0x20: "␣", 0x0A: "⏎", 0x09: "⇥", 0x0D: "␍"}
CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "BS", 9: "TAB", 10: "LF", 11: "VT", 12: "FF", 13: "CR", 27: "ESC",
                 32: "space", 127: "DEL"}


def _sequence_length(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def utf8_char_at(data: bytes, offset: int) -> tuple[int, str] | None:
    """(start, character) of the valid multi-byte UTF-8 sequence covering `offset`, else None."""
    for start in range(offset, max(-1, offset - 4), -1):
        length = _sequence_length(data[start])
        if length and start + length > offset:
            try:
                return start, data[start:start + length].decode("utf-8")
            except UnicodeDecodeError:
                return None
        if data[start] < 0x80 or length:
            return None
    return None


def glyph(data: bytes, offset: int) -> tuple[str, bool]:
    """(text, faint) for the byte at `offset`; offset == len(data) is the end-of-file marker."""
    if offset >= len(data):
        return "EOS", False
    value = data[offset]
    if value in SPECIAL:
        return SPECIAL[value], True
    if 0x21 <= value <= 0x7E:
        return chr(value), False
    if value >= 0x80:
        found = utf8_char_at(data, offset)
        if found is not None:
            start, char = found
            return (char if start == offset else ""), False
    return f"{value:02x}", True


def describe_byte(data: bytes, offset: int) -> str:
    """'0x41 'A'' / '0x0a LF' / 'EOS (end of file)' for hover readouts."""
    if offset >= len(data):
        return "EOS (end of file)"
    value = data[offset]
    if value in CONTROL_NAMES:
        return f"0x{value:02x} {CONTROL_NAMES[value]}"
    if 0x21 <= value <= 0x7E:
        return f"0x{value:02x} '{chr(value)}'"
    found = utf8_char_at(data, offset) if value >= 0x80 else None
    if found is not None:
        return f"0x{value:02x} (part of '{found[1]}')"
    return f"0x{value:02x}"


def token_name(token: int) -> str:
    """Engine prediction ids: 0–255 bytes, 256 PAD, 257 EOS."""
    if token == 257:
        return "EOS"
    if token == 256:
        return "PAD"
    if token >= 256:
        return f"<{token}>"
    if token in CONTROL_NAMES:
        return CONTROL_NAMES[token]
    if 0x21 <= token <= 0x7E:
        return repr(chr(token))
    return f"0x{token:02x}"
