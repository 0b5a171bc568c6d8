"""Send SOMA: recipient, amount (Max), live fee preview and total, then a review page before signing."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.amounts import format_soma
from soma_desktop.core.ids import short_id
from soma_desktop.network.sdk.coin_check import CoinAdvice
from soma_desktop.protocol.fees import ChainTx
from soma_desktop.services.quotes import CoinsQuote
from soma_desktop.ui.local_names import LocalNames, address_label
from soma_desktop.ui.wallet.common import exact_amount_html, review_button_row, review_page, settle_buttons
from soma_desktop.ui.wallet.merge_offer import MergeOffer
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.ui.widgets.address_field import AddressField
from soma_desktop.ui.widgets.amount_field import AmountField
from soma_desktop.wallet.vault import Account


class SendDialog(QDialog):
    """Emits `sig_send_confirmed(recipient, shannons)` when the user presses Send on the review page."""

    sig_send_confirmed = Signal(str, object)   # shannons: a Python int of any size
    sig_merge_requested = Signal()             # Merge coins first (the dialog closes)

    def __init__(self, *, account: Account, quote: CoinsQuote, session: WalletSession, book: LocalNames,
                 parent: QWidget | None = None):
        """`quote`: the account's coins on the open network (WalletService.quote); `session`: your other
        accounts as recipients; `book`: the address book."""
        super().__init__(parent)
        self.account = account
        self.quote = quote
        self.session = session
        self.book = book
        self.setWindowTitle("Send SOMA")
        self.setMinimumWidth(600)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_form())
        self.pages.addWidget(self._build_review())
        layout.addWidget(self.pages)
        settle_buttons(self, self.review_button)   # Enter on the form reviews; signing needs a click
        self._on_inputs_changed()

    # ---- pages ---------------------------------------------------------------------------------
    def _build_form(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        form = QFormLayout()
        form.addRow("From", QLabel(f"{self.account.name}  <code>{self.account.address}</code>"))
        self.recipient = AddressField()
        self.amount = AmountField()
        limit, after_merge = self.quote.send_limit()
        self.amount.set_limit(limit, "can be sent after merging coins" if after_merge else "")
        self.fee_label = QLabel()
        self.fee_label.setObjectName("feeLabel")
        self.total_label = QLabel()
        self.total_label.setObjectName("totalLabel")
        to_row = QHBoxLayout()
        to_row.addWidget(self.recipient, 1)
        to_row.addWidget(self._build_contacts_button(), 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("To", to_row)
        form.addRow("Amount", self.amount)
        form.addRow("Network fee", self.fee_label)
        form.addRow("Total", self.total_label)
        outer.addLayout(form)
        if self.quote.split:
            note = QLabel(f"Your {format_soma(self.quote.balance)} is split over {self.quote.coin_count} coins; "
                          f"one transaction spends from one coin (largest: {format_soma(self.quote.largest)}). "
                          "Merge coins on the Wallet panel to send more at once.")
            note.setWordWrap(True)
            outer.addWidget(note)
        self.merge_offer = MergeOffer()
        self.merge_offer.sig_merge_requested.connect(self._on_merge_requested)
        outer.addWidget(self.merge_offer)
        buttons, self.review_button = review_button_row(self, self._on_review_clicked)
        outer.addLayout(buttons)
        self.recipient.sig_address_changed.connect(self._on_inputs_changed)
        self.amount.sig_amount_changed.connect(self._on_inputs_changed)
        self.amount.sig_max_requested.connect(self._on_amount_max_requested)
        return page

    def _build_contacts_button(self) -> QToolButton:
        """Pick the recipient from your other accounts or the address book."""
        self.contacts_button = QToolButton()
        self.contacts_button.setText("Contacts")
        self.contacts_button.setObjectName("contactsButton")
        self.contacts_button.setAccessibleName("Pick a recipient from your accounts or the address book")
        self.contacts_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.contacts_button)
        own = [a for a in self._own_accounts() if a.address != self.account.address]
        for account in own:
            menu.addAction(f"{account.name} (yours) — {short_id(account.address)}",
                           partial(self.recipient.set_text, account.address))
        contacts = self.book.entries()
        if own and contacts:
            menu.addSeparator()
        for address, name in contacts:
            menu.addAction(f"{name} — {short_id(address)}", partial(self.recipient.set_text, address))
        self.contacts_button.setMenu(menu)
        self.contacts_button.setEnabled(bool(own or contacts))
        self.contacts_button.setToolTip("" if own or contacts else "No other accounts or contacts yet "
                                        "(Wallet ▸ More ▸ Address book)")
        return self.contacts_button

    def _build_review(self) -> QWidget:
        page, self.summary, self.send_button = review_page(
            "Check before you send", "sendSummary", "Sign and send", "sendButton",
            lambda: self.pages.setCurrentIndex(0), self._on_send_clicked)
        return page

    # ---- behaviour -----------------------------------------------------------------------------
    def _on_merge_requested(self) -> None:
        self.sig_merge_requested.emit()
        self.reject()

    def _on_amount_max_requested(self) -> None:
        self.amount.set_value(self.quote.max_send())

    def _on_inputs_changed(self, *_args) -> None:
        amount, recipient = self.amount.value(), self.recipient.value()
        if amount is None:
            self.fee_label.setText(f"≈ {format_soma(self.quote.base_fee(ChainTx.TRANSFER_COIN))} + "
                                   f"{self.quote.params.value_fee_bps / 100:g}% of the amount")
            self.total_label.setText("—")
        else:
            q = self.quote.send(amount)
            self.fee_label.setText(f"≈ {format_soma(q.fee_low)}" if q.exact else
                                   f"{format_soma(q.fee_low)} – {format_soma(q.fee_high)} (the SDK picks which coin "
                                   "pays)")
            self.total_label.setText(format_soma(q.total_low) if q.exact else
                                     f"{format_soma(q.total_low)} – {format_soma(q.total_high)}")
        merge = self._merge_reason(amount)
        why = ("Enter the recipient's address" if recipient is None else
               "Enter an amount" if amount is None else
               "That is your own address" if recipient == self.account.address else merge)
        self.review_button.setEnabled(not why)
        self.review_button.setToolTip(why)

    def _merge_reason(self, amount: int | None) -> str:
        """Plain words when the coins held cannot pay `amount` + fee as the network pays, but merged they can."""
        if amount is None:
            self.merge_offer.withdraw()
            return ""
        verdict = self.quote.send_verdict(amount)
        if verdict.advice is not CoinAdvice.MERGE_FIRST:
            self.merge_offer.withdraw()
            return ""
        self.merge_offer.offer(verdict.reason)
        return verdict.reason

    def _on_review_clicked(self) -> None:
        amount, recipient = self.amount.value(), self.recipient.value()
        if amount is None or recipient is None or self._merge_reason(amount):
            return
        q = self.quote.send(amount)
        upto = "" if q.exact else (f" (up to {exact_amount_html(q.fee_high)} if the SDK pays the fee from another "
                                   "of your coins: one more object is written)")
        self.summary.setText(
            f"Send {exact_amount_html(amount)}<br>to {self._recipient_name(recipient)}<code>{recipient}</code><br><br>"
            f"Network fee ≈ {exact_amount_html(q.fee_low)}{upto}<br>Total from {self.account.name}: "
            f"{exact_amount_html(q.total_low)}<br><br>"
            "The transfer is final once confirmed; it cannot be reversed.")
        self.pages.setCurrentIndex(1)

    def _recipient_name(self, recipient: str) -> str:
        own = {a.address: a.name for a in self._own_accounts()}
        label = address_label(self.book, recipient, own)
        return f"<b>{label.split(' (')[0]}</b> " if "(" in label else ""

    def _own_accounts(self) -> list[Account]:
        return self.session.accounts() if self.session.is_unlocked() else []

    def _on_send_clicked(self) -> None:
        amount, recipient = self.amount.value(), self.recipient.value()
        if amount is None or recipient is None:
            return
        self.sig_send_confirmed.emit(recipient, amount)
        self.accept()
