"""Send SOMA: recipient, amount (Max), live fee preview and total, then a review page before signing."""

from __future__ import annotations

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
from soma_desktop.network.types import Coin
from soma_desktop.protocol.fees import ChainTx, FeeParams, estimate_fee, fee_span, max_amount
from soma_desktop.ui.local_names import address_book, address_label
from soma_desktop.ui.wallet.common import exact_amount_html, review_button_row, review_page, settle_buttons
from soma_desktop.ui.wallet.merge_offer import MergeOffer, coin_verdict
from soma_desktop.ui.widgets.address_field import AddressField
from soma_desktop.ui.widgets.amount_field import AmountField


class SendDialog(QDialog):
    """Emits `sig_send_confirmed(recipient, shannons)` when the user presses Send on the review page."""

    sig_send_confirmed = Signal(str, object)   # shannons: a Python int of any size
    sig_merge_requested = Signal()             # Merge coins first (the dialog closes)

    def __init__(self, ctx, account, coins: list[Coin], parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.account = account
        self.params = FeeParams.from_state(ctx.state)
        self.coins = list(coins)
        self.largest = max((c.balance for c in coins), default=0)
        self.balance = sum(c.balance for c in coins)
        self.setWindowTitle("Send SOMA")
        self.setMinimumWidth(600)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_form(len(coins)))
        self.pages.addWidget(self._build_review())
        layout.addWidget(self.pages)
        settle_buttons(self, self.review_button)   # Enter on the form reviews; signing needs a click
        self._on_inputs_changed()

    # ---- pages ---------------------------------------------------------------------------------
    def _build_form(self, coin_count: int) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        form = QFormLayout()
        form.addRow("From", QLabel(f"{self.account.name}  <code>{self.account.address}</code>"))
        self.recipient = AddressField()
        self.amount = AmountField()
        self.amount.set_limit(*self._limit())
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
        if coin_count > 1 and self.largest < self.balance:
            note = QLabel(f"Your {format_soma(self.balance)} is split over {coin_count} coins; one transaction "
                          f"spends from one coin (largest: {format_soma(self.largest)}). Merge coins on the Wallet "
                          "panel to send more at once.")
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
        wallet = getattr(self.ctx, "wallet", None)
        own = [a for a in (wallet.accounts() if wallet is not None and wallet.is_unlocked() else [])
               if a.address != self.account.address]
        for account in own:
            menu.addAction(f"{account.name} (yours) — {short_id(account.address)}",
                           lambda a=account.address: self.recipient.set_text(a))
        contacts = address_book(self.ctx).entries()
        if own and contacts:
            menu.addSeparator()
        for address, name in contacts:
            menu.addAction(f"{name} — {short_id(address)}", lambda a=address: self.recipient.set_text(a))
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
    def _limit(self) -> tuple[int, str]:
        """What one coin can send now, or, with split coins, what the coin a merge builds could (the merge
        keeps the smallest coin apart and pays its own fee): above the largest coin, Merge first is offered."""
        single = max_amount(ChainTx.TRANSFER_COIN, self.largest, self.params)
        if len(self.coins) < 2:
            return single, ""
        smallest = min(c.balance for c in self.coins)
        merged = self.balance - smallest - estimate_fee(ChainTx.MERGE_COINS, self.params, smallest).total
        return max(single, max_amount(ChainTx.TRANSFER_COIN, merged, self.params)), "can be sent after merging coins"

    def _on_merge_requested(self) -> None:
        self.sig_merge_requested.emit()
        self.reject()

    def _on_amount_max_requested(self) -> None:
        self.amount.set_value(max_amount(ChainTx.TRANSFER_COIN, self.largest, self.params))

    def _on_inputs_changed(self, *_args) -> None:
        amount, recipient = self.amount.value(), self.recipient.value()
        if amount is None:
            self.fee_label.setText(f"≈ {format_soma(estimate_fee(ChainTx.TRANSFER_COIN, self.params).total)} + "
                                   f"{self.params.value_fee_bps / 100:g}% of the amount")
            self.total_label.setText("—")
        else:
            low, high = self._fee_span(amount)
            self.fee_label.setText(f"≈ {format_soma(low)}" if low == high else
                                   f"{format_soma(low)} – {format_soma(high)} (the SDK picks which coin pays)")
            self.total_label.setText(format_soma(amount + low) if low == high else
                                     f"{format_soma(amount + low)} – {format_soma(amount + high)}")
        merge = self._merge_reason(amount)
        why = ("Enter the recipient's address" if recipient is None else
               "Enter an amount" if amount is None else
               "That is your own address" if recipient == self.account.address else merge)
        self.review_button.setEnabled(not why)
        self.review_button.setToolTip(why)

    def _fee_span(self, amount: int) -> tuple[int, int]:
        """The fee range the network's coin choice allows (one number on the sandbox and with a single coin)."""
        network = self.ctx.network
        random_pick = network is not None and not network.is_sandbox and len(self.coins) > 1
        low, high = fee_span(ChainTx.TRANSFER_COIN, self.params, amount, random_gas_coin=random_pick)
        return low.total, high.total

    def _merge_reason(self, amount: int | None) -> str:
        """Plain words when the coins held cannot pay `amount` + fee as the network pays, but merged they can."""
        if amount is None:
            self.merge_offer.withdraw()
            return ""
        fee = estimate_fee(ChainTx.TRANSFER_COIN, self.params, amount).total
        verdict = coin_verdict(self.ctx.network, self.coins, amount, fee)
        if verdict.advice is not CoinAdvice.MERGE_FIRST:
            self.merge_offer.withdraw()
            return ""
        self.merge_offer.offer(verdict.reason)
        return verdict.reason

    def _on_review_clicked(self) -> None:
        amount, recipient = self.amount.value(), self.recipient.value()
        if amount is None or recipient is None or self._merge_reason(amount):
            return
        fee, high = self._fee_span(amount)
        upto = "" if high == fee else (f" (up to {exact_amount_html(high)} if the SDK pays the fee from another of "
                                       "your coins: one more object is written)")
        self.summary.setText(
            f"Send {exact_amount_html(amount)}<br>to {self._recipient_name(recipient)}<code>{recipient}</code><br><br>"
            f"Network fee ≈ {exact_amount_html(fee)}{upto}<br>Total from {self.account.name}: "
            f"{exact_amount_html(amount + fee)}<br><br>"
            "The transfer is final once confirmed; it cannot be reversed.")
        self.pages.setCurrentIndex(1)

    def _recipient_name(self, recipient: str) -> str:
        wallet = getattr(self.ctx, "wallet", None)
        own = {a.address: a.name for a in wallet.accounts()} if wallet is not None and wallet.is_unlocked() else {}
        label = address_label(self.ctx, recipient, own)
        return f"<b>{label.split(' (')[0]}</b> " if "(" in label else ""

    def _on_send_clicked(self) -> None:
        amount, recipient = self.amount.value(), self.recipient.value()
        if amount is None or recipient is None:
            return
        self.sig_send_confirmed.emit(recipient, amount)
        self.accept()
