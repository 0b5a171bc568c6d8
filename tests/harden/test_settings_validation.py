"""A hand-edited or damaged settings.json never stops the app: invalid fields start from defaults, the file
is kept as settings.json.bad-<time>, and the user is told once."""

from __future__ import annotations

import json
import math

import pytest

from soma_desktop.core import notices
from soma_desktop.core.settings import SETTINGS_VERSION, Settings, load_settings, save_settings

BAD_FILES = {
    "version abc": '{"version": "abc", "theme": "dark"}',
    "version bool": '{"version": true}',
    "version huge int": '{"version": ' + "9" * 5000 + "}",
    "number for string": '{"version": 2, "network": 5}',
    "list for string": '{"version": 2, "custom_rpc_url": ["a", "b"]}',
    "1e400 timeout": '{"version": 2, "network_timeout_s": 1e400}',
    "NaN timeout": '{"version": 2, "network_timeout_s": NaN}',
    "null bool": '{"version": 2, "hide_amounts": null}',
    "no for bool": '{"version": 2, "sandbox_timed_epochs": "no"}',
    "float for int": '{"version": 2, "auto_lock_minutes": 2.5}',
    "bool for int": '{"version": 2, "eval_threads": true}',
    "out of range": '{"version": 2, "auto_lock_minutes": -5}',
    "unknown theme": '{"version": 2, "theme": "neon"}',
    "deep nesting": '{"version": 2, "extra": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "not an object": "[1, 2, 3]",
    "not json": "{not json",
    "not utf-8": b'{"network": "\xff\xfe"}',
    "v1 with bad seconds": '{"version": 1, "sandbox_epoch_seconds": "300"}',
    "extra not an object": '{"version": 2, "extra": 3}',
    "unknown key 1e400": '{"version": 2, "sandbox_epoch_seconds": 1e400}',   # found by tests/fuzz
}


@pytest.fixture(autouse=True)
def _clear_notices():
    notices.take()
    yield
    notices.take()


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_settings_start_with_defaults_keep_the_file_and_tell_once(tmp_path, name):
    content = BAD_FILES[name]
    path = tmp_path / "settings.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    loaded = load_settings(tmp_path)
    for attr, value in vars(loaded).items():   # every field valid, with the default's type
        assert type(value) is type(getattr(Settings(), attr)), attr
    assert math.isfinite(loaded.network_timeout_s)
    backups = list(tmp_path.glob("settings.json.bad-*"))
    expected = content if isinstance(content, bytes) else content.encode()
    assert len(backups) == 1 and backups[0].read_bytes() == expected
    assert not path.exists()
    told = notices.take()
    assert len(told) == 1 and str(backups[0]) in told[0]
    save_settings(tmp_path, loaded)              # the next start reads a clean file and says nothing
    assert load_settings(tmp_path) == loaded and notices.take() == []


def test_valid_fields_survive_beside_an_invalid_one(tmp_path):
    (tmp_path / "settings.json").write_text(json.dumps({"version": 2, "network": "testnet", "theme": "dark",
                                                        "hide_amounts": "no", "future": [1]}))
    loaded = load_settings(tmp_path)
    assert (loaded.network, loaded.theme, loaded.hide_amounts, loaded.extra) == ("testnet", "dark", False,
                                                                                  {"future": [1]})
    assert "hide_amounts" in notices.take()[0]


def test_a_good_file_says_nothing(tmp_path):
    save_settings(tmp_path, Settings(network="localnet", network_timeout_s=42.5, auto_lock_minutes=240))
    loaded = load_settings(tmp_path)
    assert loaded.network_timeout_s == 42.5 and loaded.auto_lock_minutes == 240
    assert json.loads((tmp_path / "settings.json").read_text())["version"] == SETTINGS_VERSION
    assert notices.take() == [] and not list(tmp_path.glob("*.bad-*"))
