"""The Wallet and Staking area takes typed collaborators: no AppContext, no network object, no duck typing.

Reads and transactions go through services/ (WalletService, StakingService); panels and dialogs only render
what those return. A static check, so a regression fails here before any behaviour drifts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import soma_desktop

UI = Path(soma_desktop.__file__).parent / "ui"
MODULES = sorted([UI / "panels" / "wallet.py", UI / "panels" / "staking.py", *(UI / "wallet").glob("*.py"),
                  UI / "wallet_session.py", UI / "local_names.py", UI / "tray.py", UI / "status_bar.py"])
RULE_MODULES = ("stake_math.py", "yield_text.py")   # moved to services/stake_positions.py and stake_yield.py


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _problems(tree: ast.Module) -> list[str]:
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "soma_desktop.ui.context":
            problems += [f"imports AppContext (line {node.lineno})" for a in node.names if a.name == "AppContext"]
        elif isinstance(node, ast.Import):
            problems += [f"imports {a.name} (line {node.lineno})" for a in node.names
                         if a.name == "soma_desktop.ui.context"]
        elif isinstance(node, ast.Attribute) and node.attr == "network":
            problems.append(f"reads .network (line {node.lineno})")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
            problems.append(f"{node.func.id}() duck typing (line {node.lineno})")
    return sorted(problems, key=lambda p: int(p.rsplit("line ", 1)[1].rstrip(")")))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(UI)))
def test_no_app_context_no_network_object_no_getattr(path):
    problems = _problems(_tree(path))
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_the_check_sees_what_it_forbids(tmp_path):
    """Each forbidden shape is flagged (so the check cannot pass by reading nothing)."""
    bad = tmp_path / "bad.py"
    bad.write_text("from soma_desktop.ui.context import AppContext\nx = ctx.network.name\ngetattr(ctx, 'wallet')\n")
    assert _problems(_tree(bad)) == ["imports AppContext (line 1)", "reads .network (line 2)",
                                     "getattr() duck typing (line 3)"]


def test_chain_rules_left_the_ui():
    assert len(MODULES) >= 20
    assert not [name for name in RULE_MODULES if (UI / "wallet" / name).exists()]
