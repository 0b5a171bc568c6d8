"""Which models to run: bundled demo models, local safetensors files and registry models.

Listing never imports torch: demo models come from the JSON index, local files are checked by reading
their safetensors header, registry models from the network. Registry weights are downloaded (verified,
decrypted and cached) by the engine worker when a run starts.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
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

from soma_desktop.network.messages import describe_error
from soma_desktop.network.types import ModelInfo, ModelState
from soma_desktop.ui.evaluate.results import ModelRef
from soma_desktop.ui.format import amount_text
from soma_desktop.ui.local_names import apply_model_names, model_names
from soma_desktop.ui.workers import RegistryWeights

ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class Choice:
    ref: ModelRef
    registry: RegistryWeights | None = None


def _demo_choices() -> tuple[list[Choice], str]:
    from soma_desktop.engine.demo import list_demo_models
    from soma_desktop.engine.errors import EngineError

    try:
        demos = list_demo_models()
    except EngineError as exc:
        return [], f"not installed ({exc})"
    out = [Choice(ModelRef(d.title, str(d.weights_path), "demo", embedding=d.embedding))
           for d in demos if d.weights_path.is_file()]
    missing = len(demos) - len(out)
    return out, (f"{missing} demo model file(s) missing" if missing else "")


def _describe_local(path: Path) -> str:
    """'D 128 · 4 layers · 8 heads' from the header alone (raises EngineError for non-V1 files)."""
    from soma_desktop.engine.architecture import infer_architecture
    from soma_desktop.engine.header import read_header

    arch = infer_architecture(read_header(path))
    return f"D {arch.embedding_dim} · {arch.num_layers} layers · {arch.num_heads} heads"


def _describe_all(paths: list[Path]) -> list[tuple[Path, str, str]]:
    """(path, description, problem) per file, in order; problem is "" for a usable V1 file."""
    from soma_desktop.engine.errors import EngineError

    out = []
    for path in paths:
        try:
            out.append((path, _describe_local(path), ""))
        except EngineError as exc:
            out.append((path, "", str(exc)))
        except OSError as exc:
            out.append((path, "", f"cannot be read ({exc.strerror or type(exc).__name__})"))
    return out


def registry_choice(info: ModelInfo, data_dir: Path, allow_loopback: bool) -> tuple[Choice | None, str]:
    """A registry model we can evaluate, or None with the reason."""
    title = info.title or f"model {info.id[:10]}…"
    if info.state != ModelState.ACTIVE or info.manifest is None or info.decryption_key is None:
        return None, "not revealed yet: its weights cannot be decrypted"
    label = f"{title} (registry)"
    url = info.manifest.url
    if url.startswith("resource://models/"):
        from soma_desktop.engine.demo import demo_models_dir

        path = demo_models_dir() / url.removeprefix("resource://models/")
        if not path.is_file():
            return None, "bundled demo weights are not installed"
        return Choice(ModelRef(label, str(path), "registry", info.id, info.embedding)), ""
    if not url.startswith(("http://", "https://")):
        return None, "no downloadable weights (sandbox demo entry: embedding only)"
    source = RegistryWeights(info.manifest, bytes(info.decryption_key), data_dir / "weights-cache", allow_loopback)
    return Choice(ModelRef(label, "", "registry", info.id, info.embedding), source), ""


class ModelPicker(QWidget):
    # ---- Signals -----------------------------------------------------------------------------------
    sig_selection_changed = Signal()
    """The checked models changed."""
    sig_registry_loaded = Signal(object)
    """list[ModelInfo] from the network (used by the embedding map)."""
    sig_message_posted = Signal(str, str)
    """(text, kind) for the panel banner."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
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
        ctx.bridge.call(asyncio.to_thread(_demo_choices), on_result=self._on_demo_listed, owner=self,
                        on_error=lambda exc: self._note("demo", describe_error(exc)), label="listing demo models")
        ctx.network_changed.connect(self._on_ctx_network_changed)
        ctx.epoch_changed.connect(self._on_ctx_epoch_changed)
        model_names(ctx).sig_changed.connect(self.refresh_registry)
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
        self.ctx.bridge.call(asyncio.to_thread(_describe_all, chosen), owner=self, label="reading headers",
                             on_result=lambda found: self._on_local_checked(found, checked),
                             on_error=lambda exc: self.sig_message_posted.emit(str(exc), "error"))

    def set_checked(self, labels: list[str]) -> None:
        for index in range(self.list.count()):
            item = self.list.item(index)
            if isinstance(item.data(ROLE), Choice):
                item.setCheckState(Qt.CheckState.Checked if item.data(ROLE).ref.label in labels
                                   else Qt.CheckState.Unchecked)

    def refresh_registry(self) -> None:
        network = self.ctx.network
        if network is None:
            self._note("registry", "not connected")
            return
        self.listing_in_flight += 1
        self.ctx.bridge.call(self.ctx.services.models.registry(), on_result=self._on_registry_listed, owner=self,
                             on_error=self._on_registry_failed, label="listing models")

    def _on_registry_failed(self, exc: BaseException) -> None:
        self.listing_in_flight -= 1
        self._note("registry", describe_error(exc))

    # ---- Private -----------------------------------------------------------------------------------
    def _ask_weights(self) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(self, "Add model weights", "", "Safetensors (*.safetensors);;All (*)")
        return [Path(n) for n in names]

    def _on_ctx_network_changed(self, _network) -> None:
        self.refresh_registry()

    def _on_ctx_epoch_changed(self, _epoch: int) -> None:
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
        models = apply_model_names(self.ctx, models)      # local names label the table, map and exports
        self.registry_models = list(models)
        choice = self.ctx.choice
        loopback = bool(self.ctx.network is not None and self.ctx.network.is_sandbox) or \
            bool(choice is not None and choice.key == "localnet")
        entries = []
        for info in models:
            picked, reason = registry_choice(info, self.ctx.data_dir, loopback)
            stake = "stake " + amount_text(info.stake, hidden=self.ctx.settings.hide_amounts)
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
