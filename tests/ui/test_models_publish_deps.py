"""The Models and Publish panels receive typed pieces (services, ChainStatus, bridge, wallet session), never
the AppContext: no network object, no `getattr` duck typing, no AppContext import in their modules."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "soma_desktop" / "ui"
MODULES = sorted([UI / "panels" / "models.py", UI / "panels" / "publish.py",
                  *(UI / "models").glob("*.py"), *(UI / "publish").glob("*.py")])


def offences(source: str) -> list[str]:
    """Each use of the AppContext, a `.network` attribute or getattr/hasattr in `source`, with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "soma_desktop.ui.context":
            found.append(f"{node.lineno}: imports soma_desktop.ui.context")
        elif isinstance(node, ast.Name) and node.id == "AppContext":
            found.append(f"{node.lineno}: AppContext")
        elif isinstance(node, ast.Attribute) and node.attr in ("network", "ctx"):
            found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr",
                                                                                                 "hasattr"):
            found.append(f"{node.lineno}: {node.func.id}()")
    return sorted(found, key=lambda text: int(text.split(":")[0]))


def test_the_modules_are_found():
    names = {p.relative_to(UI).as_posix() for p in MODULES}
    assert {"panels/models.py", "panels/publish.py", "models/targets.py", "models/detail.py",
            "publish/session.py", "publish/wizard.py", "publish/pages.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(UI).as_posix())
def test_no_app_context_no_network_no_getattr(path):
    assert offences(path.read_text("utf-8")) == []


def test_the_checker_catches_each_offence():
    planted = ("from soma_desktop.ui.context import AppContext\n"
               "def f(ctx: AppContext, window):\n"
               "    ctx.network.list_models()\n"
               "    getattr(window, 'show_panel', None)\n"
               "    return self.ctx\n")
    assert offences(planted) == ["1: imports soma_desktop.ui.context", "2: AppContext", "3: .network",
                                 "4: getattr()", "5: .ctx"]


def test_constructors_take_typed_keyword_pieces():
    from soma_desktop.ui.models.detail import ModelDetail
    from soma_desktop.ui.models.targets import TargetsView
    from soma_desktop.ui.panels.models import ModelsPanel
    from soma_desktop.ui.panels.publish import PublishPanel
    from soma_desktop.ui.publish.session import PublishSession
    from soma_desktop.ui.publish.wizard import PublishWizard

    for cls in (ModelsPanel, PublishPanel, TargetsView, ModelDetail, PublishSession, PublishWizard):
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        assert params and all(p.kind is p.KEYWORD_ONLY for p in params), cls.__name__
        assert all(p.annotation is not p.empty for p in params), cls.__name__
        assert "ctx" not in {p.name for p in params}, cls.__name__
