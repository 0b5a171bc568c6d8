"""Which models to run: bundled demo models, local safetensors files and registry models.

What can be run is decided by EvaluateService (services/evaluate/catalog.py, never importing torch); the
registry comes from ModelsService. Registry weights are downloaded when a run starts.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.settings import Settings
from soma_desktop.network.messages import describe_error
from soma_desktop.network.types import ModelInfo
from soma_desktop.services.evaluate.jobs import ModelChoice
from soma_desktop.services.evaluate.results import ModelRef
from soma_desktop.services.evaluate.service import EvaluateService, allows_loopback
from soma_desktop.services.models import ModelsService
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.format import amount_text
from soma_desktop.ui.local_names import LocalNames, with_model_names

ROLE = Qt.ItemDataRole.UserRole
Choice = ModelChoice     # what the panel's run reads from a ticked row


class ModelPicker(QWidget):
    # ---- Signals -----------------------------------------------------------------------------------
    sig_selection_changed = Signal()
    """The checked models changed."""
    sig_registry_loaded = Signal(object)
    """list[ModelInfo] from the network (used by the embedding map)."""
    sig_message_posted = Signal(str, str)
    """(text, kind) for the panel banner."""

    def __init__(self, *, evaluate: EvaluateService, models: ModelsService, chain: ChainStatus, bridge: AsyncBridge,
                 settings: Settings, names: LocalNames, parent: QWidget | None = None):
        super().__init__(parent)
        self.evaluate, self.models_service, self.chain = evaluate, models, chain
        self.bridge, self.settings, self.names = bridge, settings, names
        self.ask_weights = self._ask_weights         # replaced in tests (no modal dialog)
        self.registry_models: list[ModelInfo] = []
        self.listing_in_flight = 0
        self._groups: dict[str, list[tuple[Choice | None, str, str]]] = {"demo": [], "local": [], "registry": []}
        self._notes = {"demo": "loading…", "local": "", "registry": "not connected"}
        self.list = QListWidget()
        self.list.setAccessibleName("Models to evaluate")
        self.list.itemChanged.connect(lambda _i: self.sig_selection_changed.emit())
        # the whole row toggles (click, Enter or Space), not only the tiny box; rows get room to aim at
        self.list.itemClicked.connect(self._on_list_item_clicked)
        self.list.itemActivated.connect(self._on_list_item_clicked)
        self._row_height = self.list.fontMetrics().height() + 10
        self.add_button = QPushButton("Add safetensors…")
        self.add_button.setToolTip("Any canonical SOMA V1 weights file (F32 safetensors)")
        self.add_button.clicked.connect(lambda: self.add_local(self.ask_weights()))
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self._render()
        bridge.call(evaluate.demo_models(), on_result=self._on_demo_listed, owner=self,
                    on_error=lambda exc: self._note("demo", describe_error(exc)), label="listing demo models")
        chain.network_changed.connect(self._on_chain_network_changed)
        chain.epoch_changed.connect(self._on_chain_epoch_changed)
        names.sig_changed.connect(self.refresh_registry)
        self.refresh_registry()

    # ---- Public API --------------------------------------------------------------------------------
    def checked(self) -> list[Choice]:
        out = []
        for index in range(self.list.count()):
            item = self.list.item(index)
            choice = item.data(ROLE)
            if isinstance(choice, Choice) and item.checkState() == Qt.CheckState.Checked:
                out.append(choice)
        return out

    def add_local(self, paths: list[Path] | Path | None, *, checked: bool = True) -> None:
        """Check the files' headers off the GUI thread, then list them in the given order (checked)."""
        if not paths:
            return
        chosen = [Path(p) for p in ([paths] if isinstance(paths, Path) else paths)]
        self.bridge.call(self.evaluate.describe_weights(chosen), owner=self, label="reading headers",
                         on_result=lambda found: self._on_local_checked(found, checked),
                         on_error=lambda exc: self.sig_message_posted.emit(str(exc), "error"))

    def set_checked(self, labels: list[str]) -> None:
        for index in range(self.list.count()):
            item = self.list.item(index)
            if isinstance(item.data(ROLE), Choice):
                item.setCheckState(Qt.CheckState.Checked if item.data(ROLE).ref.label in labels
                                   else Qt.CheckState.Unchecked)

    def refresh_registry(self) -> None:
        if not self.chain.is_open:
            self._note("registry", "not connected")
            return
        self.listing_in_flight += 1
        self.bridge.call(self.models_service.registry(), on_result=self._on_registry_listed, owner=self,
                         on_error=self._on_registry_failed, label="listing models")

    def _on_registry_failed(self, exc: BaseException) -> None:
        self.listing_in_flight -= 1
        self._note("registry", describe_error(exc))

    # ---- Private -----------------------------------------------------------------------------------
    def _ask_weights(self) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self, "Add model weights", "", "Safetensors (*.safetensors);;All (*)")
        return [Path(n) for n in names]

    def _on_chain_network_changed(self, _network: object) -> None:
        self.refresh_registry()

    def _on_chain_epoch_changed(self, _epoch: object) -> None:
        self.refresh_registry()

    def _on_demo_listed(self, answer: tuple[list[Choice], str]) -> None:
        choices, note = answer
        self._groups["demo"] = [(c, c.ref.label, str(c.ref.weights)) for c in choices]
        self._note("demo", note or ("" if choices else "none installed"))

    def _on_local_checked(self, found: list[tuple[Path, str, str]], checked: bool) -> None:
        known = {c.ref.weights for c, _l, _t in self._groups["local"] if c is not None}
        problems = []
        for path, text, problem in found:
            if problem:
                problems.append(f"{path.name} is not a usable V1 model: {problem}")
            elif str(path) not in known:
                choice = Choice(ModelRef(path.name, str(path), "local"))
                self._groups["local"].append((choice, f"{path.name} — {text}", str(path)))
                known.add(str(path))
        self._render(newly_checked={str(p) for p, _t, problem in found if not problem} if checked else set())
        if problems:
            self.sig_message_posted.emit("; ".join(problems), "error")

    def _on_registry_listed(self, models: list[ModelInfo]) -> None:
        self.listing_in_flight -= 1
        models = with_model_names(self.names, models)      # local names label the table, map and exports
        self.registry_models = list(models)
        choice = self.chain.choice
        loopback = allows_loopback(self.chain.is_sandbox, choice.key if choice is not None else None)
        entries: list[tuple[Choice | None, str, str]] = []
        for info in models:
            picked, reason = self.evaluate.registry_choice(info, loopback)
            stake = "stake " + amount_text(info.stake, hidden=self.settings.hide_amounts)
            label = picked.ref.label if picked else f"{info.title or info.id[:12]} (registry)"
            tip = f"{info.id}\n{stake}\n{reason or info.manifest.url if info.manifest else reason}".strip()
            entries.append((picked, label if picked else f"{label} — {reason}", tip))
        self._groups["registry"] = entries
        self._note("registry", "" if entries else "no models on this network")
        self.sig_registry_loaded.emit(self.registry_models)

    def _on_list_item_clicked(self, item: QListWidgetItem) -> None:
        if isinstance(item.data(ROLE), Choice):
            on = item.checkState() != Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _note(self, group: str, text: str) -> None:
        self._notes[group] = text
        self._render()

    def _render(self, newly_checked: set[str] | None = None) -> None:
        was = {self.list.item(i).data(ROLE).ref.label for i in range(self.list.count())
               if isinstance(self.list.item(i).data(ROLE), Choice)
               and self.list.item(i).checkState() == Qt.CheckState.Checked}
        self.list.blockSignals(True)
        self.list.clear()
        titles = {"demo": "Demo models", "local": "Local files", "registry": "Registry models (this network)"}
        for group, title in titles.items():
            header = QListWidgetItem(title)
            font = QFont(header.font())
            font.setBold(True)
            header.setFont(font)
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(header)
            if self._notes[group]:
                note = QListWidgetItem("   " + self._notes[group])
                note.setToolTip(self._notes[group])
                note.setFlags(Qt.ItemFlag.NoItemFlags)
                self.list.addItem(note)
            for choice, label, tip in self._groups[group]:
                item = QListWidgetItem("   " + label)
                item.setToolTip(tip)
                item.setSizeHint(QSize(0, self._row_height))
                if choice is None:
                    item.setFlags(Qt.ItemFlag.NoItemFlags)
                else:
                    item.setData(ROLE, choice)
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    on = choice.ref.label in was or choice.ref.weights in (newly_checked or set())
                    item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                self.list.addItem(item)
        self.list.blockSignals(False)
        self.sig_selection_changed.emit()
