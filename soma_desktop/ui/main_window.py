"""Main window: navigation to the five panels, menus, and the chain status bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.network.errors import InvalidInput
from soma_desktop.network.factory import parse_choice
from soma_desktop.network.messages import describe_error
from soma_desktop.network.types import ModelInfo
from soma_desktop.services.chain_identity import ChainIdentity
from soma_desktop.ui import about, geometry
from soma_desktop.ui.accessibility import name_unlabelled
from soma_desktop.ui.chain_watch import ChainIdentityWatch
from soma_desktop.ui.context import AppContext, Connection
from soma_desktop.ui.navigator import AcceptsRegistryModel
from soma_desktop.ui.panels.common import Banner
from soma_desktop.ui.sandbox_recovery import offer_sandbox_reset
from soma_desktop.ui.status_bar import ChainStatusBar
from soma_desktop.ui.tray import GuardianTray, LoginItem, PublishWork

if TYPE_CHECKING:
    from soma_desktop.ui.panels.evaluate import EvaluatePanel


def _wallet_panel(ctx: AppContext, window: MainWindow) -> QWidget:
    from soma_desktop.ui.local_names import address_book
    from soma_desktop.ui.panels.wallet import WalletPanel
    return WalletPanel(session=ctx.wallet, wallet=ctx.services.wallet, chain=ctx, changes=ctx.chain,
                       bridge=ctx.bridge, settings=ctx.settings, book=address_book(ctx), parent=window)


def _staking_panel(ctx: AppContext, window: MainWindow) -> QWidget:
    from soma_desktop.ui.panels.staking import StakingPanel
    return StakingPanel(session=ctx.wallet, staking=ctx.services.staking, wallet=ctx.services.wallet, chain=ctx,
                        changes=ctx.chain, bridge=ctx.bridge, parent=window)


def _models_panel(ctx: AppContext, window: MainWindow) -> QWidget:
    from soma_desktop.ui.local_names import model_names
    from soma_desktop.ui.panels.models import ModelsPanel
    return ModelsPanel(models=ctx.services.models, chain=ctx, changes=ctx.chain, bridge=ctx.bridge,
                       session=ctx.wallet, names=model_names(ctx), navigator=window, parent=window)


def _publish_panel(ctx: AppContext, window: MainWindow) -> QWidget:
    from soma_desktop.services.publish import PublishOpener
    from soma_desktop.ui.local_names import model_names
    from soma_desktop.ui.panels.publish import PublishPanel
    return PublishPanel(opener=PublishOpener(ctx.cache, ctx.data_dir), chain=ctx, wallet=ctx.wallet,
                        wallet_service=ctx.services.wallet, bridge=ctx.bridge, names=model_names(ctx),
                        navigator=window, parent=window)


def _evaluate_panel(ctx: AppContext, window: MainWindow) -> QWidget:
    return evaluate_panel(ctx, window)


def evaluate_panel(ctx: AppContext, parent: QWidget | None = None) -> EvaluatePanel:
    """The Evaluate panel wired from the context (also what the GUI benchmarks build)."""
    from soma_desktop.ui.local_names import model_names
    from soma_desktop.ui.panels.evaluate import EvaluatePanel
    return EvaluatePanel(evaluate=ctx.services.evaluate, models=ctx.services.models, chain=ctx, bridge=ctx.bridge,
                         settings=ctx.settings, save_settings=ctx.save_settings, wallet=ctx.wallet,
                         names=model_names(ctx), parent=parent)


NAV_SHORTCUT_PREFIX = "Ctrl+"


@dataclass(frozen=True)
class PanelSpec:
    key: str
    title: str
    factory: Callable[[AppContext, MainWindow], QWidget]   # imports its panel on first show: start-up stays fast
    tip: str


PANELS = (
    PanelSpec("wallet", "Wallet", _wallet_panel, "Accounts, balances, send, faucet"),
    PanelSpec("staking", "Staking", _staking_panel, "Stake to validators and models"),
    PanelSpec("models", "Models", _models_panel, "The model registry and targets"),
    PanelSpec("publish", "Publish", _publish_panel, "Create → commit → reveal"),
    PanelSpec("evaluate", "Evaluate", _evaluate_panel, "Per-byte loss and embeddings"),
)


class MainWindow(QMainWindow):
    panel_created = Signal(str, QWidget)

    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("SOMA Desktop")
        self.setObjectName("mainWindow")
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(160)
        self.nav.setAccessibleName("Panels")
        self.stack = QStackedWidget()
        self.panels: dict[str, QWidget] = {}
        for spec in PANELS:
            item = QListWidgetItem(spec.title)
            item.setToolTip(f"{spec.tip} ({NAV_SHORTCUT_PREFIX}{self.stack.count() + 1})")
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
            self.stack.addWidget(QWidget())   # swapped for the real panel on first show
        self.nav.setStyleSheet("QListWidget#navigation { border: none; font-size: 11pt; }"
                               "QListWidget#navigation::item { padding: 8px 10px; }")
        self.nav.setIconSize(QSize(20, 20))
        self._apply_nav_icons()
        self.offline_banner = Banner()
        self.offline_banner.setObjectName("offlineBanner")
        content = QVBoxLayout()
        content.setContentsMargins(0, 0, 0, 0)
        content.addWidget(self.offline_banner)
        self.error_banner = Banner()   # errors no panel claims (ui/errors.py)
        self.error_banner.setObjectName("errorBanner")
        content.addWidget(self.error_banner)
        # Panels scroll instead of growing the window: it fits 1366×768 and banners never resize it.
        self.panel_scroll = QScrollArea()
        self.panel_scroll.setObjectName("panelScroll")
        self.panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.panel_scroll.setWidgetResizable(True)
        self.stack_host = _StackHost(self.stack)
        self.panel_scroll.setWidget(self.stack_host)
        content.addWidget(self.panel_scroll, 1)
        self.stack.currentChanged.connect(self._fit_stack_to_current)
        self.panel_created.connect(lambda _key, _panel: self._fit_stack_to_current())
        self.panel_created.connect(lambda _key, panel: name_unlabelled(panel))
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addLayout(content, 1)
        self.setCentralWidget(central)
        ctx.connection_changed.connect(self._on_ctx_connection_changed)
        ctx.sandbox_damaged.connect(self._on_sandbox_damaged)
        self.status = ChainStatusBar(ctx, ctx.cache.facts() if ctx.is_open else None)
        self.setStatusBar(self.status)
        self.status.advance_requested.connect(self.advance_epoch)
        self.nav.currentRowChanged.connect(self.show_panel_at)
        self.nav.currentRowChanged.connect(self.error_banner.clear_message)   # seen, moved on
        self._build_menus()
        geometry.restore(self)
        self.nav.setCurrentRow(0)
        self.confirm_quit = self._ask_quit_despite
        self.confirm_reset = self._ask_reset
        self.tray = GuardianTray(self, chain=ctx, publish=self._publish_work, quit_app=self.quit_app,
                                 login=LoginItem(ctx.bridge, ctx.data_dir, ctx.settings, ctx.save_settings),
                                 chain_watch=ChainIdentityWatch(chain=ctx, identity=ChainIdentity(ctx.cache),
                                                                 settings=ctx.settings, save_settings=ctx.save_settings,
                                                                 bridge=ctx.bridge, window=self))
        self._quitting = False
        # After the first paint: the publish journal is reconciled and due reveals raise a banner.
        QTimer.singleShot(0, lambda: self.ensure_panel("publish"))

    def _on_ctx_connection_changed(self, status: str, detail: str) -> None:
        """One plain message above every panel while the live network cannot be reached."""
        if status != Connection.OFFLINE:
            self.offline_banner.clear_message()
            return
        name = self.ctx.choice.label if self.ctx.choice else "The network"
        self.offline_banner.show_message(
            f"<b>{name} is unreachable.</b> {detail} Balances and chain data shown may be out of date"
            + ("." if self.ctx.halted else "; the app keeps retrying.")
            + " Local evaluation still works, and the sandbox is always available under <i>Network</i>.", "error")

    def _on_sandbox_damaged(self, exc: BaseException) -> None:
        self.sandbox_menu.setEnabled(True)          # Sandbox → Reset sandbox… offers the reset again later
        self.advance_action.setEnabled(False)
        self.sandbox_damaged_box = offer_sandbox_reset(self, exc, self._reset_damaged_sandbox)

    def _reset_damaged_sandbox(self) -> None:
        """Move the damaged chain file aside (kept) and start a fresh sandbox; only while the sandbox is chosen."""
        if self.ctx.choice is not None and self.ctx.choice.is_sandbox:
            self.ctx.connect_to(self.ctx.choice, set_aside=True)

    # --- panels -----------------------------------------------------------------------------
    def show_panel(self, key: str) -> QWidget:
        index = next(i for i, spec in enumerate(PANELS) if spec.key == key)
        self.nav.setCurrentRow(index)
        return self.panels[key]

    def show_panel_at(self, index: int) -> None:
        if index < 0:
            return
        self.ensure_panel(PANELS[index].key)
        self.stack.setCurrentIndex(index)

    def _apply_nav_icons(self) -> None:
        """Bundled line icons in the variant that reads on the current background."""
        from soma_desktop.core.paths import resources_dir

        dark = self.palette().window().color().lightness() < 128
        for i, spec in enumerate(PANELS):
            path = resources_dir() / "icons" / f"nav-{spec.key}-{'dark' if dark else 'light'}.svg"
            self.nav.item(i).setIcon(QIcon(str(path)))

    def _fit_stack_to_current(self, *_args) -> None:
        """Only the shown panel's minimum size counts (a stack otherwise asks for the largest of all)."""
        current = self.stack.currentWidget()
        for i in range(self.stack.count()):
            page = self.stack.widget(i)
            policy = QSizePolicy.Policy.Preferred if page is current else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.stack.updateGeometry()
        self.stack_host.updateGeometry()

    def _publish_work(self) -> PublishWork | None:
        """The Publish panel for the tray, once it exists (not imported before)."""
        panel = self.panels.get("publish")
        if panel is None:
            return None
        from soma_desktop.ui.panels.publish import PublishPanel
        return panel if isinstance(panel, PublishPanel) else None

    def _created_evaluate_panel(self) -> EvaluatePanel | None:
        """The Evaluate panel if it was created (never imported just to ask)."""
        panel = self.panels.get("evaluate")
        if panel is None:
            return None
        from soma_desktop.ui.panels.evaluate import EvaluatePanel
        return panel if isinstance(panel, EvaluatePanel) else None

    def ensure_panel(self, key: str) -> QWidget:
        """Create a panel without switching to it (the Publish panel must watch reveals from start-up)."""
        index = next(i for i, spec in enumerate(PANELS) if spec.key == key)
        spec = PANELS[index]
        if spec.key not in self.panels:
            panel = spec.factory(self.ctx, self)
            panel.setObjectName(f"{spec.key}Panel")
            stand_in = self.stack.widget(index)
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
            self.stack.insertWidget(index, panel)
            self.panels[spec.key] = panel
            self.panel_created.emit(spec.key, panel)
        return self.panels[spec.key]

    # --- Navigator ----------------------------------------------------------------------------
    def evaluate_model(self, model: ModelInfo) -> None:
        panel = self.show_panel("evaluate")
        if isinstance(panel, AcceptsRegistryModel):
            panel.add_registry_model(model)

    def update_model(self, model_id: str) -> None:
        from soma_desktop.ui.panels.publish import PublishPanel

        panel = self.show_panel("publish")
        if isinstance(panel, PublishPanel):
            panel.start_update(model_id)

    def show_model(self, model_id: str) -> None:
        from soma_desktop.ui.panels.models import ModelsPanel

        panel = self.show_panel("models")
        if isinstance(panel, ModelsPanel):
            panel.find_model(model_id)

    # --- menus ------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.preferences_action = QAction("&Preferences…", self, triggered=self.edit_preferences)
        self.preferences_action.setShortcuts([QKeySequence("Ctrl+,"),
                                              *QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)])
        file_menu.addAction(self.preferences_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.quit_app)
        file_menu.addAction(quit_action)

        net_menu = bar.addMenu("&Network")
        self.network_group = QActionGroup(self)
        for key, label in (("sandbox", "Sandbox (local practice network)"), ("testnet", "Testnet"),
                           ("localnet", "Localnet (127.0.0.1)")):
            action = QAction(label, self, checkable=True)
            action.setData(key)
            action.triggered.connect(lambda _=False, k=key: self.switch_network(k))
            self.network_group.addAction(action)
            net_menu.addAction(action)
        self.net_menu = net_menu
        self._env_separator = net_menu.addSeparator()
        net_menu.addSeparator()
        net_menu.addAction(QAction("Custom RPC URL…", self, triggered=self._ask_custom_network))
        net_menu.addAction(QAction("Check connection", self, triggered=self.check_connection))
        self.ctx.network_changed.connect(self._sync_network_actions)
        self._load_cli_environments()

        self.sandbox_menu = bar.addMenu("&Sandbox")
        self.advance_action = QAction("&Advance epoch", self, shortcut="Ctrl+E", triggered=self.advance_epoch)
        self.reset_action = QAction("&Reset sandbox…", self, triggered=self.reset_sandbox)
        self.sandbox_menu.addAction(self.advance_action)
        self.sandbox_menu.addAction(self.reset_action)
        self.sandbox_menu.addSeparator()
        self.sandbox_menu.addAction(QAction("How the sandbox differs from SOMA…", self,
                                            triggered=self.show_sandbox_deviations))

        view_menu = bar.addMenu("&View")
        self.panel_actions = []
        for i, spec in enumerate(PANELS, start=1):
            action = QAction(spec.title, self, shortcut=f"Ctrl+{i}")
            action.setToolTip(spec.tip)
            action.triggered.connect(lambda _=False, k=spec.key: self.show_panel(k))
            view_menu.addAction(action)
            self.panel_actions.append(action)
        view_menu.addSeparator()
        theme_group = QActionGroup(self)
        for key, label in (("system", "Follow system theme"), ("light", "Light"), ("dark", "Dark")):
            action = QAction(label, self, checkable=True, checked=self.ctx.settings.theme == key)
            action.triggered.connect(lambda _=False, k=key: self.set_theme(k))
            theme_group.addAction(action)
            view_menu.addAction(action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(QAction("&Keyboard shortcuts", self, shortcut="F1", triggered=self.show_shortcuts))
        help_menu.addAction(QAction("&About SOMA Desktop", self, triggered=lambda: about.show_about(self)))
        self._sync_network_actions(self.ctx.network)

    def show_shortcuts(self) -> QWidget:
        from soma_desktop.ui.shortcuts_dialog import ShortcutsDialog

        dialog = ShortcutsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _load_cli_environments(self) -> None:
        """Add the SOMA CLI's client.yaml environments to the Network menu (read off the GUI thread)."""
        import asyncio

        from soma_desktop.network.sdk.environments import load_environments

        self.ctx.bridge.call(asyncio.to_thread(load_environments), on_result=self._add_environments, owner=self,
                             label="reading client.yaml")

    def _add_environments(self, environments) -> None:
        for env in environments:
            if env.source != "client.yaml":
                continue
            action = QAction(f"{env.name} (SOMA CLI: {env.rpc_url})", self, checkable=True)
            action.setData(env.key)
            action.setToolTip(env.note or env.rpc_url)
            action.triggered.connect(lambda _=False, k=env.key: self.switch_network(k))
            self.network_group.addAction(action)
            self.net_menu.insertAction(self._env_separator, action)
        self._sync_network_actions(self.ctx.network)

    def check_connection(self) -> None:
        """Ask the live network for a cheap read and say plainly what happened."""
        network = self.ctx.network
        if network is None:
            detail = self.ctx.connection_detail or "No network is open."
            QMessageBox.information(self, "Connection", detail)
            self.ctx.refresh()
            return
        name = network.name

        def _done(ok: bool) -> None:
            reason = network.last_error or "no answer"
            text = f"{name} answered." if ok else f"{name} is not reachable: {reason}"
            self.statusBar().showMessage(text, 6000)
            self.ctx.refresh()

        self.ctx.bridge.call(network.health(), on_result=_done, owner=self, label="health check",
                             on_error=lambda exc: self.statusBar().showMessage(describe_error(exc), 6000))

    def _sync_network_actions(self, network) -> None:
        key = self.ctx.choice.key if self.ctx.choice else ""
        for action in self.network_group.actions():
            action.setChecked(action.data() == key)
        sandbox_live = bool(network is not None and network.is_sandbox)
        self.sandbox_menu.setEnabled(sandbox_live)
        self.advance_action.setEnabled(bool(network is not None and network.can_advance_epoch))

    def switch_network(self, key: str) -> None:
        try:
            choice = parse_choice(key)
        except InvalidInput as exc:
            QMessageBox.warning(self, "Network", str(exc))
            return
        self.ctx.connect_to(choice)

    def _ask_custom_network(self) -> None:
        url, ok = QInputDialog.getText(self, "Custom network", "Fullnode RPC URL (http:// or https://):",
                                       text=self.ctx.settings.custom_rpc_url)
        if ok and url.strip():
            self.ctx.settings.custom_rpc_url = url.strip()
            self.switch_network(url.strip())

    def edit_preferences(self) -> None:
        from soma_desktop.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.ctx.settings, self)
        dialog.accepted.connect(lambda: self._apply_preferences(dialog))
        dialog.open()

    def _apply_preferences(self, dialog) -> None:
        was = bool(self.ctx.settings.extra.get("guard_at_login", False))
        dialog.apply_to(self.ctx.settings)
        if bool(self.ctx.settings.extra.get("guard_at_login")) != was:
            self.tray.set_start_at_login(bool(self.ctx.settings.extra["guard_at_login"]))
        self.ctx.bridge.default_timeout = self.ctx.settings.network_timeout_s
        self.set_theme(self.ctx.settings.theme)

    def set_theme(self, key: str) -> None:
        from PySide6.QtWidgets import QApplication

        from soma_desktop.ui.theme import apply_theme

        self.ctx.settings.theme = key
        self.ctx.save_settings()
        apply_theme(QApplication.instance(), key)
        self._apply_nav_icons()

    # --- sandbox actions --------------------------------------------------------------------
    def advance_epoch(self) -> None:
        network = self.ctx.network
        if network is None or not network.can_advance_epoch:
            return
        self.status.advance_button.setEnabled(False)
        self.ctx.bridge.call(network.advance_epoch(), on_result=self._advanced, on_error=self._advance_failed,
                             owner=self, label="epoch advance")

    def _advanced(self, state) -> None:
        self.status.advance_button.setEnabled(True)
        self.ctx.refresh()
        self.statusBar().showMessage(f"Epoch {state.epoch} started", 4000)

    def _advance_failed(self, exc: BaseException) -> None:
        self.status.advance_button.setEnabled(True)
        QMessageBox.warning(self, "Advance epoch", describe_error(exc))

    def show_sandbox_deviations(self) -> QMessageBox:
        from soma_desktop.network.sandbox.deviations import DEVIATIONS

        box = QMessageBox(QMessageBox.Icon.Information, "The sandbox network",
                          "The sandbox follows SOMA protocol v5's rules exactly for models, staking, targets, fees "
                          "and deadlines. It differs from a real network in these labelled ways:", parent=self)
        box.setInformativeText("<ul>" + "".join(f"<li>{line}</li>" for line in DEVIATIONS) + "</ul>")
        box.setObjectName("sandboxDeviations")
        box.open()
        return box

    def reset_sandbox(self) -> None:
        if self.ctx.halted and self.ctx.damage is not None:
            self._on_sandbox_damaged(self.ctx.damage)
            return
        network = self.ctx.network
        if network is None or not network.is_sandbox:
            return
        if self.confirm_reset():
            self.ctx.connect_to(self.ctx.choice, reset_sandbox=True)

    def _ask_reset(self) -> bool:
        answer = QMessageBox.warning(
            self, "Reset sandbox",
            "Erase the sandbox chain and start again from genesis?\n\nAll sandbox balances, stakes, models and "
            "targets are lost. Your wallet keys and real-network data are not touched.",
            QMessageBox.StandardButton.Reset | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Reset

    def quit_app(self) -> None:
        """File → Quit and the tray's Quit: really quit (after the quit warning), never hide to the tray."""
        self._quitting = True
        try:
            closed = self.close()
        finally:
            self._quitting = False
        if closed and self.tray.available:   # a window hidden in the tray does not end the app by closing
            from PySide6.QtWidgets import QApplication

            QApplication.quit()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt naming)
        if not self._quitting and self.tray.keep_in_tray():   # a reveal is pending: stay in the tray
            event.ignore()
            return
        warning = self._quit_warning()
        if warning and not self.confirm_quit(warning):
            event.ignore()
            return
        self.tray.icon.hide()
        geometry.save(self)
        for panel in self.panels.values():
            panel.close()
        super().closeEvent(event)

    def _quit_warning(self) -> str:
        """What would be lost by quitting now: a due reveal (money) or a running evaluation (time)."""
        publish, evaluate = self._publish_work(), self._created_evaluate_panel()
        parts = [publish.pending_reveal_text() if publish is not None else ""]
        if evaluate is not None and evaluate.controller.is_busy():
            parts.append("An evaluation is running; its unfinished results will be lost.")
        return " ".join(p for p in parts if p)

    def _ask_quit_despite(self, warning: str) -> bool:
        answer = QMessageBox.warning(self, "Quit SOMA Desktop?", f"{warning}\n\nQuit anyway?",
                                     QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                     QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes


class _StackHost(QWidget):
    """Holds the panel stack without a layout, so the scroll area sizes it by its minimum, not its preferred
    height-for-width (panels fill the window and scroll only below their minimum)."""

    def __init__(self, stack: QStackedWidget):
        super().__init__()
        self.stack = stack
        stack.setParent(self)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return self.stack.minimumSizeHint()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return self.stack.minimumSizeHint()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self.stack.setGeometry(self.rect())
        super().resizeEvent(event)


def empty_state(text: str) -> QWidget:
    """A centred explanatory label for panels with nothing to show yet."""
    widget = QWidget()
    layout = QVBoxLayout(widget)
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    layout.addWidget(label)
    return widget
