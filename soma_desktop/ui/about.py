"""About dialog with the versions a bug report needs (read from metadata: no torch import)."""

from __future__ import annotations

import platform
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from soma_desktop import __version__

PACKAGES = ("soma-sdk", "soma-arrgen", "torch", "safetensors", "cryptography", "pyqtgraph", "httpx")


def versions() -> dict[str, str]:
    found = {"SOMA Desktop": __version__, "Python": platform.python_version(), "Qt": qVersion(),
             "PySide6": pyside_version}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def about_text() -> str:
    rows = "".join(f"<tr><td>{k}</td><td>&nbsp;{v}</td></tr>" for k, v in versions().items())
    return ("<h3>SOMA Desktop</h3><p>Wallet, staking, publishing and evaluation for SOMA model owners.</p>"
            f"<table>{rows}</table>")


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About SOMA Desktop", about_text())
