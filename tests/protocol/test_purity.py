"""protocol/ stays pure: no Qt, no torch, no I/O, no higher layer — only the stdlib's pure modules, numpy
and soma_desktop.core / soma_desktop.protocol."""

from __future__ import annotations

from pathlib import Path

from tests.layering import imported_modules

PROTOCOL = Path(__file__).resolve().parents[2] / "soma_desktop" / "protocol"
ALLOWED = {"__future__", "collections.abc", "dataclasses", "enum", "math", "typing", "numpy",
           "soma_desktop.core.amounts", "soma_desktop.protocol"}


def test_protocol_imports_only_pure_modules():
    found = []
    for path in sorted(PROTOCOL.glob("*.py")):
        for line, module in imported_modules(path.read_text("utf-8")):
            if not any(module == ok or module.startswith(ok + ".") for ok in ALLOWED):
                found.append(f"{path.name}:{line} {module}")
    assert found == []


def test_protocol_does_no_io():
    import re
    for path in sorted(PROTOCOL.glob("*.py")):
        text = path.read_text("utf-8")
        assert not re.search(r"(?<![\w.])(open|print|input)\(", text), path.name
