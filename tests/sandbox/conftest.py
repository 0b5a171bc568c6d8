"""Fixtures for the sandbox rules suite: a manual-epoch sandbox at dimension 16 with a fake clock."""

from __future__ import annotations

import pytest

from soma_desktop.network.sandbox import SandboxChain, SandboxConfig
from tests.sandbox.helpers import DIM, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def chain(tmp_path, clock) -> SandboxChain:
    c = SandboxChain(tmp_path / "sandbox.db", SandboxConfig(embedding_dim=DIM, timed=False, clock=clock))
    yield c
    c.close()
