"""Models panel: the registry (all states, "mine" filter, detail, stake, evaluate, owner actions), the
targets list with claims, and an embedding map of models and open targets."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.network.messages import describe_error
from soma_desktop.network.types import ModelInfo, ModelState, Target, TargetStatus
from soma_desktop.services.chain_cache import MODELS, Change, Kind
from soma_desktop.services.models import ModelsService
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_signals import ChainSignals, touches
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.local_names import LocalNames
from soma_desktop.ui.models.detail import ModelDetail
from soma_desktop.ui.models.embedding_map import EmbeddingMap
from soma_desktop.ui.models.registry_table import (
    MODEL_ROLE,
    RegistryFilter,
    RegistryTableModel,
    model_label,
    with_local_names,
)
from soma_desktop.ui.models.targets import TargetsView
from soma_desktop.ui.navigator import Navigator
from soma_desktop.ui.panels.common import Banner, PanelHeader
from soma_desktop.ui.wallet_session import WalletSession

STATE_FILTERS = (("All states", None), ("Created", ModelState.CREATED), ("Pending", ModelState.PENDING),
                 ("Active", ModelState.ACTIVE), ("Inactive", ModelState.INACTIVE))


class ModelsPanel(QWidget):
    def __init__(self, *, models: ModelsService, chain: ChainStatus, changes: ChainSignals, bridge: AsyncBridge,
                 session: WalletSession, names: LocalNames, navigator: Navigator | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.service, self.chain, self.changes, self.bridge = models, chain, changes, bridge
        self.navigator, self.wallet, self.names = navigator, session, names
        self.models: list[ModelInfo] = []
        self.map: EmbeddingMap | None = None
        self._map_stale = True
        layout = QVBoxLayout(self)
        layout.addWidget(PanelHeader("Models", "All models on this network. Active models are routed to "
                                               "targets by stake-weighted nearest-neighbour search."))
        self.banner = Banner()
        self.banner.setObjectName("modelsBanner")
        layout.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("modelsTabs")
        self.tabs.addTab(self._build_registry(), "Registry")
        self.targets = TargetsView(models=models, chain=chain, bridge=bridge, session=session)
        self.tabs.addTab(self.targets, "Targets")
        self.map_host = QWidget()
        self.map_layout = QVBoxLayout(self.map_host)
        self.map_layout.setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self.map_host, "Embedding map")
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        layout.addWidget(self.tabs, 1)
        chain.epoch_changed.connect(self._on_chain_epoch_changed)
        chain.network_changed.connect(self._on_chain_network_changed)
        chain.watch(MODELS)
        changes.changed.connect(self._on_chain_changed)
        wallet = self.wallet
        for signal in (wallet.sig_unlocked, wallet.sig_locked):
            signal.connect(self._on_wallet_changed)
        wallet.sig_account_changed.connect(lambda _a: self._on_wallet_changed())
        if isinstance(wallet, WalletSession):      # the tests' wallet double has no privacy setting to change
            wallet.sig_amounts_hidden_changed.connect(self._on_wallet_amounts_hidden_changed)
        self.targets.sig_claimed.connect(lambda _t: self.refresh())
        self._chain_models: list[ModelInfo] | None = None
        names.sig_changed.connect(self._on_model_names_changed)
        self._on_wallet_changed()
        self.refresh()
        self.targets.reload()

    # ---- Public API --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Render the registry from the chain cache (one shared read when it holds none yet)."""
        if not self.chain.is_open:
            return
        self.bridge.call(self.service.registry(), on_result=self._on_models_loaded,
                         on_error=lambda e: self.banner.show_message(describe_error(e), "error"), owner=self,
                         label="models")

    def find_model(self, model_id: str) -> None:
        """Search the registry for `model_id` (the row shows as soon as it has loaded) and select it."""
        self.search.setText(model_id)
        self.select_model(model_id)

    def select_model(self, model_id: str) -> None:
        row = self.table_model.row_of(model_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.table_model.index(row, 0))
        if not index.isValid():          # filtered out: show everything so the selection is visible
            self.mine.setChecked(False)
            self.state_filter.setCurrentIndex(0)
            self.search.clear()
            index = self.proxy.mapFromSource(self.table_model.index(row, 0))
        self.tabs.setCurrentIndex(0)
        self.table.setCurrentIndex(index)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        """Coming back to the panel shows the cache's current registry (kept fresh by every poll)."""
        super().showEvent(event)
        if self.models:
            self.refresh()

    # ---- Private: building -------------------------------------------------------------------
    def _build_registry(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.mine = QCheckBox("Mine only")
        self.mine.setObjectName("mineFilter")
        self.mine.toggled.connect(self._apply_mine)
        self.state_filter = QComboBox()
        self.state_filter.setObjectName("stateFilter")
        for text, state in STATE_FILTERS:
            self.state_filter.addItem(text, state)
        self.search = QLineEdit()
        self.search.setObjectName("modelSearch")
        self.search.setPlaceholderText("Search id, name, owner or URL")
        self.count = QLabel()
        self.count.setObjectName("modelCount")
        row.addWidget(self.mine)
        row.addWidget(self.state_filter)
        row.addWidget(self.search, 1)
        row.addWidget(self.count)
        v.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.table_model = RegistryTableModel(self)
        self.proxy = RegistryFilter(self)
        self.proxy.setSourceModel(self.table_model)
        self.table = QTableView()
        self.table.setObjectName("modelsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)
        split.addWidget(self.table)
        self.detail = ModelDetail(models=self.service, chain=self.chain, bridge=self.bridge, session=self.wallet,
                                  names=self.names)
        self.detail.setMinimumWidth(400)
        self.detail.sig_evaluate_requested.connect(self._on_detail_evaluate_requested)
        self.detail.sig_update_requested.connect(self._on_detail_update_requested)
        self.detail.sig_changed.connect(self.refresh)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 460])
        v.addWidget(split, 1)
        self.state_filter.currentIndexChanged.connect(self._on_state_filter_changed)
        self.search.textChanged.connect(self._on_search_text_changed)
        return page

    def _on_state_filter_changed(self, _index: int) -> None:
        self.proxy.set_state(self.state_filter.currentData())
        self._update_count()

    def _on_search_text_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()

    # ---- Private: data -----------------------------------------------------------------------
    def _on_model_names_changed(self) -> None:
        if self._chain_models is not None:
            self._map_stale = True
            self._on_models_loaded(self._chain_models)

    def _on_models_loaded(self, models: list[ModelInfo]) -> None:
        self._chain_models = models
        models = with_local_names(self.names, models)     # local names show in every table and the map
        self.banner.clear_message()
        selected = self.detail.model.id if self.detail.model else None
        self.models = models
        self.table_model.hide_amounts = self.wallet.amounts_hidden()
        self.table_model.set_models(models)
        self.targets.set_model_labels({m.id: model_label(m) for m in models})
        self.table.resizeColumnsToContents()
        self._update_count()
        if selected:
            row = self.table_model.row_of(selected)
            self.detail.show_model(self.table_model.models[row] if row >= 0 else None)
            index = self.proxy.mapFromSource(self.table_model.index(row, 0)) if row >= 0 else QModelIndex()
            if index.isValid():
                self.table.selectionModel().blockSignals(True)
                self.table.setCurrentIndex(index)
                self.table.selectionModel().blockSignals(False)
        self._map_stale = True
        if self.tabs.currentWidget() is self.map_host:
            self._load_map()

    def _update_count(self) -> None:
        self.count.setText(f"{self.proxy.rowCount()} of {self.table_model.rowCount()} models")

    def _my_addresses(self) -> set[str]:
        if not self.wallet.is_unlocked():
            return set()
        return {a.address for a in self.wallet.accounts()}

    def _apply_mine(self, checked: bool) -> None:
        self.proxy.set_mine(self._my_addresses() if checked else None)
        self._update_count()

    def _on_wallet_changed(self) -> None:
        unlocked = self.wallet.is_unlocked()
        self.mine.setEnabled(unlocked)
        self.mine.setToolTip("" if unlocked else "Unlock the wallet to filter your own models.")
        if not unlocked and self.mine.isChecked():
            self.mine.setChecked(False)
        self._apply_mine(self.mine.isChecked())
        self.detail.show_model(self.detail.model)

    def _on_wallet_amounts_hidden_changed(self, _hidden: bool) -> None:
        self.refresh()
        self.targets.reload()

    def _on_table_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        model = self.proxy.data(current, MODEL_ROLE) if current.isValid() else None
        self.detail.show_model(model)

    def _on_chain_changed(self, change: Change) -> None:
        if self.changes.is_current(change) and touches(change, Kind.MODELS):
            if change.error is not None:
                self.banner.show_message(describe_error(change.error), "error")
            else:
                self._on_models_loaded(change.value)

    def _on_chain_epoch_changed(self, _epoch: object) -> None:
        self.targets.reload()      # the registry itself arrives from the cache's poll

    def _on_chain_network_changed(self, network: object) -> None:
        if network is not None:
            self.refresh()
            self.targets.reload()

    # ---- Private: cross-panel actions ----------------------------------------------------------
    def _on_detail_evaluate_requested(self, model: ModelInfo) -> None:
        if self.navigator is None:
            self.banner.show_message("Open the Evaluate panel from the main window.", "warning")
            return
        self.navigator.evaluate_model(model)

    def _on_detail_update_requested(self, model_id: str) -> None:
        if self.navigator is None:
            self.banner.show_message("Open the Publish panel from the main window.", "warning")
            return
        self.navigator.update_model(model_id)

    # ---- Private: map ------------------------------------------------------------------------
    def _on_tabs_current_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.map_host and self._map_stale:
            self._load_map()

    def _load_map(self) -> None:
        if not self.chain.is_open:
            return
        if self.map is None:
            self.map = EmbeddingMap(self.wallet.amounts_hidden)
            self.map.sig_model_clicked.connect(self.select_model)
            self.map_layout.addWidget(self.map)
        self._map_stale = False
        models = list(self.models)
        self.bridge.call(self.service.all_targets(TargetStatus.OPEN),
                         on_result=lambda targets: self._show_map(models, targets),
                         on_error=lambda e: self.banner.show_message(describe_error(e), "error"), owner=self,
                         label="open targets", timeout=60.0)

    def _show_map(self, models: list[ModelInfo], targets: list[Target]) -> None:
        if self.map is not None:
            self.map.show_data(models, targets, self._my_addresses())
