"""Suite-wide isolation: headless Qt, a private data dir and an in-memory keyring per test."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import pytest  # noqa: E402


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Process-local keyring so no test touches (or needs) an OS keyring."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty SOMA Desktop data dir, also exported as SOMA_DESKTOP_DATA_DIR."""
    path = tmp_path / "soma-data"
    path.mkdir()
    monkeypatch.setenv("SOMA_DESKTOP_DATA_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Keep QSettings, platformdirs and ~/.soma lookups inside a private per-test home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.delenv("SOMA_CONFIG_DIR", raising=False)


VECTORS_PATH = __import__("pathlib").Path(__file__).resolve().parent / "data" / "soma_vectors.json"


@pytest.fixture(scope="session")
def vectors():
    """The interop vectors produced by the real libraries (tests/data/soma_vectors.json, described beside it)."""
    import json

    return json.loads(VECTORS_PATH.read_text())  # a missing file is an error, never a skip
