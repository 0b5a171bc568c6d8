"""Weights are untrusted: no pickle-based loading anywhere in the package."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "soma_desktop"
FORBIDDEN = re.compile(r"\btorch\.load\b|^\s*(import|from)\s+(c?pickle|dill|joblib)\b|\bpickle\.loads?\b|"
                       r"\bnumpy\.load\b|\bnp\.load\b", re.MULTILINE)


def test_no_pickle_or_torch_load_in_package():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for match in FORBIDDEN.finditer(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(PACKAGE.parent)}: {match.group(0).strip()}")
    assert offenders == []


def test_pattern_catches_the_forbidden_calls():
    for bad in ("torch.load(path)", "import pickle", "from pickle import loads", "pickle.load(f)", "np.load(f)"):
        assert FORBIDDEN.search(bad), bad
    assert not FORBIDDEN.search("from safetensors import safe_open")
