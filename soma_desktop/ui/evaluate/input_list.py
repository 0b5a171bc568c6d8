"""The files to evaluate: drop files or folders, or pick them; each row says whether it can be scored."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.services.evaluate.inputs import InputFile, read_all
from soma_desktop.ui.bridge import AsyncBridge

PROBLEM = QColor(185, 28, 28)


def row_text(entry: InputFile) -> str:
    if entry.problem:
        return f"{entry.path.name} — {entry.problem}"
    kind = "binary, shown as hex" if entry.binary else "text"
    size = f"{len(entry.data):,} bytes"
    if entry.truncated:
        size = f"first 1 MiB of {entry.size:,} bytes"
    return f"{entry.label} — {size}, {kind}"


class InputList(QWidget):
    # ---- Signals -----------------------------------------------------------------------------------
    sig_inputs_changed = Signal()
    """The set of files (or their readiness) changed."""
    sig_message_posted = Signal(str, str)
    """(text, kind) for the panel banner: explanations for empty, unreadable or too-large files."""

    def __init__(self, *, bridge: AsyncBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.entries: list[InputFile] = []
        self.ask_paths = self._ask_paths            # replaced in tests (no modal dialog)
        self.list = QListWidget()
        self.list.setAccessibleName("Files to evaluate")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setToolTip("Drop files or folders here")
        self.list.itemSelectionChanged.connect(self._sync_buttons)
        self.add_files_button = QPushButton("Add files…")
        self.add_folder_button = QPushButton("Add folder…")
        self.truncate_button = QPushButton("Evaluate first 1 MiB")
        self.truncate_button.setToolTip("Select a file over 1 MiB to evaluate its first 1,048,576 bytes "
                                        "(the network's submission limit)")
        self.remove_button = QPushButton("Remove")
        self.add_files_button.clicked.connect(lambda: self._pick(folder=False))
        self.add_folder_button.clicked.connect(lambda: self._pick(folder=True))
        self.truncate_button.clicked.connect(self.accept_truncation)
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        for button in (self.add_files_button, self.add_folder_button, self.truncate_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.setAcceptDrops(True)
        self.list.setAcceptDrops(False)
        self._refresh()

    # ---- Public API --------------------------------------------------------------------------------
    def ready_files(self) -> list[InputFile]:
        return [e for e in self.entries if e.ready]

    def add_paths(self, paths: list[Path], *, accept_truncation: bool = False) -> None:
        """Read `paths` (files or folders) off the GUI thread, then list them."""
        if not paths:
            return
        self.bridge.call(asyncio.to_thread(read_all, list(paths), accept_truncation),
                         on_result=self._on_read_done, on_error=self._on_read_failed, owner=self,
                         label="reading files", timeout=120.0)

    def accept_truncation(self) -> None:
        """Re-read the selected over-1-MiB files, keeping only their first 1 MiB."""
        chosen = [e.path for e in self._selected() if e.too_large and not e.truncated]
        if chosen:
            self.entries = [e for e in self.entries if e.path not in chosen]
            self.add_paths(chosen, accept_truncation=True)

    def remove_selected(self) -> None:
        chosen = {id(e) for e in self._selected()}
        self.entries = [e for e in self.entries if id(e) not in chosen]
        self._refresh()
        self.sig_inputs_changed.emit()

    # ---- Private -----------------------------------------------------------------------------------
    def _ask_paths(self, folder: bool) -> list[Path]:
        if folder:
            chosen = QFileDialog.getExistingDirectory(self, "Add a folder to evaluate")
            return [Path(chosen)] if chosen else []
        names, _ = QFileDialog.getOpenFileNames(self, "Add files to evaluate")
        return [Path(n) for n in names]

    def _pick(self, folder: bool) -> None:
        self.add_paths(self.ask_paths(folder))

    def _on_read_done(self, answer: tuple[list[InputFile], str]) -> None:
        entries, note = answer
        known = {e.path for e in self.entries}
        fresh = [e for e in entries if e.path not in known]
        self.entries += fresh
        self._refresh()
        big = [e for e in fresh if e.too_large and not e.truncated]
        bad = [e for e in fresh if e.problem and not e.too_large]
        if big:
            self._select(big[0])
            self.sig_message_posted.emit(
                f"{big[0].path.name} is {big[0].size:,} bytes. The network accepts at most 1 MiB "
                "(1,048,576 bytes) per data submission, so it cannot be scored whole. Click "
                "“Evaluate first 1 MiB” to score its first 1 MiB instead.", "warning")
        elif bad:
            self.sig_message_posted.emit("; ".join(f"{e.path.name} {e.problem}" for e in bad[:3]), "warning")
        elif note:
            self.sig_message_posted.emit(note, "info")
        self.sig_inputs_changed.emit()

    def _on_read_failed(self, exc: BaseException) -> None:
        self.sig_message_posted.emit(f"Could not read the files: {exc}", "error")

    def _refresh(self) -> None:
        self.list.clear()
        for entry in self.entries:
            item = QListWidgetItem(row_text(entry))
            item.setToolTip(str(entry.path))
            if entry.problem:
                item.setForeground(QBrush(PROBLEM))
            self.list.addItem(item)
        if not self.entries:
            hint = QListWidgetItem("Drop files or folders here, or use “Add files…”")
            hint.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(hint)
        self._sync_buttons()

    def _selected(self) -> list[InputFile]:
        rows = sorted({i.row() for i in self.list.selectedIndexes()})
        return [self.entries[r] for r in rows if r < len(self.entries)]

    def _select(self, entry: InputFile) -> None:
        self.list.setCurrentRow(self.entries.index(entry))

    def _sync_buttons(self) -> None:
        selected = self._selected()
        self.remove_button.setEnabled(bool(selected))
        self.truncate_button.setEnabled(any(e.too_large and not e.truncated for e in selected))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)
