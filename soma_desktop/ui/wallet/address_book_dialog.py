"""The address book: names for the addresses you pay, shown instead of hex in history and Send."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.ui.local_names import LocalNames
from soma_desktop.ui.wallet.common import ErrorLabel, settle_buttons
from soma_desktop.ui.widgets.address_field import AddressField


class AddressBookDialog(QDialog):
    def __init__(self, book: LocalNames, parent: QWidget | None = None):
        super().__init__(parent)
        self.book = book
        self.setWindowTitle("Address book")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        intro = QLabel("Names for addresses you deal with. They stay on this computer and replace the hex in "
                       "your history and in Send.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("addressBookTable")
        self.table.setAccessibleName("Contacts")
        self.table.setHorizontalHeaderLabels(("Name", "Address"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._on_table_selection_changed)
        layout.addWidget(self.table, 1)
        self.empty = QLabel("No contacts yet: type a name and an address below, then press Save contact.")
        self.empty.setObjectName("addressBookEmpty")
        layout.addWidget(self.empty)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("contactNameEdit")
        self.name_edit.setAccessibleName("Contact name")
        self.name_edit.setMaxLength(80)
        self.address = AddressField()
        form.addRow("Name", self.name_edit)
        form.addRow("Address", self.address)
        layout.addLayout(form)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        self.save_button = QPushButton("Save contact")
        self.save_button.setObjectName("saveContactButton")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setObjectName("removeContactButton")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        row.addWidget(self.save_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        settle_buttons(self, self.save_button)
        self.confirm_remove = self._ask_remove
        self.book.sig_changed.connect(self._fill)
        self._fill()

    def _fill(self) -> None:
        entries = self.book.entries()
        self.table.setRowCount(len(entries))
        for row, (address, name) in enumerate(entries):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(address))
        self.empty.setVisible(not entries)

    def _row(self, row: int) -> tuple[str, str]:
        """(name, address) of a table row."""
        cells = (self.table.item(row, 0), self.table.item(row, 1))
        return cells[0].text() if cells[0] else "", cells[1].text() if cells[1] else ""

    def _on_table_selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.remove_button.setEnabled(bool(rows))
        if rows:
            name, address = self._row(rows[0].row())
            self.name_edit.setText(name)
            self.address.set_text(address)

    def _on_save_clicked(self) -> None:
        address, name = self.address.value(), self.name_edit.text().strip()
        if not name:
            self.error.show_text("Type a name for this address.")
            return
        if address is None:
            self.error.show_text("Type or paste the full address (0x and 64 hex digits).")
            return
        self.error.show_text("")
        self.book.set_name(address, name)

    def _on_remove_clicked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        name, address = self._row(rows[0].row())
        if self.confirm_remove(name):
            self.book.set_name(address, "")

    def _ask_remove(self, name: str) -> bool:
        answer = QMessageBox.question(self, "Remove contact", f"Remove {name} from the address book?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes
