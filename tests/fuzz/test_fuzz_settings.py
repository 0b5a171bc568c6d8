"""Fuzz settings.json: whatever the file holds, load_settings returns valid settings and never raises."""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from soma_desktop.core import notices
from soma_desktop.core.settings import Settings, invalid_fields, load_settings, save_settings
from tests.fuzz.budget import fuzz
from tests.fuzz.strategies import EDGE_TEXT, JSON_VALUES, dumps, mutated

FIELDS = [name for name in asdict(Settings()) if name != "extra"] + ["version", "extra", "sandbox_epoch_seconds"]
VALID = json.dumps({"version": 2, **asdict(Settings(network="testnet", theme="dark"))}).encode()


def _load(content: bytes) -> Settings:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        (data_dir / "settings.json").write_bytes(content)
        settings = load_settings(data_dir)
        assert invalid_fields(asdict(settings)) == []
        save_settings(data_dir, settings)            # whatever was loaded can be saved and read back
        assert load_settings(data_dir) == settings
    notices.take()
    return settings


@fuzz()
@given(st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=6))
def test_any_field_values(raw):
    _load(dumps(raw).encode())


@fuzz()
@given(st.one_of(st.binary(max_size=200), EDGE_TEXT.map(str.encode), mutated(VALID)))
def test_any_bytes(content):
    _load(content)


@fuzz(10)
@given(st.sampled_from(FIELDS), EDGE_TEXT)
def test_edge_literals_in_every_field(name, literal):
    _load(f'{{"version": 2, "{name}": {literal}}}'.encode())
