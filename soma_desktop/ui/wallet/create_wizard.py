"""Create a wallet: password → recovery phrase shown once → three words asked back → encrypted vault.

The phrase lives only in this dialog's memory until the vault is written; it is never copied to the
clipboard, logged or saved anywhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.ui.wallet.common import BusyRow, ErrorLabel, password_edit, plain_error, settle_buttons
from soma_desktop.wallet.mnemonic import ConfirmChallenge, generate_mnemonic, split_words

if TYPE_CHECKING:
    from soma_desktop.ui.wallet_session import WalletSession

PAGE_START, PAGE_PASSWORD, PAGE_WORDS, PAGE_CONFIRM = range(4)
CONFIRM_COUNT = 3


class CreateWalletDialog(QDialog):
    """Non-modal-testable: `open()` it, drive the fields, click `next_button`."""

    def __init__(self, session: WalletSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Set up your wallet")
        self.setMinimumWidth(560)
        self._phrase: str | None = None
        self.challenge: ConfirmChallenge | None = None
        self.import_dialog: QDialog | None = None
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_start())
        self.pages.addWidget(self._build_password())
        self.pages.addWidget(self._build_words())
        self.pages.addWidget(self._build_confirm())
        layout.addWidget(self.pages, 1)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.back_button.clicked.connect(self._on_back_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.next_button = QPushButton("Next")
        self.next_button.setObjectName("nextButton")
        self.next_button.clicked.connect(self._on_next_clicked)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        layout.addLayout(buttons)
        self.finished.connect(self._forget_phrase)
        settle_buttons(self, self.next_button)
        self._show_page(PAGE_START)

    # ---- pages ---------------------------------------------------------------------------------
    def _build_start(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        intro = QLabel("<h3>Your SOMA wallet</h3>Keys are stored on this computer, encrypted with your password. "
                       "A recovery phrase of 12 or 24 words can restore them anywhere.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.create_choice = QRadioButton("Create a new wallet (new recovery phrase)")
        self.import_choice = QRadioButton("Import: recovery phrase, secret key or SOMA CLI keystore")
        self.create_choice.setChecked(True)
        group = QButtonGroup(page)
        for button in (self.create_choice, self.import_choice):
            group.addButton(button)
            layout.addWidget(button)
        layout.addStretch(1)
        return page

    def _build_password(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.name_edit = QLineEdit("Account 1")
        self.name_edit.setObjectName("accountNameEdit")
        self.password_edit = password_edit("Password (at least 8 characters)", "passwordEdit")
        self.confirm_edit = password_edit("Repeat the password", "confirmPasswordEdit")
        self.words_24 = QRadioButton("24 words")
        self.words_12 = QRadioButton("12 words")
        self.words_24.setChecked(True)
        row = QHBoxLayout()
        row.addWidget(self.words_24)
        row.addWidget(self.words_12)
        row.addStretch(1)
        self.remember_check = QCheckBox("Unlock with the system keyring on this computer")
        status = self.session.device_availability()
        self.remember_check.setEnabled(status.available)
        self.remember_check.setToolTip(status.reason)
        form.addRow("First account name", self.name_edit)
        form.addRow("Password", self.password_edit)
        form.addRow("Repeat", self.confirm_edit)
        form.addRow("Recovery phrase", row)
        form.addRow("", self.remember_check)
        hint = QLabel("The password protects the keys on this computer. It cannot be recovered; the recovery "
                      "phrase can restore the wallet.")
        hint.setWordWrap(True)
        form.addRow(hint)
        return page

    def _build_words(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        warning = QLabel("<b>Write these words down, in order, on paper.</b> They are shown only now. Anyone "
                         "with them controls your funds; SOMA Desktop will never ask for them online.")
        warning.setWordWrap(True)
        layout.addWidget(warning)
        self.words_grid = QGridLayout()
        layout.addLayout(self.words_grid)
        self.word_labels: list[QLabel] = []
        self.saved_check = QCheckBox("I have written down all the words in order")
        self.saved_check.setObjectName("savedCheck")
        self.saved_check.toggled.connect(self._on_saved_check_toggled)
        layout.addWidget(self.saved_check)
        layout.addStretch(1)
        return page

    def _build_confirm(self) -> QWidget:
        page = QWidget()
        self.confirm_form = QFormLayout(page)
        self.confirm_form.addRow(QLabel("Enter these words of your recovery phrase to confirm you saved it."))
        self.answer_edits: dict[int, QLineEdit] = {}
        return page

    # ---- navigation ------------------------------------------------------------------------------
    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.error.show_text("")
        self.back_button.setVisible(index in (PAGE_PASSWORD, PAGE_CONFIRM))
        self.next_button.setText({PAGE_CONFIRM: "Create wallet"}.get(index, "Next"))
        self.next_button.setEnabled(index != PAGE_WORDS or self.saved_check.isChecked())
        self.next_button.setToolTip("Tick the box once the words are written down" if index == PAGE_WORDS else "")

    def _on_back_clicked(self) -> None:
        index = self.pages.currentIndex()
        self._show_page(PAGE_WORDS if index == PAGE_CONFIRM else PAGE_START)

    def _on_saved_check_toggled(self, checked: bool) -> None:
        if self.pages.currentIndex() == PAGE_WORDS:
            self.next_button.setEnabled(checked)

    def _on_next_clicked(self) -> None:
        index = self.pages.currentIndex()
        if index == PAGE_START:
            if self.import_choice.isChecked():
                self._open_import()
            else:
                self._show_page(PAGE_PASSWORD)
        elif index == PAGE_PASSWORD:
            self._after_password()
        elif index == PAGE_WORDS:
            self._show_page(PAGE_CONFIRM)
        elif index == PAGE_CONFIRM:
            self._after_confirm()

    def _after_password(self) -> None:
        password = self.password_edit.text()
        if len(password) < self.session.policy.min_password_chars:
            self.error.show_text(f"Use a password of at least {self.session.policy.min_password_chars} characters.")
            return
        if password != self.confirm_edit.text():
            self.error.show_text("The two passwords differ.")
            return
        if not self.name_edit.text().strip():
            self.error.show_text("Give the first account a name.")
            return
        count = 24 if self.words_24.isChecked() else 12
        if self._phrase is None or len(split_words(self._phrase)) != count:
            self._phrase = generate_mnemonic(count)
            self._fill_words(self._phrase)
        self._show_page(PAGE_WORDS)

    def _fill_words(self, phrase: str) -> None:
        for label in self.word_labels:
            label.deleteLater()
        self.word_labels = []
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        words = split_words(phrase)
        columns = 4 if len(words) > 12 else 3
        for i, word in enumerate(words):
            label = QLabel(f"{i + 1:>2}. {word}")
            label.setFont(mono)
            label.setObjectName(f"word{i + 1}")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            self.words_grid.addWidget(label, i // columns, i % columns)
            self.word_labels.append(label)
        self.challenge = ConfirmChallenge.pick(phrase, CONFIRM_COUNT)
        for edit in self.answer_edits.values():
            self.confirm_form.removeRow(edit)
        self.answer_edits = {}
        for position in self.challenge.positions:
            edit = QLineEdit()
            edit.setObjectName(f"answer{position}")
            edit.setAccessibleName(f"Word {position}")
            self.answer_edits[position] = edit
            self.confirm_form.addRow(f"Word #{position}", edit)

    def _after_confirm(self) -> None:
        assert self._phrase is not None and self.challenge is not None
        answers = {pos: edit.text() for pos, edit in self.answer_edits.items()}
        wrong = self.challenge.wrong_positions(self._phrase, answers)
        if wrong:
            self.error.show_text("Word " + ", ".join(f"#{p}" for p in wrong) + " does not match. Check your paper "
                                 "copy, or go Back to see the words again.")
            return
        self.error.show_text("")          # the earlier "Word #n does not match" is answered now
        self._set_busy(True, "Encrypting the wallet (this takes a moment)…")
        self.session.create(self.password_edit.text(), mnemonic=self._phrase, first_name=self.name_edit.text(),
                            on_done=self._on_session_created, on_error=self._on_session_failed)

    def _on_session_created(self, _vault) -> None:
        self._forget_phrase()
        if self.remember_check.isChecked() and self.remember_check.isEnabled():
            self.session.set_remembered(True, lambda _s: None, lambda _e: None)
        self._set_busy(False)
        self.accept()

    def _on_session_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.error.show_text(plain_error(exc))

    def _set_busy(self, busy: bool, text: str = "") -> None:
        if busy:
            self.busy.start(text)
        else:
            self.busy.stop()
        for button in (self.next_button, self.back_button, self.cancel_button):
            button.setEnabled(not busy)

    def _open_import(self) -> None:
        from soma_desktop.ui.wallet.import_dialog import ImportDialog

        self.import_dialog = ImportDialog(self.session, self.parentWidget(), create=True)
        self.session.dialog = self.import_dialog
        self.import_dialog.open()
        self.accept()

    def _forget_phrase(self, *_args) -> None:
        self._phrase = None
        for label in self.word_labels:
            label.setText("")
        for edit in self.answer_edits.values():
            edit.clear()
