"""Staking panel: your positions (state, rewards to date, withdraw), validators with APY, model pools,
and the epoch countdown that decides when stake activates."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.amounts import format_soma
from soma_desktop.core.ids import short_id
from soma_desktop.protocol.staking import first_reward_epoch, stake_activation_epoch
from soma_desktop.services.chain_cache import MODELS, VALIDATORS, Change, Kind
from soma_desktop.services.stake_positions import STAKEABLE_MODEL_STATES, Position, StakeState, Totals
from soma_desktop.services.stake_yield import SANDBOX_NOTE, yield_text, yield_tip
from soma_desktop.services.staking import StakingService, StakingSnapshot
from soma_desktop.services.wallet import TxOutcome, WalletService
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_signals import ChainSignals, touches
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.format import amount_text, bps_text, duration_text
from soma_desktop.ui.panels.common import Banner, PanelHeader
from soma_desktop.ui.theme import MUTED_TEXT_STYLE
from soma_desktop.ui.wallet.account_picker import AccountPicker
from soma_desktop.ui.wallet.common import exact_amount_html, plain_error, wallet_button_text, wallet_missing_text
from soma_desktop.ui.wallet.merge_offer import MergeOffer, merge_first_reason
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.ui.widgets.empty_state import attach_empty_state
from soma_desktop.wallet.history import TxRecord

POSITION_COLUMNS = ("Staked to", "Principal", "Rewards to date", "Value now", "State")
VALIDATOR_COLUMNS = ("Validator", "Voting power", "Commission", "Pool balance", "APY (est.)")
MODEL_COLUMNS = ("Model", "State", "Stake", "Owner")
STATE_COLOR = {StakeState.ACTIVATING: "#b45309", StakeState.EARNING: "#15803d", StakeState.ROUTING: "#1d4ed8",
               StakeState.WITHDRAWABLE: "#6b7280"}


def state_chip(position: Position, epoch: int) -> tuple[str, str]:
    """(chip text, explanation) per ux.md §6."""
    state = position.state
    if state is StakeState.ACTIVATING:
        return (f"Activating – epoch {position.stake.activation_epoch}",
                f"Counts for rewards from epoch {position.stake.activation_epoch}; rewards show in the exchange rate "
                "one epoch later. Withdrawing now returns the principal.")
    if state is StakeState.EARNING:
        return ("Earning", "Active since epoch "
                f"{position.stake.activation_epoch}. Withdraw at any time: principal plus rewards to date; the "
                f"running epoch {epoch}'s rewards are forfeited.")
    if state is StakeState.ROUTING:
        return ("Supports routing – no rewards", "Model pools earn nothing; the stake raises the model's selection "
                "weight (√stake). Withdraw at any time for the principal.")
    return ("Withdrawable – pool inactive", "The pool no longer earns; withdraw to get the SOMA back.")


class StakingPanel(QWidget):
    def __init__(self, *, session: WalletSession, staking: StakingService, wallet: WalletService,
                 chain: ChainStatus, changes: ChainSignals, bridge: AsyncBridge, parent: QWidget | None = None):
        """`chain`: connection, epoch and countdown; `changes`: what the chain cache read anew."""
        super().__init__(parent)
        self.session = session
        self.staking = staking
        self.wallet = wallet
        self.chain = chain
        self.changes = changes
        self.bridge = bridge
        self.snapshot: StakingSnapshot | None = None
        self.positions: list[Position] = []
        self.active_dialog: QWidget | None = None
        self._in_flight = False
        self._again = False
        layout = QVBoxLayout(self)
        self.header = PanelHeader("Staking", "Stake to validators to earn a share of their rewards, or to models to "
                                             "raise their weight. Stake activates at the next epoch.")
        self.epoch_label = QLabel("Epoch —")
        self.epoch_label.setObjectName("stakingEpoch")
        self.header.row.addWidget(self.epoch_label)
        layout.addWidget(self.header)
        self.banner = Banner()
        self.banner.setObjectName("stakingBanner")
        layout.addWidget(self.banner)
        self.merge_offer = MergeOffer()          # shown when a stake was refused until the coins are merged
        self.merge_offer.sig_merge_requested.connect(self.open_merge)
        layout.addWidget(self.merge_offer)
        layout.addWidget(self._build_positions(), 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_validators(), "Validators")
        self.tabs.addTab(self._build_models(), "Models")
        layout.addWidget(self.tabs, 1)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._update_epoch_label)
        self._tick.start()
        self.session.sig_account_changed.connect(self._on_session_account_changed)
        self.session.sig_amounts_hidden_changed.connect(self._on_session_amounts_hidden_changed)
        chain.watch(VALIDATORS, MODELS)
        changes.changed.connect(self._on_chain_changed)   # a tx from any panel moves coins and stakes
        chain.network_changed.connect(self._on_network_changed)
        chain.epoch_changed.connect(self._on_epoch_changed)
        chain.state_changed.connect(self._update_epoch_label)
        self._update_epoch_label()
        self._sync_actions()

    # ---- layout --------------------------------------------------------------------------------
    def _build_positions(self) -> QWidget:
        box = QGroupBox("Your stakes")
        layout = QVBoxLayout(box)
        self.totals_label = QLabel()
        self.totals_label.setObjectName("stakeTotals")
        self.totals_label.setWordWrap(True)
        top = QHBoxLayout()
        self.account_picker = AccountPicker(self.session)
        top.addWidget(self.account_picker)
        top.addWidget(self.totals_label, 1)
        layout.addLayout(top)
        self.positions_table = _table(POSITION_COLUMNS, "positionsTable")
        self.positions_table.itemSelectionChanged.connect(self._sync_actions)
        layout.addWidget(self.positions_table, 1)
        attach_empty_state(self.positions_table, "No stakes yet. Pick a validator below and press Stake… — it "
                                                 "starts earning from the next epoch.")
        self.position_note = QLabel()
        self.position_note.setObjectName("positionNote")
        self.position_note.setWordWrap(True)
        self.position_note.setStyleSheet(MUTED_TEXT_STYLE)
        layout.addWidget(self.position_note)
        row = QHBoxLayout()
        self.unlock_button = QPushButton("Unlock wallet…")
        self.unlock_button.setObjectName("stakingUnlockButton")
        self.unlock_button.clicked.connect(lambda: self.session.request_unlock(self))
        self.stake_button = QPushButton("Stake…")
        self.stake_button.setObjectName("stakeButton")
        self.stake_button.clicked.connect(lambda: self.open_stake())
        self.withdraw_button = QPushButton("Withdraw…")
        self.withdraw_button.setObjectName("withdrawButton")
        self.withdraw_button.clicked.connect(self.open_withdraw)
        row.addWidget(self.unlock_button)
        row.addWidget(self.stake_button)
        row.addWidget(self.withdraw_button)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    def _build_validators(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.validators_table = _table(VALIDATOR_COLUMNS, "validatorsTable")
        self.validators_table.doubleClicked.connect(lambda _i: self._stake_to_selected("validator"))
        layout.addWidget(self.validators_table)
        note = QLabel("APY (on the sandbox: the return per epoch) is estimated from the pool's exchange-rate growth "
                      "over recent epochs (after commission), compounded per epoch; past yield does not promise "
                      "future yield.")
        note.setWordWrap(True)
        note.setStyleSheet(MUTED_TEXT_STYLE)
        layout.addWidget(note)
        return page

    def _build_models(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.models_table = _table(MODEL_COLUMNS, "modelsTable")
        self.models_table.doubleClicked.connect(lambda _i: self._stake_to_selected("model"))
        layout.addWidget(self.models_table)
        row = QHBoxLayout()
        note = QLabel("Model pools earn no rewards; stake raises a model's chance to be picked for targets.")
        note.setWordWrap(True)
        note.setStyleSheet(MUTED_TEXT_STYLE)
        self.stake_model_button = QPushButton("Stake to this model…")
        self.stake_model_button.setObjectName("stakeModelButton")
        self.stake_model_button.clicked.connect(lambda: self._stake_to_selected("model"))
        row.addWidget(note, 1)
        row.addWidget(self.stake_model_button)
        layout.addLayout(row)
        self.models_table.itemSelectionChanged.connect(self._sync_actions)
        return page

    # ---- Public API ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read validators, models, and the account's stakes and coins in one go (newest request wins)."""
        if not self.chain.is_open:
            return
        if self._in_flight:
            self._again = True
            return
        self._in_flight = True
        account = self.session.current_account()
        address = account.address if account is not None else None
        self.bridge.call(self.staking.snapshot(address), on_result=self._on_snapshot_loaded,
                         on_error=self._on_snapshot_failed, owner=self, label="staking overview")

    def open_stake(self, preselect: tuple[str, str] | None = None) -> None:
        from soma_desktop.ui.wallet.stake_dialog import StakeDialog

        account, snap = self.session.current_account(), self.snapshot
        if account is None or snap is None or snap.address != account.address:
            return
        dialog = StakeDialog(account=account, quote=self.wallet.quote(snap.coins, self.chain.state),
                             state=self.chain.state, validators=snap.validators, models=snap.models,
                             preselect=preselect, parent=self)
        dialog.sig_stake_confirmed.connect(self._on_stake_confirmed)
        dialog.sig_merge_requested.connect(self.open_merge)
        self._open(dialog)

    def open_merge(self) -> None:
        """Merge the account's coins into one (a stake spends from a single coin)."""
        from soma_desktop.ui.wallet.confirm_dialog import ConfirmDialog

        account, snap = self.session.current_account(), self.snapshot
        if account is None or snap is None or len(snap.coins) < 2:
            return
        fee = self.wallet.quote(snap.coins, self.chain.state).merge_fee()
        dialog = ConfirmDialog("Merge coins", f"Merge {len(snap.coins)} coins of {account.name}: all but the smallest "
                               f"become one coin, so one stake can use nearly the whole balance.<br><br>"
                               f"Network fee ≈ {exact_amount_html(fee)}",
                               "Sign and merge", self)
        dialog.sig_confirmed.connect(self._on_merge_confirmed)
        self._open(dialog)

    def open_withdraw(self) -> None:
        from soma_desktop.ui.wallet.confirm_dialog import ConfirmDialog

        position = self.selected_position()
        if position is None:
            return
        fee = self.wallet.quote([], self.chain.state).withdraw_fee(position.stake.principal)
        if position.state is StakeState.ACTIVATING:
            what = "The stake has not activated yet: you get the principal back and it earns nothing."
        elif position.state is StakeState.EARNING:
            what = ("You get the principal plus the rewards to date. Rewards of the running epoch are forfeited. "
                    "The coin arrives immediately.")
        else:
            what = "You get the principal back. The coin arrives immediately."
        summary = (f"Withdraw from <b>{position.target_name}</b><br>"
                   f"Principal {exact_amount_html(position.stake.principal)}"
                   f"<br>Rewards to date {exact_amount_html(position.rewards)}<br>You receive ≈ "
                   f"{exact_amount_html(position.value)}<br>Network fee ≈ {exact_amount_html(fee)}<br><br>{what}")
        dialog = ConfirmDialog("Withdraw stake", summary, "Sign and withdraw", self)
        dialog.sig_confirmed.connect(lambda p=position: self._on_withdraw_confirmed(p))
        self._open(dialog)

    def selected_position(self) -> Position | None:
        rows = self.positions_table.selectionModel().selectedRows()
        if rows and rows[0].row() < len(self.positions):
            return self.positions[rows[0].row()]
        return None

    def select_position(self, row: int) -> None:
        self.positions_table.selectRow(row)

    # ---- Private: events -----------------------------------------------------------------------
    def _on_session_account_changed(self, _account) -> None:
        self.refresh()
        self._sync_actions()

    def _on_session_amounts_hidden_changed(self, _hidden: bool) -> None:
        self._render()

    def _on_network_changed(self, _network) -> None:
        self.snapshot = None
        self.refresh()

    def _on_chain_changed(self, change: Change) -> None:
        """Render again from the cache when something this panel shows changed (no read of its own)."""
        account = self.session.current_account()
        address = account.address if account is not None else None
        if self.changes.is_current(change) and change.error is None and (
                touches(change, Kind.VALIDATORS, Kind.MODELS)
                or (address is not None and touches(change, Kind.COINS, Kind.STAKES, address=address))):
            self.refresh()

    def _on_epoch_changed(self, epoch: int) -> None:
        if self.banner.property("kind") in ("ok", "info"):   # "activates at epoch N" is stale now
            self.banner.clear_message()
        self.refresh()

    def _on_snapshot_loaded(self, snapshot: StakingSnapshot) -> None:
        self._in_flight = False
        self.snapshot = snapshot
        self._render()
        if self._again:
            self._again = False
            self.refresh()

    def _on_snapshot_failed(self, exc: BaseException) -> None:
        self._in_flight = False
        self._again = False
        self.banner.show_message(plain_error(exc), "error")

    def _stake_to_selected(self, kind: str) -> None:
        table = self.validators_table if kind == "validator" else self.models_table
        rows = table.selectionModel().selectedRows()
        if not rows:
            self.open_stake()
            return
        item = table.item(rows[0].row(), 0)
        self.open_stake((kind, item.data(Qt.ItemDataRole.UserRole)) if item is not None else None)

    # ---- Private: transactions -------------------------------------------------------------------
    def _on_stake_confirmed(self, kind: str, target_id: str, amount: int) -> None:
        account = self.session.current_account()
        if account is None or not self.chain.is_open:
            self.banner.show_message("Not sent: the wallet is locked or the network is offline.", "error")
            return
        self.stake_button.setEnabled(False)
        self.banner.show_message(f"Staking {amount_text(amount)}…", "info")
        job = (self.staking.stake(account, target_id, amount) if kind == "validator"
               else self.staking.stake_to_model(account, target_id, amount))
        epoch = self.chain.state.epoch if self.chain.state is not None else 0
        self.session.sign_and_run(job, lambda out: self._on_staked(out, epoch), self._on_tx_failed, "stake",
                                  owner=self)

    def _on_withdraw_confirmed(self, position: Position) -> None:
        account = self.session.current_account()
        if account is None or not self.chain.is_open:
            return
        self.withdraw_button.setEnabled(False)
        self.banner.show_message(f"Withdrawing from {position.target_name}…", "info")
        job = self.staking.withdraw(account, position.stake.id, position.target_id, position.value)
        self.session.sign_and_run(job, lambda out: self._on_withdrawn(position, out), self._on_tx_failed,
                                  "withdraw stake", owner=self)

    def _on_merge_confirmed(self) -> None:
        account = self.session.current_account()
        if account is None or not self.chain.is_open:
            return
        self.merge_offer.withdraw()
        self.banner.show_message("Merging coins…", "info")
        self.session.sign_and_run(self.wallet.merge(account), self._on_merged, self._on_tx_failed,
                                  "merge coins", owner=self)

    def _on_merged(self, record: TxRecord) -> None:
        self.banner.show_message(f"Coins merged; fee {format_soma(record.fee or 0)}. You can stake the whole balance "
                                 f"now (digest {record.digest}).", "ok")
        self.refresh()

    def _on_staked(self, outcome: TxOutcome, epoch: int) -> None:
        record, result = outcome.record, outcome.result
        self.banner.show_message(f"Staked {amount_text(record.amount)}; fee {format_soma(result.fee)}. It activates "
                                 f"at epoch {stake_activation_epoch(epoch)} (digest {result.digest}).", "ok")
        self.refresh()

    def _on_withdrawn(self, position: Position, outcome: TxOutcome) -> None:
        result = outcome.result
        self.banner.show_message(f"Withdrew ≈ {amount_text(position.value)} from {position.target_name}; fee "
                                 f"{format_soma(result.fee)} (digest {result.digest}).", "ok")
        self.refresh()

    def _on_tx_failed(self, exc: BaseException) -> None:
        reason = merge_first_reason(exc)
        if reason is not None:
            self.banner.show_message("Not sent: the coins must be merged first.", "warning")
            self.merge_offer.offer(reason)
        else:
            self.banner.show_message(plain_error(exc), "error")
        self.refresh()

    # ---- Private: view -------------------------------------------------------------------------
    def _open(self, dialog: QDialog) -> None:
        self.session.touch()
        self.active_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _update_epoch_label(self, *_args) -> None:
        state = self.chain.state
        if state is None:
            if self.epoch_label.text() != "Epoch —":
                self.epoch_label.setText("Epoch —")
            return
        remaining = self.chain.ms_to_next_epoch()
        if remaining is None:
            when = "epochs advance manually (Sandbox ▸ Advance epoch)"
        elif remaining == 0:
            when = "next epoch due now"
        else:
            when = f"next epoch in ≈ {duration_text(remaining)}"
        text = f"<b>Epoch {state.epoch}</b> · {when}"
        if self.epoch_label.text() != text:   # ticks every second: skip no-op calls into Qt
            self.epoch_label.setText(text)

    def _render(self) -> None:
        snap = self.snapshot
        if snap is None:
            return
        if self.banner.property("kind") == "error":
            self.banner.clear_message()
        hidden = self.session.amounts_hidden()
        self._render_positions(snap, hidden)
        self._render_validators(snap, hidden)
        self._render_models(snap, hidden)
        self._sync_actions()

    def _render_positions(self, snap: StakingSnapshot, hidden: bool) -> None:
        epoch = snap.state.epoch
        account = self.session.current_account()
        mine = account is not None and snap.address == account.address
        self.positions = snap.positions(account.address if account is not None else None)
        table = self.positions_table
        table.setRowCount(len(self.positions))
        for row, p in enumerate(self.positions):
            chip, tip = state_chip(p, epoch)
            cells = (f"{'Validator' if p.target_kind == 'validator' else 'Model'} {p.target_name}",
                     amount_text(p.stake.principal, hidden=hidden), amount_text(p.rewards, hidden=hidden),
                     amount_text(p.value, hidden=hidden), chip)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if 1 <= col <= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if col == 4:
                    item.setForeground(QColor(STATE_COLOR[p.state]))
                    item.setToolTip(tip)
                table.setItem(row, col, item)
        if account is None:
            self.totals_label.setText(wallet_missing_text(self.session, "to see and manage your stakes."))
            self.position_note.setText("")
            return
        totals = Totals.of(self.positions)
        available = snap.balance if mine else 0
        self.totals_label.setText(
            f"<b>{account.name}</b> — staked {amount_text(totals.principal, hidden=hidden)} · rewards to date "
            f"<span style='color:#15803d'>{amount_text(totals.rewards, hidden=hidden)}</span> · available "
            f"{amount_text(available, hidden=hidden)}")
        if not self.positions:
            self.position_note.setText("No stakes yet. Pick a validator below and press Stake…")
        elif totals.activating:
            self.position_note.setText(f"{totals.activating} stake(s) activate when epoch "
                                       f"{stake_activation_epoch(epoch)} starts; rewards appear in the exchange rate "
                                       f"from epoch {first_reward_epoch(epoch)}.")
        else:
            self.position_note.setText("Rewards compound through each pool's exchange rate at every epoch boundary.")

    def _render_validators(self, snap: StakingSnapshot, hidden: bool) -> None:
        table = self.validators_table
        table.setRowCount(len(snap.validators))
        duration = snap.state.epoch_duration_ms
        sandbox = self.chain.is_sandbox
        table.setHorizontalHeaderItem(4, QTableWidgetItem("Return (est.)" if sandbox else VALIDATOR_COLUMNS[4]))
        for row, v in enumerate(snap.validators):
            commission = bps_text(v.commission_rate)
            if v.next_commission_rate != v.commission_rate:
                commission += f" → {bps_text(v.next_commission_rate)} next epoch"
            tip = yield_tip(v.pool)
            yield_cell = yield_text(v.pool, duration, sandbox)
            cells = (v.name or short_id(v.address), bps_text(v.voting_power), commission,
                     amount_text(v.pool.soma_balance, hidden=hidden, decimals=2), yield_cell)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, v.address)
                    item.setToolTip(v.address)
                if col == 4:
                    item.setToolTip("Not enough exchange-rate history yet (needs two epochs)" if tip is None
                                    else f"{tip}; epochs last {duration_text(duration)}"
                                         + (f"\n{SANDBOX_NOTE}" if sandbox else ""))
                table.setItem(row, col, item)

    def _render_models(self, snap: StakingSnapshot, hidden: bool) -> None:
        table = self.models_table
        table.setRowCount(len(snap.models))
        for row, m in enumerate(snap.models):
            cells = (m.title or short_id(m.id), m.state.value.capitalize(),
                     amount_text(m.stake, hidden=hidden, decimals=2), short_id(m.owner))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setData(Qt.ItemDataRole.UserRole, m.id)
                    item.setToolTip(m.id)
                table.setItem(row, col, item)

    def _sync_actions(self) -> None:
        account = self.session.current_account()
        snap = self.snapshot
        online = self.chain.is_open and snap is not None
        self.unlock_button.setVisible(account is None)
        self.unlock_button.setText(wallet_button_text(self.session))
        no_wallet = wallet_missing_text(self.session)
        funded = (self.chain.is_open and snap is not None and account is not None and snap.address == account.address
                  and snap.balance > 0)
        why = (no_wallet if account is None else "Loading…" if not online
               else "This account holds no SOMA to stake")
        _enable(self.stake_button, funded, why)
        position = self.selected_position()
        _enable(self.withdraw_button, position is not None and account is not None,
                "Select one of your stakes above" if account is not None else no_wallet)
        rows = self.models_table.selectionModel().selectedRows()
        model_ok = False
        if rows and self.snapshot is not None and rows[0].row() < len(self.snapshot.models):
            model_ok = self.snapshot.models[rows[0].row()].state in STAKEABLE_MODEL_STATES
        _enable(self.stake_model_button, funded and model_ok,
                why if not funded else "Select a created, pending or active model")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        QTimer.singleShot(0, self, self.refresh)


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


def _enable(widget: QWidget, enabled: bool, why: str) -> None:
    widget.setEnabled(bool(enabled))
    widget.setToolTip("" if enabled else why)
