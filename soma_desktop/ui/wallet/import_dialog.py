"""Import keys: recovery phrase, `somaprivkey1…` / hex secret, SOMA CLI keystore, or the sandbox demo account.

With `create=True` (no wallet yet, or a restore) the dialog also asks for the new wallet's password and
creates the vault; otherwise it adds the keys to the unlocked wallet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.ids import short_id
from soma_desktop.ui.wallet.common import BusyRow, ErrorLabel, password_edit, plain_error, settle_buttons
from soma_desktop.wallet.cli_keystore import cli_config_dir, read_cli_keys
from soma_desktop.wallet.keys import KeyFormatError, keypair_from_mnemonic, parse_secret_text
from soma_desktop.wallet.mnemonic import MnemonicError, validate_mnemonic

if TYPE_CHECKING:
    from soma_desktop.ui.wallet_session import WalletSession

TAB_PHRASE, TAB_SECRET, TAB_CLI, TAB_DEMO = "phrase", "secret", "cli", "demo"


class ImportDialog(QDialog):
    def __init__(self, session: WalletSession, parent: QWidget | None = None, *, create: bool = False,
                 replace: bool = False):
        super().__init__(parent)
        self.session = session
        self.create_mode = create
        self.replace = replace
        self.cli_keys: list = []
        self.imported: list = []
        self.setWindowTitle("Restore wallet" if replace else ("Import a wallet" if create else "Import keys"))
        self.setMinimumWidth(600)
        layout = QVBoxLayout(self)
        if replace:
            warn = QLabel("<b>This replaces the wallet file on this computer.</b> Accounts that are not derived "
                          "from the phrase or key you enter here will be gone unless you have their keys.")
            warn.setWordWrap(True)
            layout.addWidget(warn)
        self.tabs = QTabWidget()
        self._tab_keys: list[str] = []
        self._add_tab(TAB_PHRASE, "Recovery phrase", self._build_phrase())
        self._add_tab(TAB_SECRET, "Secret key", self._build_secret())
        self._add_tab(TAB_CLI, "SOMA CLI keystore", self._build_cli())
        facts = session.network_facts()
        if facts is not None and facts.is_sandbox:
            self._add_tab(TAB_DEMO, "Sandbox demo account", self._build_demo())
        if not create:
            index = self._tab_keys.index(TAB_PHRASE)
            self.tabs.setTabEnabled(index, False)
            self.tabs.setTabToolTip(index, "A wallet holds one recovery phrase; import a secret key or a CLI "
                                           "keystore into it, or restore a different wallet from the unlock screen")
            self.tabs.setCurrentIndex(self._tab_keys.index(TAB_SECRET))
        layout.addWidget(self.tabs, 1)
        self.password_box = QWidget()
        form = QFormLayout(self.password_box)
        form.setContentsMargins(0, 0, 0, 0)
        self.password_edit = password_edit("New wallet password (at least 8 characters)", "passwordEdit")
        self.confirm_edit = password_edit("Repeat the password", "confirmPasswordEdit")
        form.addRow("Password", self.password_edit)
        form.addRow("Repeat", self.confirm_edit)
        self.password_box.setVisible(create)
        layout.addWidget(self.password_box)
        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.busy = BusyRow()
        layout.addWidget(self.busy)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.import_button = QPushButton("Restore" if replace else "Import")
        self.import_button.setObjectName("importButton")
        self.import_button.clicked.connect(self._on_import_clicked)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        # Restoring replaces the wallet file: it is never the Enter default, and it asks first.
        settle_buttons(self, self.cancel_button if replace else self.import_button)
        self.confirm_replace = self._ask_replace
        self.finished.connect(self._forget_secrets)

    # ---- Public API ----------------------------------------------------------------------------
    def select_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex(self._tab_keys.index(key))

    def current_tab(self) -> str:
        return self._tab_keys[self.tabs.currentIndex()]

    # ---- tabs ----------------------------------------------------------------------------------
    def _add_tab(self, key: str, title: str, widget: QWidget) -> None:
        self._tab_keys.append(key)
        self.tabs.addTab(widget, title)

    def _build_phrase(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.phrase_edit = QPlainTextEdit()
        self.phrase_edit.setObjectName("phraseEdit")
        self.phrase_edit.setPlaceholderText("12 to 24 words separated by spaces")
        self.phrase_edit.setMaximumHeight(90)
        self.phrase_name = QLineEdit("Account 1")
        form.addRow("Recovery phrase", self.phrase_edit)
        form.addRow("First account name", self.phrase_name)
        note = QLabel("Accounts are derived at m/44'/784'/0'/0'/i', the same as the SOMA CLI and SDK.")
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def _build_secret(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.secret_edit = QLineEdit()
        self.secret_edit.setObjectName("secretEdit")
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setPlaceholderText("somaprivkey1… or 64 hex digits")
        self.secret_name = QLineEdit("Imported")
        form.addRow("Secret key", self.secret_edit)
        form.addRow("Account name", self.secret_name)
        note = QLabel("From `soma keytool export` (somaprivkey1…) or a raw Ed25519 key in hex.")
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def _build_cli(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        self.cli_dir_edit = QLineEdit(str(cli_config_dir()))
        self.cli_dir_edit.setObjectName("cliDirEdit")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        self.cli_read_button = QPushButton("Read keys")
        self.cli_read_button.setObjectName("cliReadButton")
        self.cli_read_button.clicked.connect(self._on_cli_read_clicked)
        row.addWidget(QLabel("Folder"))
        row.addWidget(self.cli_dir_edit, 1)
        row.addWidget(browse)
        row.addWidget(self.cli_read_button)
        layout.addLayout(row)
        warn = QLabel("The CLI keeps keys <b>unencrypted</b> in soma.keystore. Imported keys are encrypted in this "
                      "wallet; the CLI's files are only read, never changed.")
        warn.setWordWrap(True)
        layout.addWidget(warn)
        self.cli_list = QListWidget()
        self.cli_list.setObjectName("cliKeys")
        layout.addWidget(self.cli_list, 1)
        return page

    def _build_demo(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        from soma_desktop.network.sandbox import SANDBOX_DEMO_ADDRESS

        text = QLabel(f"The sandbox's funded practice account <code>{short_id(SANDBOX_DEMO_ADDRESS)}</code>. Its "
                      "recovery phrase is public (\"abandon … about\"): use it only on the sandbox, never for real "
                      "money.")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(text)
        layout.addStretch(1)
        return page

    # ---- actions -------------------------------------------------------------------------------
    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "SOMA CLI config folder", self.cli_dir_edit.text())
        if folder:
            self.cli_dir_edit.setText(folder)
            self._on_cli_read_clicked()

    def _on_cli_read_clicked(self) -> None:
        folder = self.cli_dir_edit.text().strip()
        self.cli_list.clear()
        self.busy.start("Reading the CLI keystore…")
        self.session.run_job(lambda: read_cli_keys(folder), self._on_cli_keys_read, self._on_failed,
                             "reading the CLI keystore")

    def _on_cli_keys_read(self, keys: list) -> None:
        self.busy.stop()
        self._wipe_cli_keys()
        self.cli_keys = keys
        if not keys:
            self.error.show_text("No soma.keystore with keys in that folder.")
            return
        self.error.show_text("")
        for key in keys:
            item = QListWidgetItem(f"{key.alias or '(no alias)'}   {key.address}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.cli_list.addItem(item)

    def _on_import_clicked(self) -> None:
        try:
            keys, phrase = self._collect()
            password = self._new_password() if self.create_mode else ""
        except ValueError as exc:
            self.error.show_text(str(exc))
            return
        self.error.show_text("")
        if self.replace and not self.confirm_replace():
            return
        self._set_busy(True)
        if self.create_mode:
            first_secret: bytes | None = None
            if phrase:
                first_name, more = self.phrase_name.text(), keys
            else:
                (first_name, first_secret), more = keys[0], keys[1:]
            self.session.create(password, mnemonic=phrase, secret_key=first_secret, first_name=first_name,
                                more_keys=more, overwrite=self.replace, on_done=self._on_done,
                                on_error=self._on_failed)
        else:
            self.session.import_keys(keys, self._on_done, self._on_failed)

    def _ask_replace(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Replace the wallet file?",
                          "Restoring replaces the wallet file on this computer.",
                          QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText("Accounts that are not derived from this phrase or key are gone unless you have "
                               "their keys elsewhere. This cannot be undone.")
        replace = box.addButton("Replace wallet", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is replace

    def _collect(self) -> tuple[list[tuple[str, bytes]], str | None]:
        """(name, secret) pairs and/or a phrase from the current tab; ValueError says what is wrong."""
        tab = self.current_tab()
        if tab == TAB_PHRASE:
            try:
                return [], validate_mnemonic(self.phrase_edit.toPlainText())
            except MnemonicError as exc:
                raise ValueError(str(exc)) from None
        if tab == TAB_SECRET:
            try:
                secret = parse_secret_text(self.secret_edit.text())
            except KeyFormatError as exc:
                raise ValueError(f"That is not a SOMA secret key: {exc}.") from None
            return [(self.secret_name.text().strip() or "Imported", secret)], None
        if tab == TAB_CLI:
            chosen = [key for i, key in enumerate(self.cli_keys)
                      if self.cli_list.item(i).checkState() == Qt.CheckState.Checked]
            if not chosen:
                raise ValueError("Read the keystore and tick at least one key.")
            return [(key.alias or f"CLI {key.address[2:8]}", key.keypair.secret_key()) for key in chosen], None
        from soma_desktop.network.sandbox import SANDBOX_DEMO_MNEMONIC

        demo = keypair_from_mnemonic(SANDBOX_DEMO_MNEMONIC)
        try:
            return [("Sandbox demo", demo.secret_key())], None
        finally:
            demo.wipe()

    def _new_password(self) -> str:
        password = self.password_edit.text()
        minimum = self.session.policy.min_password_chars
        if len(password) < minimum:
            raise ValueError(f"Use a password of at least {minimum} characters.")
        if password != self.confirm_edit.text():
            raise ValueError("The two passwords differ.")
        return password

    def _on_done(self, result) -> None:
        self._set_busy(False)
        self.imported = result if isinstance(result, list) else []
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.error.show_text(plain_error(exc))

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self.busy.start("Encrypting the keys…" if self.create_mode else "Importing…")
        else:
            self.busy.stop()
        self.import_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def _wipe_cli_keys(self) -> None:
        for key in self.cli_keys:
            key.keypair.wipe()
        self.cli_keys = []

    def _forget_secrets(self, *_args) -> None:
        self.phrase_edit.clear()
        self.secret_edit.clear()
        self.password_edit.clear()
        self.confirm_edit.clear()
        self._wipe_cli_keys()


__all__ = ["ImportDialog", "TAB_CLI", "TAB_DEMO", "TAB_PHRASE", "TAB_SECRET"]
