"""Stake to a validator or a model: amount with Max (keeping a fee reserve), fee preview, what happens when."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.amounts import format_soma
from soma_desktop.core.ids import short_id
from soma_desktop.network.sdk.coin_check import CoinAdvice
from soma_desktop.network.types import ModelInfo, SystemState, Validator
from soma_desktop.protocol.fees import ChainTx, value_fee_rate
from soma_desktop.protocol.staking import first_reward_epoch, stake_activation_epoch
from soma_desktop.services.quotes import CoinsQuote
from soma_desktop.services.stake_positions import STAKEABLE_MODEL_STATES, model_label
from soma_desktop.services.stake_yield import yield_text
from soma_desktop.ui.format import bps_text
from soma_desktop.ui.theme import MUTED_TEXT_STYLE
from soma_desktop.ui.wallet.common import exact_amount_html, review_button_row, review_page, settle_buttons
from soma_desktop.ui.wallet.merge_offer import MergeOffer
from soma_desktop.ui.widgets.amount_field import AmountField
from soma_desktop.wallet.vault import Account

__all__ = ["STAKEABLE_MODEL_STATES", "StakeDialog", "model_label"]


class StakeDialog(QDialog):
    """Emits `sig_stake_confirmed(kind, target_id, shannons)`; kind is "validator" or "model"."""

    sig_stake_confirmed = Signal(str, str, object)   # shannons: a Python int of any size
    sig_merge_requested = Signal()     # the user wants to merge coins first (the dialog closes)

    def __init__(self, *, account: Account, quote: CoinsQuote, state: SystemState | None,
                 validators: list[Validator], models: list[ModelInfo], preselect: tuple[str, str] | None = None,
                 parent: QWidget | None = None):
        """`quote`: the account's coins on the open network (WalletService.quote); `state`: the chain's last
        polled state (the epoch the stake activates after)."""
        super().__init__(parent)
        self.account = account
        self.quote = quote
        self.epoch = state.epoch if state is not None else 0
        self.epoch_duration_ms = state.epoch_duration_ms if state is not None else 0
        self.targets: list[tuple[str, str, str]] = []   # (kind, id, name)
        self.setWindowTitle("Stake SOMA")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_form(validators, models))
        self.pages.addWidget(self._build_review())
        layout.addWidget(self.pages)
        settle_buttons(self, self.review_button)   # Enter on the form reviews; signing needs a click
        if preselect is not None:
            for i, (kind, target_id, _name) in enumerate(self.targets):
                if (kind, target_id) == preselect:
                    self.target_combo.setCurrentIndex(i)
        self._on_target_changed()

    # ---- pages ---------------------------------------------------------------------------------
    def _build_form(self, validators: list[Validator], models: list[ModelInfo]) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        form = QFormLayout()
        self.target_combo = QComboBox()
        self.target_combo.setObjectName("targetCombo")
        sandbox = self.quote.sandbox
        for v in validators:
            apy = yield_text(v.pool, self.epoch_duration_ms, sandbox)
            self.targets.append(("validator", v.address, v.name or short_id(v.address)))
            self.target_combo.addItem(f"Validator {v.name or short_id(v.address)} — commission "
                                      f"{bps_text(v.commission_rate)}, {'return' if sandbox else 'APY'} {apy}")
        for m in models:
            if m.state in STAKEABLE_MODEL_STATES:
                self.targets.append(("model", m.id, model_label(m)))
                self.target_combo.addItem(f"Model {model_label(m)} — stake {format_soma(m.stake, max_decimals=2)}")
        self.amount = AmountField()
        self.max_stake = self.quote.max_stake()
        self.amount.set_limit(self.quote.stake_limit(),
                              "can be staked from your largest coin; merge coins to stake more"
                              if self.quote.split else "")
        self.fee_label = QLabel()
        self.fee_label.setObjectName("feeLabel")
        self.total_label = QLabel()
        self.when_label = QLabel()
        self.when_label.setObjectName("whenLabel")
        self.when_label.setWordWrap(True)
        form.addRow("From", QLabel(f"{self.account.name}  <code>{short_id(self.account.address)}</code>"))
        form.addRow("Stake to", self.target_combo)
        form.addRow("Amount", self.amount)
        form.addRow("Network fee", self.fee_label)
        form.addRow("Total", self.total_label)
        outer.addLayout(form)
        outer.addWidget(self.when_label)
        reserve = QLabel(f"Max keeps {format_soma(self.quote.reserve())} back for the fees of later "
                         "transactions (such as the withdrawal).")
        reserve.setWordWrap(True)
        reserve.setStyleSheet(MUTED_TEXT_STYLE)
        outer.addWidget(reserve)
        if self.quote.split:
            outer.addWidget(self._build_merge_note())
        self.merge_offer = MergeOffer()        # the network may pay from a coin that cannot carry the stake
        self.merge_offer.sig_merge_requested.connect(self._on_merge_clicked)
        outer.addWidget(self.merge_offer)
        buttons, self.review_button = review_button_row(self, self._on_review_clicked)
        outer.addLayout(buttons)
        self.target_combo.currentIndexChanged.connect(self._on_target_changed)
        self.amount.sig_amount_changed.connect(self._on_inputs_changed)
        self.amount.sig_max_requested.connect(self._on_amount_max_requested)
        return page

    def _build_merge_note(self) -> QWidget:
        """A stake is paid from one coin: say so, and offer to merge the coins into one first."""
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.merge_note = QLabel(
            f"Your {format_soma(self.quote.balance)} is split over {self.quote.coin_count} coins. A stake is paid "
            f"from one coin, so at most your largest coin ({format_soma(self.quote.largest)}, less the fee) can be "
            "staked at "
            "once. Merge your coins into one to stake more.")
        self.merge_note.setObjectName("mergeNote")
        self.merge_note.setWordWrap(True)
        self.merge_button = QPushButton("Merge coins…")
        self.merge_button.setObjectName("mergeCoinsButton")
        self.merge_button.setToolTip("Close this dialog and merge all coins of this account into one")
        self.merge_button.clicked.connect(self._on_merge_clicked)
        row.addWidget(self.merge_note, 1)
        row.addWidget(self.merge_button)
        return box

    def _on_merge_clicked(self) -> None:
        self.sig_merge_requested.emit()
        self.reject()

    def _build_review(self) -> QWidget:
        page, self.summary, self.stake_button = review_page(
            "Check before you stake", "stakeSummary", "Sign and stake", "stakeButton",
            lambda: self.pages.setCurrentIndex(0), self._on_stake_clicked)
        return page

    # ---- behaviour -----------------------------------------------------------------------------
    def target(self) -> tuple[str, str, str] | None:
        index = self.target_combo.currentIndex()
        return self.targets[index] if 0 <= index < len(self.targets) else None

    def _kind(self) -> ChainTx:
        target = self.target()
        return ChainTx.ADD_STAKE_TO_MODEL if target is not None and target[0] == "model" else ChainTx.ADD_STAKE

    def _on_target_changed(self, *_args) -> None:
        target = self.target()
        if target is None:
            self.when_label.setText("No validator or model accepts stake right now.")
        elif target[0] == "validator":
            self.when_label.setText(
                f"Activates at the start of epoch {stake_activation_epoch(self.epoch)}; rewards show in the pool's "
                f"exchange rate from epoch {first_reward_epoch(self.epoch)}. You can withdraw at any time: before "
                "activation you get the principal back; after it, principal plus rewards (the running epoch's "
                "rewards are forfeited).")
        else:
            self.when_label.setText(
                "Model pools earn no rewards: your stake raises the model's selection weight (√stake) for "
                "targets. You can withdraw the principal at any time.")
        self._on_inputs_changed()

    def _on_amount_max_requested(self) -> None:
        self.amount.set_value(self.max_stake)

    def _on_inputs_changed(self, *_args) -> None:
        amount = self.amount.value()
        if amount is None:
            self.merge_offer.withdraw()
        if amount is None:
            rate = value_fee_rate(self._kind(), self.quote.params.value_fee_bps)
            self.fee_label.setText(f"≈ {format_soma(self.quote.base_fee(self._kind()))} + {rate / 100:g}% of the "
                                   "amount")
            self.total_label.setText("—")
        else:
            q = self.quote.stake(self._kind(), amount)
            self.fee_label.setText(f"≈ {format_soma(q.fee_low)}")
            self.total_label.setText(format_soma(q.total_low))
        why = ("Choose a validator or model" if self.target() is None else
               "Enter an amount" if amount is None else self._merge_reason(amount))
        self.review_button.setEnabled(not why)
        self.review_button.setToolTip(why)

    def _merge_reason(self, amount: int) -> str:
        """The stake comes out of the coin that pays the fee: can every coin the network may pick carry both?"""
        verdict = self.quote.stake_verdict(self._kind(), amount)
        if verdict.advice is not CoinAdvice.MERGE_FIRST:
            self.merge_offer.withdraw()
            return ""
        self.merge_offer.offer(verdict.reason)
        return verdict.reason

    def _on_review_clicked(self) -> None:
        target, amount = self.target(), self.amount.value()
        if target is None or amount is None:
            return
        q = self.quote.stake(self._kind(), amount)
        what = "validator" if target[0] == "validator" else "model"
        self.summary.setText(
            f"Stake {exact_amount_html(amount)}<br>to {what} <b>{target[2]}</b> <code>{short_id(target[1])}</code>"
            f"<br><br>Network fee ≈ {exact_amount_html(q.fee_low)}<br>Total from {self.account.name}: "
            f"{exact_amount_html(q.total_low)}<br><br>{self.when_label.text()}")
        self.pages.setCurrentIndex(1)

    def _on_stake_clicked(self) -> None:
        target, amount = self.target(), self.amount.value()
        if target is None or amount is None:
            return
        self.sig_stake_confirmed.emit(target[0], target[1], amount)
        self.accept()
