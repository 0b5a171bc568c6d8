"""Local names: cleaned, capped, stored atomically; a damaged file is reported with what to do."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.core.name_store import MAX_NAME_CHARS, NameFileError, NameStore, clean_name


@given(st.text(max_size=400))
def test_clean_name_has_no_control_characters_and_is_capped(text):
    name = clean_name(text)
    assert len(name) <= MAX_NAME_CHARS and name == name.strip()
    assert not any(ch in name for ch in "\n\r\t\x00\x1b\u202e")
    assert clean_name(name) == name


def test_round_trip_and_damage(tmp_path):
    store = NameStore(tmp_path / "names.json")
    assert store.load() == {}
    store.save({"0x" + "ab" * 32: "Alice", "empty": ""})
    assert store.load() == {"0x" + "ab" * 32: "Alice"}
    assert not list(tmp_path.glob(".names.json.*"))          # no temp file left behind
    (tmp_path / "names.json").write_text("[1, 2]")
    with pytest.raises(NameFileError, match="unknown layout"):
        store.load()
    (tmp_path / "names.json").write_bytes(b"\xff\xfe")
    with pytest.raises(NameFileError, match="damaged"):
        store.load()
