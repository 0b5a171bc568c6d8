"""Targets list: status, reward, threshold, assigned models and claim state, paged through every target,
with a Claim action that shows the split (protocol.md §5.7) and the fee before signing."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.ids import short_id
from soma_desktop.network.messages import describe_error
from soma_desktop.network.types import Target, TargetPage, TargetStatus, TxResult
from soma_desktop.services.models import ModelsService
from soma_desktop.services.targets import ClaimAllOutcome, ClaimPlan, claim_preview, claim_state, claimable
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.format import amount_text
from soma_desktop.ui.panels.common import Banner
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.ui.widgets.empty_state import attach_empty_state
from soma_desktop.ui.widgets.list_table_model import ListTableModel

COLUMNS = ("Target", "Status", "Reward", "Threshold", "Generated", "Assigned models", "Claim")
FILTERS = (("All", None), ("Open", TargetStatus.OPEN), ("Filled", TargetStatus.FILLED),
           ("Claimable", TargetStatus.CLAIMABLE))


def plan_text(plan: ClaimPlan, amount: Callable[[int], str]) -> str:
    """The claim-all review: how many, what you get, what the fees cost (HTML)."""
    return (f"Claim <b>{len(plan.targets)}</b> target(s). Each claim is its own transaction: it pays out the "
            f"reward (submitter, model owner, and you as the claimer) and deletes the target.<br><br>"
            f"You receive about {amount(plan.claimer_total)} in claimer fees; the network fees come to about "
            f"{amount(plan.fees_total)} in all.<br><br>Claims already sent stay done if a later one fails.")


class TargetsTableModel(ListTableModel):
    columns = COLUMNS

    def __init__(self, parent=None):
        super().__init__(parent)
        self.targets: list[Target] = []
        self.epoch = 0
        self.hide_amounts = False
        self.labels: dict[str, str] = {}     # model id -> title

    def reset(self, targets: list[Target], epoch: int) -> None:
        self.beginResetModel()
        self.targets, self.epoch = list(targets), epoch
        self.endResetModel()

    def append(self, targets: list[Target]) -> None:
        if not targets:
            return
        start = len(self.targets)
        self.beginInsertRows(QModelIndex(), start, start + len(targets) - 1)
        self.targets.extend(targets)
        self.endInsertRows()

    def remove(self, target_id: str) -> None:
        row = next((i for i, t in enumerate(self.targets) if t.id == target_id), -1)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.targets[row]
            self.endRemoveRows()

    def rows(self) -> list:
        return self.targets

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        t = self.targets[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return t
        if role == Qt.ItemDataRole.ToolTipRole:
            return t.id if index.column() == 0 else ", ".join(t.model_ids) if index.column() == 5 else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        models = ", ".join(self.labels.get(m, short_id(m)) for m in t.model_ids) or "—"
        return (short_id(t.id), t.status.value, amount_text(t.reward_pool, hidden=self.hide_amounts, decimals=4),
                f"{t.distance_threshold:.4f}", str(t.generation_epoch), models,
                claim_state(t, self.epoch))[index.column()]


class TargetsView(QWidget):
    sig_claimed = Signal(str)
    """Target id that was claimed (the object is deleted on chain)."""

    def __init__(self, *, models: ModelsService, chain: ChainStatus, bridge: AsyncBridge, session: WalletSession,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.service, self.chain, self.bridge, self.session = models, chain, bridge, session
        self.next_token: str | None = None
        self._loading = False
        self._generation = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(QLabel("Status:"))
        self.filter = QComboBox()
        self.filter.setObjectName("targetStatusFilter")
        for text, status in FILTERS:
            self.filter.addItem(text, status)
        self.filter.currentIndexChanged.connect(lambda _i: self.reload())
        top.addWidget(self.filter)
        self.count = QLabel()
        self.count.setObjectName("targetCount")
        top.addWidget(self.count, 1)
        self.more = QPushButton("Load more")
        self.more.setObjectName("loadMoreTargets")
        self.more.clicked.connect(self._on_more_clicked)
        top.addWidget(self.more)
        self.claim_all_button = QPushButton("Claim all…")
        self.claim_all_button.setObjectName("claimAllButton")
        self.claim_all_button.setToolTip("Claim every claimable target with the current account, after a review")
        self.claim_all_button.clicked.connect(self._on_claim_all_clicked)
        top.addWidget(self.claim_all_button)
        self.active_dialog: QDialog | None = None     # the claim-all review while it is open
        layout.addLayout(top)
        self.banner = Banner()
        self.banner.setObjectName("targetsBanner")
        layout.addWidget(self.banner)
        split = QSplitter(Qt.Orientation.Vertical)
        self.model = TargetsTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("targetsTable")
        self.table.setModel(self.model)
        attach_empty_state(self.table, "No targets match this filter (yet). New targets appear at each epoch; "
                                       "try the status filter \u201cAll\u201d.")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)
        self.table.verticalScrollBar().valueChanged.connect(self._on_scroll_value_changed)
        split.addWidget(self.table)
        claim = QWidget()
        c = QVBoxLayout(claim)
        self.claim_text = QLabel("Select a target to see its details and whether it can be claimed.")
        self.claim_text.setObjectName("claimPreview")
        self.claim_text.setWordWrap(True)
        self.claim_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        c.addWidget(self.claim_text)
        self.claim = QPushButton("Sign and claim")
        self.claim.setObjectName("claimButton")
        self.claim.setEnabled(False)
        self.claim.clicked.connect(self._on_claim_clicked)
        c.addWidget(self.claim, 0, Qt.AlignmentFlag.AlignLeft)
        c.addStretch(1)
        split.addWidget(claim)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 1)
        split.setSizes([460, 220])
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)

    # ---- Public API --------------------------------------------------------------------------
    def set_model_labels(self, labels: dict[str, str]) -> None:
        self.model.labels = labels

    def reload(self) -> None:
        """Start again from the first page (newest targets first)."""
        self._generation += 1
        self.next_token = None
        self.model.reset([], self.chain.state.epoch if self.chain.state else 0)
        self.model.hide_amounts = self.session.amounts_hidden()
        self._loading = False
        self._fetch()

    def selected(self) -> Target | None:
        index = self.table.currentIndex()
        return self.model.targets[index.row()] if index.isValid() else None

    # ---- Private -----------------------------------------------------------------------------
    def _fetch(self) -> None:
        if not self.chain.is_open or self._loading:
            return
        self._loading = True
        self.more.setEnabled(False)
        generation = self._generation
        self.bridge.call(self.service.targets_page(self.filter.currentData(), self.next_token),
                         on_result=lambda page: self._on_page(generation, page), on_error=self._on_error,
                         owner=self, label="targets")

    def _on_page(self, generation: int, page: TargetPage) -> None:
        if generation != self._generation:   # the filter changed meanwhile: newest request wins
            return
        self._loading = False
        self.model.append(page.targets)
        self.next_token = page.next_page_token
        more = self.next_token is not None
        self.more.setEnabled(more)
        self.more.setToolTip("" if more else "Every target is loaded.")
        n = self.model.rowCount()
        self.count.setText(f"{n} targets loaded" + ("; more available" if more else " (all)"))

    def _on_error(self, exc: BaseException) -> None:
        self._loading = False
        self.more.setEnabled(self.next_token is not None)
        self.banner.show_message(describe_error(exc), "error")

    def _on_more_clicked(self) -> None:
        self._fetch()

    def _on_scroll_value_changed(self, value: int) -> None:
        """Scrolling to the end loads the next page, so every target is reachable by scrolling."""
        bar = self.table.verticalScrollBar()
        if value >= bar.maximum() > 0 and self.next_token is not None and not self._loading:
            self._fetch()

    def _on_table_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._render_claim(self.model.targets[current.row()] if current.isValid() else None)

    def _render_claim(self, t: Target | None) -> None:
        state = self.chain.state
        if t is None or state is None:
            self.claim.setEnabled(False)
            self.claim_text.setText("Select a target.")
            return
        hidden = self.session.amounts_hidden()
        head = (f"<b>Target</b> <code>{t.id}</code><br>Status {t.status.value}, reward "
                f"{amount_text(t.reward_pool, hidden=hidden)}, threshold {t.distance_threshold:.4f}, generated in "
                f"epoch {t.generation_epoch}. Assigned models: "
                f"{', '.join(self.model.labels.get(m, short_id(m)) for m in t.model_ids) or '—'}.")
        if not claimable(t, state.epoch):
            self.claim.setEnabled(False)
            self.claim.setToolTip(claim_state(t, state.epoch))
            self.claim_text.setText(f"{head}<br><b>{claim_state(t, state.epoch)}.</b>")
            return
        unlocked = self.session.is_unlocked()
        preview = claim_preview(t, state)
        split = preview.split

        def a(x: int) -> str:
            return amount_text(x, hidden=hidden) + ("" if hidden else f" ({x:,} shannons)")
        if preview.filled:
            split_text = (f"submitter {short_id(t.submitter or '')} gets {a(split.submitter)} plus the bond "
                          f"{a(split.bond_returned)} back; model owner {short_id(t.winning_model_owner or '')} gets "
                          f"{a(split.model_owner)}; you (the claimer) get {a(split.claimer)}.")
        else:
            split_text = (f"nobody filled it: you (the claimer) get {a(split.claimer)} as finder fee; "
                          f"{a(split.to_emission_pool)} returns to the emission pool.")
        self.claim_text.setText(f"{head}<br><b>Claim:</b> ClaimRewards pays the reward out and deletes the target: "
                                f"{split_text}<br><b>Fee (estimate):</b> {a(preview.fee)}.")
        self.claim.setEnabled(unlocked)
        self.claim.setToolTip("" if unlocked else "Unlock the wallet to claim.")

    def _on_claim_clicked(self) -> None:
        t = self.selected()
        signer = self.session.current_account()
        if t is None or signer is None or not self.chain.is_open:
            return
        self.claim.setEnabled(False)
        self.banner.show_message("Claiming…", "info")
        self.bridge.call(self.service.claim(signer, t.id), on_result=functools.partial(self._on_claimed, t.id),
                         on_error=self._on_claim_failed, tx=True, owner=self, label="claim")

    def _on_claim_all_clicked(self) -> None:
        if not self.session.is_unlocked() or not self.chain.is_open:
            self.banner.show_message("Unlock the wallet to claim (the claimer fee goes to your account).", "warning")
            return
        self.claim_all_button.setEnabled(False)
        self.banner.show_message("Looking for claimable targets…", "info")
        self.bridge.call(self.service.claim_plan(), on_result=self._on_claim_plan, on_error=self._on_claim_all_failed,
                         owner=self, label="claimable targets")

    def _on_claim_plan(self, plan: ClaimPlan) -> None:
        from soma_desktop.ui.wallet.confirm_dialog import ConfirmDialog

        self.claim_all_button.setEnabled(True)
        if not plan.targets:
            self.banner.show_message("Nothing to claim right now: no target is claimable in this epoch.", "info")
            return
        self.banner.clear_message()
        hidden = self.session.amounts_hidden()
        summary = plan_text(plan, lambda x: amount_text(x, hidden=hidden))
        dialog = ConfirmDialog("Claim all", summary, f"Sign {len(plan.targets)} claim(s)", self)
        dialog.sig_confirmed.connect(self._on_claim_all_confirmed)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.active_dialog = dialog
        dialog.open()

    def _on_claim_all_confirmed(self) -> None:
        signer = self.session.current_account() if self.session.is_unlocked() else None
        if signer is None or not self.chain.is_open:
            return
        self.claim_all_button.setEnabled(False)
        self.banner.show_message("Claiming… each target is one transaction.", "info")
        self.bridge.call(self.service.claim_all(signer), on_result=self._on_claim_all_done,
                         on_error=self._on_claim_all_failed, tx=True, timeout=600.0, owner=self, label="claim all")

    def _on_claim_all_done(self, outcome: ClaimAllOutcome) -> None:
        self.claim_all_button.setEnabled(True)
        hidden = self.session.amounts_hidden()
        text = (f"Claimed {len(outcome.claimed)} target(s); fees paid {amount_text(outcome.fees, hidden=hidden)}.")
        if outcome.failures:
            first_id, reason = outcome.failures[0]
            text += (f" {len(outcome.failures)} could not be claimed (first: {short_id(first_id)}: {reason}). "
                     "Press Claim all again to retry them.")
        self.banner.show_message(text, "warning" if outcome.failures else "ok")
        for target_id in outcome.claimed:
            self.model.remove(target_id)
        if outcome.claimed:
            self.sig_claimed.emit(outcome.claimed[-1])     # one refresh of the registry, not one per claim
        self._render_claim(self.selected())

    def _on_claim_all_failed(self, exc: BaseException) -> None:
        self.claim_all_button.setEnabled(True)
        self.banner.show_message(describe_error(exc), "error")

    def _on_claimed(self, target_id: str, tx: TxResult) -> None:
        hidden = self.session.amounts_hidden()
        self.banner.show_message(f"Claimed target {short_id(target_id)}: the payouts are new coins; fee paid "
                                 f"{amount_text(tx.fee, hidden=hidden)}; transaction {tx.digest}.", "ok")
        self.model.remove(target_id)
        self.table.clearSelection()
        self._render_claim(self.selected())
        self.sig_claimed.emit(target_id)

    def _on_claim_failed(self, exc: BaseException) -> None:
        self.banner.show_message(describe_error(exc), "error")
        self._render_claim(self.selected())
