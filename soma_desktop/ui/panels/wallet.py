"""Wallet panel: accounts with exact balances, copy address, faucet, send, history with CSV export, privacy."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.amounts import format_soma
from soma_desktop.core.ids import short_id
from soma_desktop.core.settings import Settings
from soma_desktop.core.storage import atomic_write_text
from soma_desktop.network.types import Coin
from soma_desktop.services.chain_cache import Change, Kind
from soma_desktop.services.wallet import Balance, WalletService
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_signals import ChainSignals, touches
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.format import amount_text
from soma_desktop.ui.local_names import LocalNames
from soma_desktop.ui.panels.common import Banner, PanelHeader
from soma_desktop.ui.theme import MUTED_TEXT_STYLE
from soma_desktop.ui.wallet.chain_history import ChainHistoryView
from soma_desktop.ui.wallet.common import exact_amount_html, plain_error
from soma_desktop.ui.wallet.history_view import HistoryTable
from soma_desktop.ui.wallet.merge_offer import MergeOffer, merge_first_reason
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.ui.widgets.empty_state import attach_empty_state
from soma_desktop.wallet.history import TxRecord

if TYPE_CHECKING:
    from soma_desktop.ui.wallet.import_dialog import ImportDialog

PAGE_SETUP, PAGE_LOCKED, PAGE_MAIN = range(3)
ACCOUNT_COLUMNS = ("Account", "Address", "Balance")


class WalletPanel(QWidget):
    def __init__(self, *, session: WalletSession, wallet: WalletService, chain: ChainStatus, changes: ChainSignals,
                 bridge: AsyncBridge, settings: Settings, book: LocalNames, parent: QWidget | None = None):
        """`chain`: connection and epoch; `changes`: what the chain cache read anew; `book`: the address book."""
        super().__init__(parent)
        self.session = session
        self.wallet_service = wallet
        self.chain = chain
        self.changes = changes
        self.bridge = bridge
        self.book = book
        self.history: list[TxRecord] = []
        self.active_dialog: QWidget | None = None   # the dialog a button opened last (tests drive it)
        layout = QVBoxLayout(self)
        self.header = PanelHeader("Wallet", "Balances are exact: 1 SOMA = 1,000,000,000 shannons. Keys stay on this "
                                            "computer, encrypted with your password.")
        self.hide_check = QCheckBox("Hide amounts")
        self.hide_check.setObjectName("hideAmounts")
        self.hide_check.setToolTip("Hide balances and amounts, e.g. while sharing your screen")
        self.hide_check.setChecked(self.session.amounts_hidden())
        self.lock_button = QPushButton("Lock")
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setToolTip("Lock the wallet now (it also locks after "
                                    f"{settings.auto_lock_minutes} min without activity)")
        self.header.row.addWidget(self.hide_check)
        self.header.row.addWidget(self.lock_button)
        layout.addWidget(self.header)
        self.banner = Banner()
        self.banner.setObjectName("walletBanner")
        layout.addWidget(self.banner)
        self.merge_offer = MergeOffer()          # shown when a send was refused until the coins are merged
        self.merge_offer.sig_merge_requested.connect(self.open_merge)
        layout.addWidget(self.merge_offer)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_setup())
        self.pages.addWidget(self._build_locked())
        self.pages.addWidget(self._build_main())
        layout.addWidget(self.pages, 1)
        self.hide_check.toggled.connect(self.session.set_amounts_hidden)
        self.lock_button.clicked.connect(self.session.lock)
        self.session.sig_unlocked.connect(self._on_session_unlocked)
        self.session.sig_locked.connect(self._on_session_locked)
        self.session.sig_account_changed.connect(self._on_session_account_changed)
        self.session.sig_accounts_changed.connect(self.refresh)
        self.session.sig_amounts_hidden_changed.connect(self._on_session_amounts_hidden_changed)
        self.session.tracker.sig_history_changed.connect(self._load_history)
        chain.network_changed.connect(self._on_network_changed)
        changes.changed.connect(self._on_chain_changed)
        self._sync_page()

    # ---- layout --------------------------------------------------------------------------------
    def _build_setup(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        text = QLabel("<h3>No wallet on this computer yet</h3>Create one (you get a new recovery phrase) or import "
                      "an existing recovery phrase, secret key or SOMA CLI keystore.")
        text.setWordWrap(True)
        layout.addWidget(text)
        row = QHBoxLayout()
        self.create_button = QPushButton("Create or import a wallet…")
        self.create_button.setObjectName("createWalletButton")
        self.create_button.clicked.connect(lambda: self.session.request_unlock(self))
        row.addWidget(self.create_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _build_locked(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.locked_label = QLabel("<h3>Wallet locked</h3>Unlock it with your password to see balances and send.")
        self.locked_label.setWordWrap(True)
        layout.addWidget(self.locked_label)
        self.locked_accounts = QLabel()
        self.locked_accounts.setObjectName("lockedAccounts")
        self.locked_accounts.setWordWrap(True)
        self.locked_accounts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.locked_accounts)
        row = QHBoxLayout()
        self.unlock_button = QPushButton("Unlock…")
        self.unlock_button.setObjectName("unlockWalletButton")
        self.unlock_button.clicked.connect(lambda: self.session.request_unlock(self))
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _build_main(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.accounts_table = QTableWidget(0, len(ACCOUNT_COLUMNS))
        self.accounts_table.setObjectName("accountsTable")
        self.accounts_table.setHorizontalHeaderLabels(ACCOUNT_COLUMNS)
        self.accounts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.accounts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.accounts_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.accounts_table.verticalHeader().setVisible(False)
        header = self.accounts_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.accounts_table.itemSelectionChanged.connect(self._on_accounts_selection_changed)
        layout.addWidget(self.accounts_table)
        layout.addLayout(self._build_actions())
        self.detail_label = QLabel()
        self.detail_label.setObjectName("accountDetail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail_label)
        box = QWidget()
        box_layout = QVBoxLayout(box)
        self.history_table = HistoryTable()
        attach_empty_state(self.history_table, "Transactions you send from this app appear here, with their fee and "
                                               "status, even before the chain confirms them.")
        box_layout.addWidget(self.history_table)
        row = QHBoxLayout()
        self.history_note = QLabel()
        self.history_note.setStyleSheet(MUTED_TEXT_STYLE)
        row.addWidget(self.history_note, 1)
        self.export_csv_button = QPushButton("Export CSV…")
        self.export_csv_button.setObjectName("exportCsvButton")
        self.export_csv_button.clicked.connect(self._on_export_csv_clicked)
        row.addWidget(self.export_csv_button)
        box_layout.addLayout(row)
        self.chain_history = ChainHistoryView(session=self.session, wallet=self.wallet_service, bridge=self.bridge,
                                              book=self.book)
        self.chain_history.export_button.clicked.connect(self._on_chain_export_clicked)
        self.history_tabs = QTabWidget()
        self.history_tabs.setObjectName("historyTabs")
        self.history_tabs.addTab(self.chain_history, "History on the chain")
        self.history_tabs.addTab(box, "Sent from this app")
        layout.addWidget(self.history_tabs, 1)
        return page

    def _build_actions(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.copy_button = QPushButton("Copy address")
        self.copy_button.setObjectName("copyAddressButton")
        self.faucet_button = QPushButton("Get SOMA from faucet")
        self.faucet_button.setObjectName("faucetButton")
        self.send_button = QPushButton("Send…")
        self.send_button.setObjectName("sendButton")
        self.receive_button = QPushButton("Receive…")
        self.receive_button.setObjectName("receiveButton")
        self.receive_button.setToolTip("Show this account's address and its QR code")
        self.merge_button = QPushButton("Merge coins")
        self.merge_button.setObjectName("mergeButton")
        self.add_button = QPushButton("Add account")
        self.add_button.setObjectName("addAccountButton")
        self.rename_button = QPushButton("Rename…")
        self.rename_button.setObjectName("renameButton")
        self.more_button = QToolButton()
        self.more_button.setText("More")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        self.import_action = menu.addAction("Import keys…", self.open_import)
        self.demo_action = menu.addAction("Import the sandbox demo account", self.open_demo_import)
        self.export_action = menu.addAction("Export this account's key…", self.open_export)
        self.address_book_action = menu.addAction("Address book…", self.open_address_book)
        menu.addSeparator()
        self.password_action = menu.addAction("Change password…", self.open_change_password)
        self.remember_action = menu.addAction("Unlock with the system keyring on this computer")
        self.remember_action.setCheckable(True)
        self.remember_action.toggled.connect(self._on_remember_toggled)
        self.more_button.setMenu(menu)
        self.copy_button.clicked.connect(self.copy_address)
        self.faucet_button.clicked.connect(self.request_faucet)
        self.send_button.clicked.connect(self.open_send)
        self.receive_button.clicked.connect(self.open_receive)
        self.merge_button.clicked.connect(self.open_merge)
        self.add_button.clicked.connect(self.add_account)
        self.rename_button.clicked.connect(self.open_rename)
        for widget in (self.copy_button, self.receive_button, self.faucet_button, self.send_button, self.merge_button,
                       self.add_button,
                       self.rename_button, self.more_button):
            row.addWidget(widget)
        row.addStretch(1)
        return row

    # ---- Public API ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload accounts, balances and history (network reads off the GUI thread)."""
        self._sync_page()
        if not self.session.is_unlocked():
            return
        self._fill_accounts()
        self._refresh_balances()
        self._load_history()

    def copy_address(self) -> None:
        account = self.session.current_account()
        if account is not None:
            QGuiApplication.clipboard().setText(account.address)
            self.banner.show_message(f"Copied {account.address}", "ok")

    def request_faucet(self) -> None:
        account, facts = self.session.current_account(), self.wallet_service.facts()
        if account is None or facts is None or not facts.has_faucet:
            return
        self.faucet_button.setEnabled(False)
        self.banner.show_message(f"Asking the {facts.name} faucet for SOMA…", "info")
        self.session.tracker.run(self.wallet_service.faucet(account.address), self._on_faucet_done,
                                 self._on_tx_failed, "faucet request", owner=self)

    def open_send(self) -> None:
        from soma_desktop.ui.wallet.send_dialog import SendDialog

        account = self.session.current_account()
        if account is None:
            return
        quote = self.wallet_service.quote(self.coins.get(account.address, []), self.chain.state)
        dialog = SendDialog(account=account, quote=quote, session=self.session, book=self.book, parent=self)
        dialog.sig_send_confirmed.connect(self._on_send_confirmed)
        dialog.sig_merge_requested.connect(self.open_merge)
        self._open(dialog)

    def open_receive(self) -> None:
        from soma_desktop.ui.wallet.receive_dialog import ReceiveDialog

        account = self.session.current_account()
        if account is None:
            return
        facts = self.wallet_service.facts()
        name = facts.name if facts is not None else "this network"
        self._open(ReceiveDialog(account, name, self))

    def open_address_book(self) -> None:
        from soma_desktop.ui.wallet.address_book_dialog import AddressBookDialog

        self._open(AddressBookDialog(self.book, self))

    def _on_chain_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export chain history", "soma-chain-history.csv", "CSV (*.csv)")
        if path:
            text = self.chain_history.csv_text()
            self.bridge.call(asyncio.to_thread(atomic_write_text, path, text), owner=self,
                             on_result=lambda _r: self.banner.show_message(f"Saved {path}", "ok"),
                             on_error=self._on_action_failed, label="export history")

    def open_merge(self) -> None:
        from soma_desktop.ui.wallet.confirm_dialog import ConfirmDialog

        account = self.session.current_account()
        coins = self.coins.get(account.address, []) if account else []
        if account is None or not Balance.of(coins).can_merge:
            return
        fee = self.wallet_service.quote(coins, self.chain.state).merge_fee()
        dialog = ConfirmDialog("Merge coins", f"Merge {len(coins)} coins of {account.name}: all but the smallest "
                               f"become one coin, and the smallest stays a second coin (as the SOMA SDK "
                               f"merges).<br><br>Network fee ≈ "
                               f"{exact_amount_html(fee)}", "Sign and merge", self)
        dialog.sig_confirmed.connect(self._on_merge_confirmed)
        self._open(dialog)

    def add_account(self) -> None:
        self.add_button.setEnabled(False)
        self.session.add_account(None, self._on_account_added, self._on_action_failed)

    def open_rename(self) -> None:
        account = self.session.current_account()
        if account is None:
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Rename account")
        dialog.setLabelText(f"New name for {short_id(account.address)}:")
        dialog.setTextValue(account.name)
        dialog.textValueSelected.connect(lambda name, a=account.address: self.rename_account(a, name))
        self._open(dialog)

    def rename_account(self, address: str, name: str) -> None:
        self.session.rename(address, name, lambda _r: self.banner.show_message(f"Renamed to {name.strip()}", "ok"),
                            self._on_action_failed)

    def open_import(self) -> ImportDialog:
        from soma_desktop.ui.wallet.import_dialog import ImportDialog

        dialog = ImportDialog(self.session, self)
        dialog.accepted.connect(lambda d=dialog: self._on_import_accepted(d))
        self._open(dialog)
        return dialog

    def open_demo_import(self) -> None:
        from soma_desktop.ui.wallet.import_dialog import TAB_DEMO

        self.open_import().select_tab(TAB_DEMO)

    def open_export(self) -> None:
        from soma_desktop.ui.wallet.export_dialog import ExportDialog

        account = self.session.current_account()
        if account is not None:
            self._open(ExportDialog(self.session, account, self))

    def open_change_password(self) -> None:
        from soma_desktop.ui.wallet.password_dialog import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.session, self)
        dialog.accepted.connect(lambda: self.banner.show_message("Password changed.", "ok"))
        self._open(dialog)

    def export_history_csv(self, path: str) -> None:
        account = self.session.current_account()
        if account is None:
            return
        self.session.tracker.export_csv(
            path, account.address, lambda n: self.banner.show_message(f"Exported {n} transactions to {path}", "ok"),
            self._on_action_failed, owner=self)

    # ---- Private: session and context events ----------------------------------------------------
    def _on_session_unlocked(self) -> None:
        self.banner.clear_message()
        self.refresh()

    def _on_session_locked(self) -> None:
        self.banner.clear_message()
        self.accounts_table.setRowCount(0)
        self.history_table.set_records([], True)
        self.chain_history.clear()
        self.detail_label.setText("")
        self._sync_page()

    def _on_session_account_changed(self, account) -> None:
        if account is None:
            return
        self._select_row_of(account.address)
        self._show_detail()
        self._sync_actions()
        self._load_history()

    def _on_session_amounts_hidden_changed(self, hidden: bool) -> None:
        if self.hide_check.isChecked() != hidden:
            self.hide_check.setChecked(hidden)
        self._fill_accounts()
        self._show_detail()
        self.history_table.set_records(self.history, hidden)

    def _on_network_changed(self, _network) -> None:
        self.refresh()

    def _on_chain_changed(self, change: Change) -> None:
        """The cache read new coins of one of our accounts: render them (no fetch of our own)."""
        if not self.changes.is_current(change) or not touches(change, Kind.COINS):
            return
        if change.key.address not in {a.address for a in self.session.accounts()}:
            return
        if change.error is not None:
            self.banner.show_message(plain_error(change.error), "error")
        self._fill_accounts()
        self._show_detail()
        self._sync_actions()
        self.chain_history.refresh()     # incoming transfers show within one poll

    def _on_header_loaded(self, header) -> None:
        lines = "<br>".join(f"<code>{a}</code>" for a in header.addresses[:10])
        more = f"<br>and {len(header.addresses) - 10} more" if len(header.addresses) > 10 else ""
        self.locked_accounts.setText(f"This wallet holds {len(header.addresses)} account(s):<br>{lines}{more}")

    def _on_accounts_selection_changed(self) -> None:
        rows = self.accounts_table.selectionModel().selectedRows()
        if not rows:
            return
        item = self.accounts_table.item(rows[0].row(), 1)
        address = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        current = self.session.current_account()
        if address and (current is None or current.address != address):
            self.session.set_current(address)

    def _on_remember_toggled(self, checked: bool) -> None:
        if not self.session.is_unlocked() or checked == self.session.is_remembered():
            return
        self.session.set_remembered(checked, self._on_remember_done, self._on_action_failed)

    def _on_remember_done(self, status) -> None:
        if status is not None and not status.available:
            self.banner.show_message(status.reason, "warning")
        self._sync_actions()

    def _on_import_accepted(self, dialog) -> None:
        added = dialog.imported
        self.banner.show_message(f"Imported {len(added)} account(s)." if added else
                                 "Those keys are already in this wallet.", "ok")

    def _on_account_added(self, account) -> None:
        self.add_button.setEnabled(True)
        self.session.set_current(account.address)
        self.banner.show_message(f"Added {account.name} ({short_id(account.address)}).", "ok")

    def _on_action_failed(self, exc: BaseException) -> None:
        self.add_button.setEnabled(True)
        self.banner.show_message(plain_error(exc), "error")

    # ---- Private: transactions -------------------------------------------------------------------
    def _on_send_confirmed(self, recipient: str, amount: int) -> None:
        account = self.session.current_account()
        if account is None or not self.chain.is_open:
            self.banner.show_message("Not sent: the wallet is locked or the network is offline.", "error")
            return
        self.send_button.setEnabled(False)
        self.banner.show_message(f"Sending {amount_text(amount)} to {short_id(recipient)}…", "info")
        self.session.sign_and_run(self.wallet_service.send(account, recipient, amount), self._on_sent,
                                  self._on_tx_failed, "transfer", owner=self)

    def _on_merge_confirmed(self) -> None:
        account = self.session.current_account()
        if account is None or not self.chain.is_open:
            return
        self.merge_offer.withdraw()
        self.banner.show_message("Merging coins…", "info")
        self.session.sign_and_run(self.wallet_service.merge(account),
                                  lambda record: self._on_tx_done("Coins merged", record), self._on_tx_failed,
                                  "merge coins", owner=self)

    def _on_faucet_done(self, record: TxRecord) -> None:
        self.banner.show_message(f"Received {amount_text(record.amount)} from the faucet (digest {record.digest}).",
                                 "ok")
        self._sync_actions()

    def _on_sent(self, record: TxRecord) -> None:
        self.banner.show_message(f"Sent {amount_text(record.amount)} to {short_id(record.counterparty or '0x0')}; "
                                 f"fee {format_soma(record.fee or 0)} (digest {record.digest}).", "ok")
        self._sync_actions()

    def _on_tx_done(self, what: str, record: TxRecord) -> None:
        self.banner.show_message(f"{what}; fee {format_soma(record.fee or 0)} (digest {record.digest}).", "ok")
        self._sync_actions()

    def _on_tx_failed(self, exc: BaseException) -> None:
        reason = merge_first_reason(exc)
        if reason is not None:
            self.banner.show_message("Not sent: the coins must be merged first.", "warning")
            self.merge_offer.offer(reason)
        else:
            self.banner.show_message(plain_error(exc), "error")
        self._sync_actions()

    # ---- Private: data -------------------------------------------------------------------------
    @property
    def coins(self) -> dict[str, list[Coin]]:
        """The cached coins of each account the cache has read (the view model of the accounts table)."""
        out: dict[str, list[Coin]] = {}
        for account in self.session.accounts():
            coins = self.wallet_service.coins(account.address)
            if coins is not None:
                out[account.address] = coins
        return out

    def _refresh_balances(self) -> None:
        """Ask the cache for our accounts' coins now (shared with a poll in flight); changes arrive as events."""
        self._sync_actions()
        addresses = [a.address for a in self.session.accounts()]
        if self.chain.is_open and addresses:
            self.bridge.call(self.wallet_service.refresh_coins(addresses), owner=self, label="balances")

    def _load_history(self) -> None:
        account = self.session.current_account()
        if account is None:
            return
        self.session.tracker.load(account.address, self._on_history_loaded, self._on_action_failed, owner=self)
        self.chain_history.refresh()

    def _on_history_loaded(self, records: list[TxRecord]) -> None:
        self.history = records
        self.history_table.set_records(records, self.session.amounts_hidden())
        self.export_csv_button.setEnabled(bool(records))
        self.export_csv_button.setToolTip("" if records else "No transactions yet")
        pending = sum(1 for r in records if r.status.value == "pending")
        self.history_note.setText(f"{len(records)} transaction(s) on {self.session.tracker.network_key()}"
                                  + (f", {pending} awaiting confirmation" if pending else ""))

    def _on_export_csv_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export transactions", "soma-transactions.csv", "CSV (*.csv)")
        if path:
            self.export_history_csv(path)

    # ---- Private: view -------------------------------------------------------------------------
    def _open(self, dialog: QDialog) -> None:
        self.session.touch()
        self.active_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _sync_page(self) -> None:
        if self.session.is_unlocked():
            self.pages.setCurrentIndex(PAGE_MAIN)
        elif self.session.has_vault():
            if self.pages.currentIndex() != PAGE_LOCKED:
                self.session.load_header(self._on_header_loaded, lambda exc: self.locked_accounts.setText(
                    "The wallet file cannot be read: " + plain_error(exc)))
            self.pages.setCurrentIndex(PAGE_LOCKED)
        else:
            self.pages.setCurrentIndex(PAGE_SETUP)
        self.lock_button.setEnabled(self.session.is_unlocked())
        self._sync_actions()

    def _fill_accounts(self) -> None:
        accounts = self.session.accounts()
        hidden = self.session.amounts_hidden()
        self.accounts_table.blockSignals(True)
        self.accounts_table.setRowCount(len(accounts))
        for row, account in enumerate(accounts):
            found = self.wallet_service.balance(account.address)
            balance = None if found is None else found.total
            name = QTableWidgetItem(account.name + ("" if account.is_derived else "  (imported)"))
            address = QTableWidgetItem(account.address)
            address.setData(Qt.ItemDataRole.UserRole, account.address)
            amount = QTableWidgetItem(amount_text(balance, hidden=hidden) if balance is not None else "…")
            amount.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if balance is not None and not hidden:
                amount.setToolTip(f"{balance:,} shannons")
            for col, item in enumerate((name, address, amount)):
                self.accounts_table.setItem(row, col, item)
        self.accounts_table.blockSignals(False)
        rows_height = sum(self.accounts_table.rowHeight(r) for r in range(min(len(accounts), 6)))
        self.accounts_table.setFixedHeight(self.accounts_table.horizontalHeader().height() + max(rows_height, 30) + 4)
        current = self.session.current_account()
        if current is not None:
            self._select_row_of(current.address)

    def _select_row_of(self, address: str) -> None:
        for row in range(self.accounts_table.rowCount()):
            item = self.accounts_table.item(row, 1)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == address:
                if self.accounts_table.currentRow() != row:
                    self.accounts_table.blockSignals(True)
                    self.accounts_table.selectRow(row)
                    self.accounts_table.blockSignals(False)
                return

    def _show_detail(self) -> None:
        account = self.session.current_account()
        if account is None:
            self.detail_label.setText("")
            return
        coins = self.coins.get(account.address)
        if coins is None:
            self.detail_label.setText(f"<b>{account.name}</b> — loading balance…")
            return
        balance = Balance.of(coins)
        hidden = self.session.amounts_hidden()
        text = f"<b>{account.name}</b>: {exact_amount_html(balance.total, hidden)} in {balance.coin_count} coin(s)"
        if balance.can_merge and not hidden:
            text += f"; one transaction can spend up to the largest coin, {format_soma(balance.largest)}"
        self.detail_label.setText(text)

    def _sync_actions(self) -> None:
        facts = self.wallet_service.facts()
        account = self.session.current_account()
        coins = self.coins.get(account.address, []) if account else []
        balance = Balance.of(coins)
        online = self.chain.is_open
        _enable(self.copy_button, account is not None, "Unlock the wallet first")
        _enable(self.receive_button, account is not None, "Unlock the wallet first")
        _enable(self.faucet_button, account is not None and online and facts is not None and facts.has_faucet,
                "Unlock the wallet first" if account is None else "Not connected" if not online or facts is None
                else f"{facts.name} has no faucet")
        _enable(self.send_button, account is not None and online and balance.total > 0,
                "Not connected" if not online else "This account holds no SOMA yet")
        _enable(self.merge_button, balance.can_merge, "Merging needs two or more coins")
        has_phrase = self.session.is_unlocked() and self.session.vault().has_mnemonic
        _enable(self.add_button, has_phrase,
                "This wallet was imported from a key, not a recovery phrase; use More ▸ Import keys",
                "Derive the next account from your recovery phrase")
        _enable(self.rename_button, account is not None, "Unlock the wallet first")
        self.demo_action.setVisible(online and self.chain.is_sandbox)
        availability = self.session.device_availability()
        self.remember_action.setEnabled(availability.available and self.session.is_unlocked())
        self.remember_action.setToolTip(availability.reason)
        self.remember_action.blockSignals(True)
        self.remember_action.setChecked(self.session.is_remembered())
        self.remember_action.blockSignals(False)
        self.export_csv_button.setEnabled(bool(self.history))
        self.export_csv_button.setToolTip("" if self.history else "No transactions yet")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        QTimer.singleShot(0, self, self.refresh)


def _enable(widget: QWidget, enabled: bool, why: str, tip: str = "") -> None:
    """No dead controls: a disabled control says why in its tooltip."""
    widget.setEnabled(bool(enabled))
    widget.setToolTip(tip if enabled else why)
