"""Submit… an evaluated file to a target it would hit: what happens, what it costs, then an explicit signature.

Hosting and SubmitData run in EvaluateService on the bridge's loop (tx=True: a timeout is an unknown outcome,
not a failure); the dialog ends in the digest and the bond taken, or a plain error.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.amounts import format_soma
from soma_desktop.core.ids import short_id
from soma_desktop.core.settings import Settings
from soma_desktop.publish.submission import SubmissionHostingError
from soma_desktop.services.evaluate.service import EvaluateService
from soma_desktop.services.submit import CannotSubmit, SubmitPlan, Submitted
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.wallet.common import exact_amount_html, plain_error, settle_buttons
from soma_desktop.ui.wallet_session import WalletSession
from soma_desktop.wallet.vault import Account


class SubmitDialog(QDialog):
    """`builtin_hosting`: the app's own data server hosts the file (sandbox, localnet); else the user gives a URL."""

    def __init__(self, *, plan: SubmitPlan, builtin_hosting: bool, evaluate: EvaluateService,
                 wallet: WalletSession, chain: ChainStatus, bridge: AsyncBridge, settings: Settings,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.plan, self.builtin_hosting = plan, builtin_hosting
        self.evaluate, self.wallet, self.chain, self.bridge, self.settings = evaluate, wallet, chain, bridge, settings
        self.submitted: Submitted | None = None
        self.setWindowTitle("Submit data to a target")
        self.setMinimumWidth(600)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h3>Submit data to a target</h3>"))
        self.summary = QLabel(self._summary_html())
        self.summary.setObjectName("submitSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.url_edit, self.put_edit = QLineEdit(), QLineEdit()
        if not builtin_hosting:
            form = QFormLayout()
            self.url_edit.setPlaceholderText("https://… (public, immutable: validators download the data here)")
            self.put_edit.setPlaceholderText("optional: a pre-signed upload URL that serves the public URL")
            form.addRow("Data URL", self.url_edit)
            form.addRow("Upload to", self.put_edit)
            layout.addLayout(form)
        self.status = QLabel("")
        self.status.setObjectName("submitStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.submit_button = QPushButton("Sign and submit")
        self.submit_button.setObjectName("submitButton")
        self.submit_button.clicked.connect(self._on_submit_clicked)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.submit_button)
        layout.addLayout(buttons)
        settle_buttons(self, self.cancel_button)     # signing spends money: never the default button
        self.cancel_button.setFocus()
        self._sync_signer()

    def _summary_html(self) -> str:
        plan, hidden = self.plan, self.settings.hide_amounts
        where = ("this app's built-in data server" if self.builtin_hosting
                 else "the URL below (read back before anything is signed)")
        return (f"Submit <b>{plan.data_path.name}</b> ({plan.size:,} bytes) to target "
                f"<code>{plan.target.id}</code> with model <code>{plan.model_id}</code>.<br>"
                f"Distance {plan.distance:.6f} ≤ threshold {plan.target.distance_threshold:.6f}; "
                f"loss {plan.loss[0]:.6f}.<br>The data is hosted on {where}.<br><br>"
                f"Bond (65 shannons per byte, returned when the target is claimed): "
                f"{exact_amount_html(plan.bond, hidden)}<br>"
                f"Network fee ≈ {exact_amount_html(plan.fee.total, hidden)}<br>"
                f"Total: {exact_amount_html(plan.total, hidden)}<br><br>"
                "A submission is final once confirmed. If validators holding two thirds of the voting power "
                "report it during the audit window, the bond goes to them instead.")

    def _signer(self) -> Account | None:
        return self.wallet.current_account() if self.wallet.is_unlocked() else None

    def _sync_signer(self) -> None:
        signer = self._signer()
        self.submit_button.setEnabled(signer is not None and self.chain.is_open)
        if signer is None:
            self.status.setText("Unlock the wallet to sign the submission.")
        else:
            self.status.setText(f"Paid by {signer.name} <code>{signer.address}</code>.")

    def _on_submit_clicked(self) -> None:
        signer = self._signer()
        if signer is None or not self.chain.is_open:
            self._sync_signer()
            return
        url, put_url = self.url_edit.text().strip() or None, self.put_edit.text().strip() or None
        if not self.builtin_hosting and not url:
            self.status.setText("Enter the public URL validators will download the data from.")
            return
        release = self.wallet.hold()
        self.submit_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.status.setText("Hosting the data, reading it back, then submitting…")
        job = self.evaluate.submit(signer, self.plan, url=None if self.builtin_hosting else url, put_url=put_url)

        def on_result(done: Submitted) -> None:
            release()
            self._on_submitted(done)

        def on_error(exc: BaseException) -> None:
            release()
            self._on_failed(exc)

        self.bridge.call(job, tx=True, timeout=300.0, owner=self, label="submit data", on_result=on_result,
                         on_error=on_error)

    def _on_submitted(self, done: Submitted) -> None:
        self.submitted = done
        hidden = self.settings.hide_amounts
        self.status.setText(f"<b>Submitted.</b> Target {short_id(self.plan.target.id)} is filled; bond "
                            f"{exact_amount_html(done.bond, hidden)} taken, fee {format_soma(done.fee)}.<br>"
                            f"Digest <code>{done.digest}</code>")
        self.submit_button.hide()
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)

    def _on_failed(self, exc: BaseException) -> None:
        own = isinstance(exc, (SubmissionHostingError, CannotSubmit))   # messages written for the user
        self.status.setText(f"Not submitted: {exc}" if own else plain_error(exc))
        self.cancel_button.setEnabled(True)
        self._sync_signer_button()

    def _sync_signer_button(self) -> None:
        self.submit_button.setEnabled(self._signer() is not None and self.chain.is_open)
