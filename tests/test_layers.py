"""The core stays Qt-free and torch-free where the design says so."""

from pathlib import Path

import pytest

from tests.layering import QT_MODULES, violations

PKG = Path(__file__).resolve().parents[1] / "soma_desktop"


def test_nothing_outside_ui_imports_qt():
    assert violations(PKG, QT_MODULES, allowed_subdirs=("ui",)) == []


# services/evaluate/ reads what a run produced and which models exist through the engine's torch-free modules
# (engine/__init__.py lists them); scoring itself only ever runs in the worker process (evalworker).
TORCH_FREE_ENGINE = {f"soma_desktop.engine.{m}" for m in ("contract", "results", "errors", "demo", "header", "budget",
                                                          "architecture")}


@pytest.mark.parametrize("subpackage", ["core", "network", "wallet", "publish", "services"])
def test_lower_layers_never_import_ui_or_torch(subpackage):
    found = violations(PKG / subpackage, ("torch", "soma_desktop.ui"), allowed_subdirs=())
    allowed = TORCH_FREE_ENGINE if subpackage == "services" else set()
    found += [v for v in violations(PKG / subpackage, ("soma_desktop",), allowed_subdirs=())
              if "soma_desktop.ui" in v or ("soma_desktop.engine" in v.split()[-1][:22]
                                            and v.split()[-1] not in allowed)]
    assert found == []


def test_core_imports_no_higher_layer():
    higher = [v for v in violations(PKG / "core", ("soma_desktop",), allowed_subdirs=())
              if not v.split()[-1].startswith("soma_desktop.core")]
    assert higher == []


def test_checker_catches_a_violation(tmp_path):
    """The boundary test must be able to fail: plant each kind of Qt import outside ui/."""
    pkg = tmp_path / "pkg"
    (pkg / "ui").mkdir(parents=True)
    (pkg / "core").mkdir()
    (pkg / "ui" / "ok.py").write_text("from PySide6.QtWidgets import QWidget\n")
    (pkg / "core" / "bad1.py").write_text("import pyqtgraph as pg\n")
    (pkg / "core" / "bad2.py").write_text("def f():\n    from PySide6 import QtCore\n")
    (pkg / "core" / "bad3.py").write_text("import importlib\nimportlib.import_module('PySide6.QtGui')\n")
    (pkg / "core" / "fine.py").write_text("import json\nfrom pathlib import Path\n")
    found = violations(pkg, QT_MODULES, allowed_subdirs=("ui",))
    assert found == ["core/bad1.py:1 pyqtgraph", "core/bad2.py:2 PySide6", "core/bad3.py:2 PySide6.QtGui"]


def test_no_pickle_or_torch_load_in_package():
    offenders = []
    for path in PKG.rglob("*.py"):
        text = path.read_text("utf-8")
        for needle in ("torch.load(", "import pickle", "from pickle", "allow_pickle=True", "keyrings.alt"):
            if needle in text:
                offenders.append(f"{path.relative_to(PKG)}: {needle}")
    assert offenders == []
