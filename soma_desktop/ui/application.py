"""The Qt application: created once, shows the main window at once, opens the network behind it."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from soma_desktop.core.paths import resources_dir
from soma_desktop.core.settings import Settings
from soma_desktop.network.factory import NetworkChoice
from soma_desktop.services.root import Services
from soma_desktop.ui import errors
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.context import AppContext
from soma_desktop.ui.main_window import MainWindow
from soma_desktop.ui.smoke import SmokeExit, smoke_requested
from soma_desktop.ui.startup_notices import show_startup_notices
from soma_desktop.ui.theme import apply_theme, follow_system_changes

ICON_NAME = "soma-desktop.svg"   # in soma_desktop.resources/icons (package data)


def make_qapplication() -> QApplication:
    existing = QApplication.instance()
    if existing is not None:
        return existing  # type: ignore[return-value]
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("SOMA Desktop")
    app.setOrganizationName("SOMA")
    app.setDesktopFileName("org.soma.Desktop")
    app.setWindowIcon(window_icon())
    return app


def window_icon() -> QIcon:
    return QIcon(str(resources_dir() / "icons" / ICON_NAME))


def create_window(data_dir: Path, settings: Settings, choice: NetworkChoice,
                  services: Services | None = None) -> tuple[AppContext, MainWindow]:
    """Build the context and main window, then start opening the network in the background."""
    bridge = AsyncBridge(default_timeout=settings.network_timeout_s)
    ctx = AppContext(data_dir, settings, bridge, services=services)
    window = MainWindow(ctx)
    ctx.connect_to(choice)
    return ctx, window


def run_application(data_dir: Path, settings: Settings, choice: NetworkChoice,
                    services: Services | None = None) -> int:
    app = make_qapplication()
    errors.install(app)
    apply_theme(app, settings.theme)
    ctx, window = create_window(data_dir, settings, choice, services)
    follow_system_changes(app, lambda: ctx.settings.theme)
    if smoke_requested():
        SmokeExit(app, window, ctx)   # CI and bundle smoke tests only; owned by the window
    window.show()
    show_startup_notices(window)
    try:
        return app.exec()
    finally:
        ctx.shutdown()
