"""Fixtures for the publish tests: a real small safetensors file, a journal, a blob server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.journal import Journal
from tests.publish.publish_helpers import make_safetensors


@pytest.fixture
def weights_file(tmp_path) -> Path:
    return make_safetensors(tmp_path / "model.safetensors")


@pytest.fixture
def wrapping_key() -> bytes:
    return os.urandom(32)


@pytest.fixture
def journal(tmp_path, wrapping_key):
    j = Journal(tmp_path / "publish.db", wrapping_key)
    yield j
    j.close()


@pytest.fixture
def blob_server(tmp_path):
    with BlobServer(tmp_path / "blobs") as server:
        yield server
