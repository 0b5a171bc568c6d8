"""Detail view of one registry model: every field, what its state means, and the actions on it.

Anyone can stake to a model or evaluate it; the owner can also publish new weights, change the commission
and deactivate. Every action shows what happens and its fee before the signing button, and what happened
after.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.amounts import AmountError, parse_soma
from soma_desktop.core.crypto import b58encode
from soma_desktop.network.messages import describe_error
from soma_desktop.network.types import ModelInfo, ModelState, TxResult
from soma_desktop.services.model_status import owner_action_fee, stake_preview, stake_refusal, state_chip
from soma_desktop.services.models import ModelsService
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.format import amount_text, bps_text
from soma_desktop.ui.local_names import LocalNames
from soma_desktop.ui.models.registry_table import model_label, pending_text
from soma_desktop.ui.panels.common import Banner
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.ui.widgets.percent_field import PercentField
from soma_desktop.wallet.vault import Account


class ModelDetail(QWidget):
    sig_evaluate_requested = Signal(object)
    """ModelInfo to open in the Evaluate panel."""
    sig_update_requested = Signal(str)
    """Model id whose weights the owner wants to update (publish wizard)."""
    sig_changed = Signal()
    """A transaction on this model finished; reload the registry."""

    def __init__(self, *, models: ModelsService, chain: ChainStatus, bridge: AsyncBridge, session: WalletSession,
                 names: LocalNames, parent: QWidget | None = None):
        super().__init__(parent)
        self.service, self.chain, self.bridge, self.session, self.names = models, chain, bridge, session, names
        self.model: ModelInfo | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.body = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll)
        self.title = QLabel("Select a model.")
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.body.addWidget(self.title)
        self.chip = QLabel()
        self.chip.setObjectName("detailChip")
        self.chip.setWordWrap(True)
        self.body.addWidget(self.chip)
        self.fields = QTextBrowser()      # wraps long ids anywhere; selectable and copyable
        self.fields.setObjectName("detailFields")
        self.fields.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.fields.setFrameShape(QFrame.Shape.NoFrame)
        self.fields.setMinimumHeight(300)
        self.fields.viewport().setAutoFillBackground(False)
        self.body.addWidget(self.fields)
        self.banner = Banner()
        self.banner.setObjectName("detailBanner")
        self.body.addWidget(self.banner)
        self.evaluate = QPushButton("Evaluate")
        self.evaluate.setObjectName("evaluateButton")
        self.evaluate.clicked.connect(self._on_evaluate_clicked)
        self.name_button = QPushButton("Name…")
        self.name_button.setObjectName("modelNameButton")
        self.name_button.setToolTip("Give this model a name that only you see (stored on this computer)")
        self.name_button.clicked.connect(self._on_name_clicked)
        self.name_dialog: QInputDialog | None = None
        actions = QHBoxLayout()
        actions.addWidget(self.evaluate)
        actions.addWidget(self.name_button)
        actions.addStretch(1)
        self.body.addLayout(actions)
        self._build_stake()
        self._build_owner()
        self.body.addStretch(1)
        self.show_model(None)

    # ---- Public API --------------------------------------------------------------------------
    def show_model(self, model: ModelInfo | None) -> None:
        if model is None or self.model is None or model.id != self.model.id:
            self.banner.clear_message()   # keep "what happened" while the same model is re-rendered
        self.model = model
        has = model is not None
        for widget in (self.evaluate, self.name_button, self.stake_box, self.owner_box, self.chip, self.fields):
            widget.setVisible(has)
        if model is None:
            self.title.setText("Select a model to see its details.")
            return
        self._render()

    # ---- Private: building -------------------------------------------------------------------
    def _on_evaluate_clicked(self) -> None:
        if self.model is not None:
            self.sig_evaluate_requested.emit(self.model)

    def _on_update_weights_clicked(self) -> None:
        if self.model is not None:
            self.sig_update_requested.emit(self.model.id)

    def _on_name_clicked(self) -> None:
        if self.model is None:
            return
        model_id = self.model.id
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Name this model")
        dialog.setLabelText(f"A name for {model_id[:10]}… that only you see (stored on this computer). "
                            "Leave it empty to remove the name.")
        dialog.setTextValue(self.names.name(model_id))
        dialog.textValueSelected.connect(lambda text: self.names.set_name(model_id, text))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.name_dialog = dialog
        dialog.open()

    def _build_stake(self) -> None:
        self.stake_box = QGroupBox("Stake to this model")
        v = QVBoxLayout(self.stake_box)
        row = QHBoxLayout()
        self.stake_amount = QLineEdit()
        self.stake_amount.setObjectName("modelStakeAmount")
        self.stake_amount.setPlaceholderText("Amount in SOMA")
        self.stake_button = QPushButton("Sign and stake")
        self.stake_button.setObjectName("modelStakeButton")
        self.stake_button.clicked.connect(self._on_stake_clicked)
        row.addWidget(self.stake_amount, 1)
        row.addWidget(self.stake_button)
        v.addLayout(row)
        self.stake_summary = QLabel()
        self.stake_summary.setObjectName("modelStakeSummary")
        self.stake_summary.setWordWrap(True)
        v.addWidget(self.stake_summary)
        self.stake_amount.textChanged.connect(lambda _t: self._update_stake())
        self.body.addWidget(self.stake_box)

    def _build_owner(self) -> None:
        self.owner_box = QGroupBox("Manage your model")
        v = QVBoxLayout(self.owner_box)
        self.update_weights = QPushButton("Update weights…")
        self.update_weights.setObjectName("updateWeightsButton")
        self.update_weights.clicked.connect(self._on_update_weights_clicked)
        v.addWidget(self.update_weights, 0, Qt.AlignmentFlag.AlignLeft)
        v.addWidget(QLabel("Commission from the next epoch:"))
        row = QHBoxLayout()
        self.commission = PercentField()
        self.commission.setObjectName("newCommission")
        self.commission.setAccessibleName("Commission from the next epoch")
        self.commission_button = QPushButton("Sign and set")
        self.commission_button.setObjectName("setCommissionButton")
        self.commission_button.clicked.connect(self._on_commission_clicked)
        row.addWidget(self.commission)
        row.addWidget(self.commission_button)
        row.addStretch(1)
        v.addLayout(row)
        self.deactivate_confirm = QCheckBox("Deactivation is final and immediate")
        self.deactivate_confirm.setObjectName("deactivateConfirm")
        self.deactivate_button = QPushButton("Sign and deactivate")
        self.deactivate_button.setObjectName("deactivateButton")
        self.deactivate_button.clicked.connect(self._on_deactivate_clicked)
        self.deactivate_confirm.toggled.connect(lambda _c: self._render_owner())
        v.addWidget(self.deactivate_confirm)
        v.addWidget(self.deactivate_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.owner_note = QLabel()
        self.owner_note.setWordWrap(True)
        v.addWidget(self.owner_note)
        self.body.addWidget(self.owner_box)

    # ---- Private: rendering ------------------------------------------------------------------
    def _hidden(self) -> bool:
        return self.session.amounts_hidden()

    def _signer(self) -> Account | None:
        wallet = self.session
        return wallet.current_account() if wallet.is_unlocked() else None

    def _mine(self) -> bool:
        wallet = self.session
        if self.model is None or not wallet.is_unlocked():
            return False
        return self.model.owner in {a.address for a in wallet.accounts()}

    def _render(self) -> None:
        m = self.model
        assert m is not None
        epoch = self.chain.state.epoch if self.chain.state else 0
        chip, text = state_chip(m, epoch)
        self.title.setText(f"<h3 style='margin:0'>{model_label(m)}</h3>")
        self.chip.setText(f"<b>[{chip}]</b> {text}")
        hidden = self._hidden()
        man = m.manifest
        rows = [
            ("Model id", f"<code>{m.id}</code>"), ("Owner", f"<code>{m.owner}</code>"), ("State", m.state.value),
            ("Stake", f"{amount_text(m.stake, hidden=hidden)}" + ("" if hidden else f" ({m.stake:,} shannons)")),
            ("Commission", bps_text(m.commission_rate) + ("" if m.next_commission_rate == m.commission_rate
                                                          else f" → {bps_text(m.next_commission_rate)} next epoch")),
            ("Architecture", f"V{m.architecture_version}"), ("Created in epoch", str(m.create_epoch)),
            ("Commit epoch", "—" if m.commit_epoch is None else str(m.commit_epoch)),
            ("Pending update", pending_text(m)),
            ("Manifest URL", man.url if man else "—"),
            ("Size", f"{man.size:,} bytes" if man else "—"),
            ("Checksum", b58encode(man.checksum) if man else "—"),
            ("Embedding", f"{len(m.embedding)} values" if m.embedding else "not revealed"),
        ]
        self.fields.setHtml("<table>" + "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>"
                                                for k, v in rows) + "</table>")
        can_eval = m.state is ModelState.ACTIVE and m.decryption_key is not None and m.manifest is not None
        self.evaluate.setEnabled(can_eval)
        self.evaluate.setToolTip("" if can_eval else "Only Active models have public weights and key to evaluate.")
        self.commission.set_bps(m.next_commission_rate)
        self._update_stake()
        self._render_owner()

    def _update_stake(self) -> None:
        m, state = self.model, self.chain.state
        if m is None:
            return
        signer = self._signer()
        amount = None
        why = stake_refusal(m, state.epoch if state else 0)
        if not why and signer is None:
            why = "Unlock the wallet to stake."
        elif not why:
            try:
                amount = parse_soma(self.stake_amount.text())
                if amount == 0:
                    why = "Enter an amount above zero."
            except (AmountError, ValueError) as exc:
                why = str(exc) if self.stake_amount.text().strip() else "Enter an amount."
        ok = not why and state is not None and amount is not None
        self.stake_button.setEnabled(ok)
        self.stake_button.setToolTip(why)
        if not ok or state is None or amount is None:
            self.stake_summary.setText(why)
            return
        preview = stake_preview(m, state, amount)
        hidden = self._hidden()
        when = ("counts at once (the model is not yet active)" if preview.routing_from is None
                else f"counts for routing from epoch {preview.routing_from}")
        self.stake_summary.setText(
            f"<b>What happens:</b> AddStakeToModel moves {amount_text(amount, hidden=hidden)} into the model's "
            f"pool; it {when}. Model pools earn no rewards; you can withdraw later from the Staking panel.<br>"
            f"<b>Fee (estimate):</b> {amount_text(preview.fee, hidden=hidden)} ({preview.fee:,} shannons).")

    def _render_owner(self) -> None:
        m = self.model
        mine = self._mine()
        self.owner_box.setVisible(m is not None and mine)
        if m is None or not mine:
            return
        active = m.state is ModelState.ACTIVE
        why = "" if active else "Only an Active model can change commission, be deactivated or get new weights."
        for button in (self.update_weights, self.commission_button):
            button.setEnabled(active)
            button.setToolTip(why)
        can_deactivate = active and self.deactivate_confirm.isChecked()
        self.deactivate_button.setEnabled(can_deactivate)
        self.deactivate_button.setToolTip("" if can_deactivate else (why or "Tick the confirmation first."))
        fee = owner_action_fee(self.chain.state)
        self.owner_note.setText(
            f"Commission changes apply from the next epoch. Deactivation is immediate and without slash; the model "
            f"stops being routed targets and stakers can withdraw. Each costs about "
            f"{amount_text(fee, hidden=self._hidden())} in fees.")

    # ---- Private: actions ----------------------------------------------------------------------
    def _send(self, coro: Coroutine[Any, Any, TxResult], verb: str) -> None:
        self.banner.show_message(f"{verb}…", "info")
        self.bridge.call(coro, on_result=lambda tx: self._on_tx_done(verb, tx),
                         on_error=self._on_tx_failed, tx=True, owner=self, label=verb.lower())

    def _on_tx_done(self, verb: str, tx: TxResult) -> None:
        self.banner.show_message(f"{verb}: done. Fee paid {amount_text(tx.fee, hidden=self._hidden())}; "
                                 f"transaction {tx.digest}.", "ok")
        self.sig_changed.emit()

    def _on_tx_failed(self, exc: BaseException) -> None:
        self.banner.show_message(describe_error(exc), "error")

    def _on_stake_clicked(self) -> None:
        signer, m = self._signer(), self.model
        if signer is None or m is None or not self.chain.is_open:
            return
        amount = parse_soma(self.stake_amount.text())
        self._send(self.service.stake(signer, m.id, amount), "Staking")

    def _on_commission_clicked(self) -> None:
        signer, m = self._signer(), self.model
        if signer is None or m is None or not self.chain.is_open:
            return
        self._send(self.service.set_commission(signer, m.id, self.commission.bps()),
                   "Setting the commission")

    def _on_deactivate_clicked(self) -> None:
        signer, m = self._signer(), self.model
        if signer is None or m is None or not self.chain.is_open or not self.deactivate_confirm.isChecked():
            return
        self.deactivate_confirm.setChecked(False)
        self._send(self.service.deactivate(signer, m.id), "Deactivating")
