"""The Evaluate panel and its parts take typed pieces: no AppContext, no network object, no duck typing."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3] / "soma_desktop" / "ui"
FILES = sorted([ROOT / "panels" / "evaluate.py", ROOT / "remote_scoring.py", ROOT / "workers.py",
                *(ROOT / "evaluate").glob("*.py")])


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.ImportFrom) and node.module == "soma_desktop.ui.context":
            found.append(f"{line}: imports soma_desktop.ui.context")
        elif isinstance(node, ast.Name) and node.id in ("AppContext", "ctx"):
            found.append(f"{line}: uses {node.id}")
        elif isinstance(node, ast.arg) and node.arg == "ctx":
            found.append(f"{line}: takes a ctx parameter")
        elif isinstance(node, ast.Attribute) and node.attr in ("network", "ctx", "services"):
            found.append(f"{line}: reads .{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
            found.append(f"{line}: duck-types with {node.func.id}()")
    return found


def test_the_checked_files_exist():
    assert len(FILES) >= 10 and all(f.is_file() for f in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_evaluate_ui_takes_typed_pieces_never_the_context_or_the_network(path):
    assert _problems(path) == []


def test_the_check_sees_what_it_forbids(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from soma_desktop.ui.context import AppContext\n"
                   "def f(ctx):\n    return ctx.network, getattr(ctx, 'wallet', None)\n")
    problems = " ".join(_problems(bad))
    for what in ("ui.context", "ctx parameter", ".network", "getattr"):
        assert what in problems
