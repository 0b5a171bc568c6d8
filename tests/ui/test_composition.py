"""Every ui module below the composition root takes typed pieces: no AppContext, no network object, no duck typing.

Only the composition root (ui/application.py builds the AppContext, ui/context.py is it, ui/main_window.py hands
each panel the services, ChainStatus, bridge and session it uses) may hold the context. Reads and transactions
go through services/; panels render what those return. A static check, so a regression fails here first.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import soma_desktop

UI = Path(soma_desktop.__file__).parent / "ui"
ROOT = {"application.py", "context.py", "main_window.py"}
# errors.py walks a widget's parents for their error banner attributes (Qt objects, not services).
DUCK_TYPING_ALLOWED = {"errors.py"}
MODULES = sorted(p for p in UI.rglob("*.py") if p.relative_to(UI).as_posix() not in ROOT)
# Qt-free modules that may stay in ui/: drawing math and view helpers, no chain rule or amount arithmetic.
QT_FREE_VIEW_HELPERS = {"plots/projection.py", "plots/glyphs.py", "plots/decimate.py", "navigator.py",
                        "settings_store.py", "format.py"}


def offences(source: str, *, duck_typing_allowed: bool = False) -> list[str]:
    """Each use of the AppContext, a ctx, a `.network`/`.services` attribute or getattr/hasattr, with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        imports = (node.module == "soma_desktop.ui.context" if isinstance(node, ast.ImportFrom) else
                   isinstance(node, ast.Import) and any(a.name == "soma_desktop.ui.context" for a in node.names))
        if imports:
            found.append(f"{line}: imports soma_desktop.ui.context")
        elif isinstance(node, ast.Name) and node.id in ("AppContext", "ctx"):
            found.append(f"{line}: uses {node.id}")
        elif isinstance(node, ast.arg) and node.arg == "ctx":
            found.append(f"{line}: takes a ctx parameter")
        elif isinstance(node, ast.Attribute) and node.attr in ("network", "ctx", "services"):
            found.append(f"{line}: reads .{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("getattr", "hasattr") and not duck_typing_allowed):
            found.append(f"{line}: duck-types with {node.func.id}()")
    return sorted(found, key=lambda text: int(text.split(":")[0]))


def test_every_ui_module_below_the_root_is_checked():
    names = {p.relative_to(UI).as_posix() for p in MODULES}
    assert len(MODULES) >= 60
    assert {"panels/wallet.py", "panels/staking.py", "panels/models.py", "panels/publish.py",
            "panels/evaluate.py", "tray.py", "status_bar.py", "chain_watch.py", "local_names.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(UI).as_posix())
def test_no_app_context_no_network_no_duck_typing(path):
    allowed = path.relative_to(UI).as_posix() in DUCK_TYPING_ALLOWED
    assert offences(path.read_text("utf-8"), duck_typing_allowed=allowed) == []


def test_the_checker_catches_each_offence():
    planted = ("from soma_desktop.ui.context import AppContext\n"
               "def f(ctx: AppContext, window):\n"
               "    ctx.network.list_models()\n"
               "    getattr(window, 'show_panel', None)\n"
               "    return self.services\n")
    assert offences(planted) == ["1: imports soma_desktop.ui.context", "2: takes a ctx parameter", "2: uses AppContext",
                                 "3: reads .network", "3: uses ctx", "4: duck-types with getattr()",
                                 "5: reads .services"]


def test_rules_left_the_ui():
    """A Qt-free ui module is a rule in the wrong layer unless it is a known drawing/view helper."""
    qt_free = {p.relative_to(UI).as_posix() for p in UI.rglob("*.py")
               if p.stat().st_size and "PySide6" not in p.read_text("utf-8") and "pyqtgraph" not in p.read_text("utf-8")
               and p.name != "__init__.py"}
    assert qt_free <= QT_FREE_VIEW_HELPERS


def test_panel_constructors_take_typed_keyword_pieces():
    from soma_desktop.ui.models.detail import ModelDetail
    from soma_desktop.ui.models.targets import TargetsView
    from soma_desktop.ui.panels.evaluate import EvaluatePanel
    from soma_desktop.ui.panels.models import ModelsPanel
    from soma_desktop.ui.panels.publish import PublishPanel
    from soma_desktop.ui.panels.staking import StakingPanel
    from soma_desktop.ui.panels.wallet import WalletPanel
    from soma_desktop.ui.publish.session import PublishSession
    from soma_desktop.ui.publish.wizard import PublishWizard

    for cls in (WalletPanel, StakingPanel, ModelsPanel, PublishPanel, EvaluatePanel, TargetsView, ModelDetail,
                PublishSession, PublishWizard):
        params = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:] if p.name != "parent"]
        assert params and all(p.kind is p.KEYWORD_ONLY for p in params), cls.__name__
        assert all(p.annotation is not p.empty for p in params), cls.__name__
