"""The wizard's pages. Each page renders a JobView and emits what the user asked for; it performs nothing."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from soma_desktop.core.amounts import AmountError, parse_soma
from soma_desktop.core.crypto import b58encode
from soma_desktop.protocol.reveal import reveal_epoch
from soma_desktop.publish.journal import JobKind, JobState
from soma_desktop.publish.workflow import Action
from soma_desktop.services.publish_preview import commit_fee, create_preview, reveal_fee, stake_minimum
from soma_desktop.ui.chain_status import ChainStatus
from soma_desktop.ui.format import amount_text, bps_text
from soma_desktop.ui.publish.session import JobView
from soma_desktop.ui.widgets.percent_field import PercentField


def _label(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def _browse_row(field: QLineEdit, on_browse) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(field, 1)
    button = QPushButton("Browse…")
    button.clicked.connect(on_browse)
    row.addWidget(button)
    return row


def _gate(button: QPushButton, enabled: bool, why: str) -> None:
    """No dead controls: a disabled button says why."""
    button.setEnabled(enabled)
    button.setToolTip("" if enabled else why)


class Page(QWidget):
    title = ""

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(parent)
        self.chain = chain
        self.hidden = hidden           # amounts are hidden (privacy setting)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.intro = _label()
        self.layout_.addWidget(self.intro)

    def show_view(self, view: JobView, busy: bool) -> None:  # overridden
        return

    def tick(self) -> None:
        """Once a second while shown: pages with a countdown redraw it (overridden)."""
        return

    def finish(self) -> None:
        self.layout_.addStretch(1)


class WeightsPage(Page):
    sig_weights_chosen = Signal(str)
    """Path of the safetensors file to pre-check and use."""

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(chain, hidden, parent)
        self.intro.setText("Choose your model's weights: a SOMA V1 safetensors file (F32). The header is checked "
                           "against the network's architecture before anything else happens.")
        self.path = QLineEdit()
        self.path.setObjectName("weightsPath")
        self.path.setPlaceholderText("/path/to/model.safetensors")
        self.layout_.addLayout(_browse_row(self.path, self._on_browse_clicked))
        self.use = QPushButton("Check and use these weights")
        self.use.setObjectName("useWeightsButton")
        self.use.clicked.connect(lambda: self.sig_weights_chosen.emit(self.path.text().strip()))
        self.layout_.addWidget(self.use, 0, Qt.AlignmentFlag.AlignLeft)
        self.finish()

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Model weights", "", "safetensors (*.safetensors);;All files (*)")
        if path:
            self.path.setText(path)

    def show_view(self, view: JobView, busy: bool) -> None:
        _gate(self.use, not busy, "A step is running.")


class EmbeddingPage(Page):
    sig_import_requested = Signal(str)
    """Path of a JSON list to import."""
    sig_compute_requested = Signal(str)
    """Corpus folder to compute the embedding from with the model."""

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(chain, hidden, parent)
        self.check = _label(name="weightsCheck")
        self.layout_.addWidget(self.check)
        compute = QGroupBox("Compute from a domain corpus (normalised mean of the model's data embeddings)")
        c = QVBoxLayout(compute)
        self.folder = QLineEdit()
        self.folder.setObjectName("corpusFolder")
        self.folder.setPlaceholderText("Folder with text or data files from your model's domain")
        c.addLayout(_browse_row(self.folder, self._on_browse_folder_clicked))
        self.compute = QPushButton("Compute embedding")
        self.compute.setObjectName("computeEmbeddingButton")
        self.compute.clicked.connect(lambda: self.sig_compute_requested.emit(self.folder.text().strip()))
        c.addWidget(self.compute, 0, Qt.AlignmentFlag.AlignLeft)
        self.layout_.addWidget(compute)
        imported = QGroupBox("Or import one (a JSON list of numbers)")
        i = QVBoxLayout(imported)
        self.json_path = QLineEdit()
        self.json_path.setObjectName("embeddingJsonPath")
        i.addLayout(_browse_row(self.json_path, self._on_browse_json_clicked))
        self.import_ = QPushButton("Import embedding")
        self.import_.setObjectName("importEmbeddingButton")
        self.import_.clicked.connect(lambda: self.sig_import_requested.emit(self.json_path.text().strip()))
        i.addWidget(self.import_, 0, Qt.AlignmentFlag.AlignLeft)
        self.layout_.addWidget(imported)
        self.finish()

    def _on_browse_folder_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Corpus folder")
        if path:
            self.folder.setText(path)

    def _on_browse_json_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Embedding", "", "JSON (*.json);;All files (*)")
        if path:
            self.json_path.setText(path)

    def show_view(self, view: JobView, busy: bool) -> None:
        dim = self.chain.state.target_embedding_dim if self.chain.state else None
        self.intro.setText(f"The embedding places your model among the targets: routing sends it the targets "
                           f"nearest to it. It must have exactly <b>{dim}</b> values on this network, and it is "
                           f"stored as exact f32 bytes so the reveal matches the commitment bit for bit.")
        self.check.setText(f"Weights: {view.job.weights_path} ({(view.job.weights_size or 0):,} bytes)")
        _gate(self.compute, not busy, "A step is running.")
        _gate(self.import_, not busy, "A step is running.")


class EncryptPage(Page):
    sig_encrypt_requested = Signal()

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(chain, hidden, parent)
        self.intro.setText("The weights are encrypted with a fresh random key (AES-256-CTR, never reused) while "
                           "their Blake2b-256 checksum is computed. The key stays in your encrypted journal until "
                           "you reveal it in the epoch after the commit.")
        self.button = QPushButton("Encrypt weights")
        self.button.setObjectName("encryptButton")
        self.button.clicked.connect(self.sig_encrypt_requested)
        self.layout_.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        self.finish()

    def show_view(self, view: JobView, busy: bool) -> None:
        _gate(self.button, not busy, "Encryption is running.")


class HostPage(Page):
    sig_host_requested = Signal(str, str, str)
    """(mode 'local' | 'presigned' | 'url', url or PUT URL, public URL for presigned)."""

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], loopback: Callable[[], bool],
                 parent: QWidget | None = None):
        super().__init__(chain, hidden, parent)
        self.loopback = loopback       # validators can reach the built-in server (sandbox, localnet)
        self.intro.setText("Validators download the encrypted file from a URL you keep online with HTTP Range "
                           "support. If it breaks, the model can be reported and 95 % of its stake slashed.")
        self.encrypted = _label(name="encryptedFile")
        self.layout_.addWidget(self.encrypted)
        self.group = QButtonGroup(self)
        self.local = QRadioButton("Built-in local server (sandbox and localnet)")
        self.local.setObjectName("hostLocal")
        self.presigned = QRadioButton("Upload to a pre-signed PUT URL (S3, R2, GCS)")
        self.presigned.setObjectName("hostPresigned")
        self.own = QRadioButton("My own hosting: I uploaded the encrypted file myself")
        self.own.setObjectName("hostOwn")
        form = QFormLayout()
        self.put_url = QLineEdit()
        self.put_url.setObjectName("putUrl")
        self.put_url.setPlaceholderText("https://bucket.s3…/model.bin?X-Amz-Signature=…")
        self.public_url = QLineEdit()
        self.public_url.setObjectName("publicUrl")
        self.public_url.setPlaceholderText("https://… the public download URL of the same object")
        self.own_url = QLineEdit()
        self.own_url.setObjectName("ownUrl")
        self.own_url.setPlaceholderText("https://… serving the encrypted file")
        for index, radio in enumerate((self.local, self.presigned, self.own)):
            self.group.addButton(radio, index)
            self.layout_.addWidget(radio)
            if radio is self.presigned:
                form.addRow("PUT URL", self.put_url)
                form.addRow("Public URL", self.public_url)
                self.layout_.addLayout(form)
            if radio is self.own:
                self.layout_.addWidget(self.own_url)
        self.button = QPushButton("Host and continue")
        self.button.setObjectName("hostButton")
        self.button.clicked.connect(self._on_button_clicked)
        self.layout_.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        self.group.buttonToggled.connect(lambda *_: self._sync())
        self.finish()

    def _on_button_clicked(self) -> None:
        if self.local.isChecked():
            self.sig_host_requested.emit("local", "", "")
        elif self.presigned.isChecked():
            self.sig_host_requested.emit("presigned", self.put_url.text().strip(), self.public_url.text().strip())
        else:
            self.sig_host_requested.emit("url", self.own_url.text().strip(), "")

    def _sync(self) -> None:
        self.put_url.setEnabled(self.presigned.isChecked())
        self.public_url.setEnabled(self.presigned.isChecked())
        self.own_url.setEnabled(self.own.isChecked())

    def show_view(self, view: JobView, busy: bool) -> None:
        local_ok = self.loopback()
        self.local.setEnabled(local_ok)
        self.local.setToolTip("" if local_ok else "Real validators cannot reach a server on your computer; "
                                                  "use a pre-signed URL or your own hosting.")
        checked = self.group.checkedButton()
        if checked is None or not checked.isEnabled():
            (self.local if local_ok else self.presigned).setChecked(True)
        self.encrypted.setText(f"Encrypted file: <code>{view.job.encrypted_path}</code> — "
                               f"{(view.job.size or 0):,} bytes, checksum {b58encode(view.job.checksum or b'')}")
        self._sync()
        _gate(self.button, not busy, "A step is running.")


class VerifyPage(Page):
    sig_verify_requested = Signal()
    sig_rehost_requested = Signal()

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(chain, hidden, parent)
        self.intro.setText("Before anything is committed, the URL is checked like a validator would: a Range "
                           "request, the size, the checksum, and a decryption round-trip with your key.")
        self.url = _label(name="verifyUrl")
        self.report = _label(name="verifyReport")
        self.layout_.addWidget(self.url)
        self.layout_.addWidget(self.report)
        row = QHBoxLayout()
        self.button = QPushButton("Verify URL")
        self.button.setObjectName("verifyButton")
        self.button.clicked.connect(self.sig_verify_requested)
        self.rehost = QPushButton("Change hosting")
        self.rehost.setObjectName("rehostButton")
        self.rehost.clicked.connect(self.sig_rehost_requested)
        row.addWidget(self.button)
        row.addWidget(self.rehost)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.finish()

    def show_view(self, view: JobView, busy: bool) -> None:
        self.url.setText(f"URL: <code>{view.job.url}</code> ({view.job.hosting})")
        try:
            report = json.loads(view.job.verify_report or "{}")
        except ValueError:
            report = {}
        if report:
            marks = [f"{'✔' if report.get(k) else '✘'} {label}" for k, label in
                     (("range_ok", "Range requests"), ("size_ok", "size"), ("checksum_ok", "checksum"),
                      ("decrypt_ok", "decrypts to your weights"))]
            problems = "".join(f"<li>{p}</li>" for p in report.get("problems", []))
            verdict = ("<b>Verified.</b>" if report.get("ok") else
                       "<b style='color:#b91c1c'>Blocked: this URL does not serve your encrypted file. "
                       "Nothing can be committed until it does.</b>")
            self.report.setText(f"{verdict}<br>{' · '.join(marks)}" + (f"<ul>{problems}</ul>" if problems else ""))
        else:
            self.report.setText("Not verified yet.")
        _gate(self.button, not busy, "A check is running.")
        _gate(self.rehost, not busy, "A check is running.")


class CreatePage(Page):
    sig_create_requested = Signal(object, object)
    """(stake in shannons, commission in bps)."""

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(chain, hidden, parent)
        form = QFormLayout()
        self.stake = QLineEdit("1")
        self.stake.setObjectName("stakeField")
        self.commission = PercentField()
        self.commission.setObjectName("commissionField")
        self.commission.set_bps(1_000)
        self.local_name = QLineEdit()
        self.local_name.setObjectName("localModelName")
        self.local_name.setMaxLength(80)
        self.local_name.setPlaceholderText("e.g. Poetry model v2 (optional)")
        self.local_name.setAccessibleName("Model name on this computer")
        self.local_name.setToolTip("The chain stores no names: this one stays on this computer and labels the "
                                   "model in every table, the map and exports")
        form.addRow("Name (only you see it)", self.local_name)
        form.addRow("Stake (SOMA)", self.stake)
        form.addRow("Commission", self.commission)
        self.layout_.addLayout(form)
        self.summary = _label(name="createSummary")
        self.layout_.addWidget(self.summary)
        self.button = QPushButton("Sign and create model")
        self.button.setObjectName("createButton")
        self.button.clicked.connect(self._on_button_clicked)
        self.layout_.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        self.stake.textChanged.connect(lambda _t: self._update())
        self.commission.valueChanged.connect(lambda _v: self._update())
        self._busy = False
        self._allowed = True
        self.finish()

    def _stake(self) -> tuple[int | None, str]:
        try:
            value = parse_soma(self.stake.text())
        except (AmountError, ValueError) as exc:
            return None, str(exc)
        minimum = stake_minimum(self.chain.state)
        if value < minimum:
            return None, f"The stake must be at least {amount_text(minimum)}."
        return value, ""

    def _update(self) -> None:
        state = self.chain.state
        stake, error = self._stake()
        hidden = self.hidden()
        if state is None or stake is None:
            self.summary.setText(f"<span style='color:#b91c1c'>{error or 'Waiting for the chain…'}</span>")
            _gate(self.button, False, error or "Waiting for the chain.")
            return
        if not self._allowed:
            _gate(self.button, False, "The create was sent; waiting for the chain to show its outcome.")
        preview = create_preview(state, stake)
        fee = preview.fee
        self.summary.setText(
            f"<b>What happens:</b> CreateModel takes {amount_text(stake, hidden=hidden)} ({stake:,} shannons) "
            f"from one coin as the model's stake, with {bps_text(self.commission.bps())} commission. "
            f"You must then commit in epoch {state.epoch} or {preview.commit_by}, or 50 % of the "
            f"stake is slashed."
            f"<br><b>Fee (estimate):</b> {amount_text(fee.total, hidden=hidden)} ({fee.total:,} shannons: base "
            f"{fee.base:,} + writes {fee.writes:,} + value {fee.value:,}).")
        if self._allowed:
            _gate(self.button, not self._busy, "A step is running.")

    def _on_button_clicked(self) -> None:
        stake, _error = self._stake()
        if stake is not None:
            self.sig_create_requested.emit(stake, self.commission.bps())

    def show_view(self, view: JobView, busy: bool) -> None:
        self._busy = busy
        self._allowed = view.decision.action is Action.ASK_CREATE
        self.intro.setText("Create the model on chain with its stake (at least the network minimum) and the "
                           "commission it will charge stakers (model pools earn no rewards today).")
        self._update()


class CommitPage(Page):
    sig_commit_requested = Signal()

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(chain, hidden, parent)
        self.summary = _label(name="commitSummary")
        self.layout_.addWidget(self.summary)
        self.button = QPushButton("Sign and commit")
        self.button.setObjectName("commitButton")
        self.button.clicked.connect(self.sig_commit_requested)
        _gate(self.button, False, "Create the model first.")
        self.layout_.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        self.finish()

    def show_view(self, view: JobView, busy: bool) -> None:
        job, d = view.job, view.decision
        state = self.chain.state
        hidden = self.hidden()
        fee = commit_fee(state)
        when = (f"Commit by the end of epoch <b>{d.deadline_epoch}</b> or 50 % of the stake is slashed."
                if job.kind is JobKind.PUBLISH and d.deadline_epoch is not None else
                "The update replaces the weights after its reveal; a missed reveal drops it without penalty.")
        self.intro.setText(f"Model <code>{job.model_id}</code>. {when}")
        self.summary.setText(
            f"<b>What happens:</b> CommitModel records the manifest (URL, size {(job.size or 0):,} bytes, checksum "
            f"{b58encode(job.checksum or b'')}) and the commitments of your key and embedding. The key and "
            f"embedding were read back from the journal and checked against them. You must reveal in exactly "
            f"the next epoch.<br><b>Fee (estimate):</b> "
            + (f"{amount_text(fee, hidden=hidden)} ({fee:,} shannons)." if fee is not None else "—"))
        allowed = d.action is Action.COMMIT
        _gate(self.button, allowed and not busy, d.message if not allowed else "A step is running.")


class WaitPage(Page):
    sig_ics_requested = Signal()
    """Save a calendar reminder for the reveal epoch."""

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(chain, hidden, parent)
        self.countdown = _label(name="waitCountdown")
        self.layout_.addWidget(self.countdown)
        self.ics = QPushButton("Save a calendar reminder (.ics)…")
        self.ics.setObjectName("icsButton")
        self.ics.clicked.connect(self.sig_ics_requested)
        self.layout_.addWidget(self.ics, 0, Qt.AlignmentFlag.AlignLeft)
        self.finish()

    def show_view(self, view: JobView, busy: bool) -> None:
        timed = view.chain.epoch_duration_ms > 0 and self.chain.ms_to_next_epoch() is not None
        _gate(self.ics, timed, "Epochs on this network advance manually; there is no date to remind you of.")
        job = view.job
        opens = reveal_epoch(job.commit_epoch or 0)
        self.intro.setText(f"Committed in epoch <b>{job.commit_epoch}</b>. The reveal opens when epoch <b>{opens}</b> "
                           f"starts and is possible only during that epoch. Keep the app open or come back then: a "
                           f"banner and a notification will remind you.")
        self.tick()

    def tick(self) -> None:
        from soma_desktop.ui.format import duration_text

        ms = self.chain.ms_to_next_epoch()
        if ms is None:
            self.countdown.setText("Sandbox epochs advance only when you ask: choose <b>Sandbox → Advance epoch</b> "
                                   "(Ctrl+E) or press <b>Advance epoch</b> in the status bar, then reveal.")
        else:
            self.countdown.setText(f"Reveal opens in ≈ {duration_text(ms)} (chain time, estimated).")


class RevealPage(Page):
    sig_reveal_requested = Signal()

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(chain, hidden, parent)
        self.summary = _label(name="revealSummary")
        self.layout_.addWidget(self.summary)
        self.button = QPushButton("Sign and reveal")
        self.button.setObjectName("revealButton")
        self.button.clicked.connect(self.sig_reveal_requested)
        _gate(self.button, False, "The reveal opens in the epoch after the commit.")
        self._view: JobView | None = None
        self._busy = False
        self.layout_.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        self.finish()

    def tick(self) -> None:
        if self._view is not None and self.chain.ms_to_next_epoch() is not None:
            self.show_view(self._view, self._busy)

    def show_view(self, view: JobView, busy: bool) -> None:
        from soma_desktop.ui.format import duration_text

        self._view, self._busy = view, busy
        job, d = view.job, view.decision
        epoch = reveal_epoch(job.commit_epoch or 0)
        state = self.chain.state
        fee = reveal_fee(state)
        ms = self.chain.ms_to_next_epoch()
        left = f" (about {duration_text(ms)} left)" if ms is not None else ""
        penalty = ("50 % of the stake is slashed" if job.kind is JobKind.PUBLISH
                   else "the update is dropped (no penalty)")
        self.intro.setText(f"<b>Reveal now.</b> It is possible only during epoch {epoch}{left}; "
                           f"if it is missed, {penalty}.")
        self.summary.setText(
            "<b>What happens:</b> RevealModel publishes the decryption key and the embedding; the model becomes "
            "Active at once and can be routed targets. <b>Fee (estimate):</b> "
            + (f"{amount_text(fee, hidden=self.hidden())}." if fee is not None else "—"))
        allowed = d.action is Action.REVEAL
        _gate(self.button, allowed and not busy, d.message if not allowed else "A step is running.")


class ActivePage(Page):
    sig_new_requested = Signal()
    sig_open_model_requested = Signal(str)
    """Show this model (id) in the Models panel."""

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(chain, hidden, parent)
        self._model_id = ""
        row = QHBoxLayout()
        self.open_button = QPushButton("Open in Models")
        self.open_button.setObjectName("openInModelsButton")
        self.open_button.clicked.connect(self._on_open_clicked)
        self.button = QPushButton("Publish another model")
        self.button.clicked.connect(self.sig_new_requested)
        row.addWidget(self.open_button)
        row.addWidget(self.button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        self.finish()

    def _on_open_clicked(self) -> None:
        if self._model_id:
            self.sig_open_model_requested.emit(self._model_id)

    def show_view(self, view: JobView, busy: bool) -> None:
        job = view.job
        self._model_id = job.model_id or ""
        what = "Your model is <b>Active</b>" if job.kind is JobKind.PUBLISH else "The weights update is <b>live</b>"
        revealed = reveal_epoch(job.commit_epoch or 0)
        self.intro.setText(f"{what}: <code>{job.model_id}</code>, revealed in epoch {revealed}. "
                           f"It can be routed targets from now on; see it in the Models panel.")


class FailedPage(Page):
    sig_new_requested = Signal()

    def __init__(self, chain: ChainStatus, hidden: Callable[[], bool], parent: QWidget | None = None):
        super().__init__(chain, hidden, parent)
        self.history = _label(name="failedHistory")
        self.layout_.addWidget(self.history)
        self.button = QPushButton("Start a new model")
        self.button.clicked.connect(self.sig_new_requested)
        self.layout_.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        self.finish()

    def show_view(self, view: JobView, busy: bool) -> None:
        job, d = view.job, view.decision
        hidden = self.hidden()
        slash = (f"<br><b>Slashed:</b> about {amount_text(d.slash, hidden=hidden)} of the "
                 f"{amount_text(job.stake or 0, hidden=hidden)} stake; stakers can still withdraw what is left."
                 if d.slash else "")
        reason = ""
        if job.state is JobState.MISSED_REVEAL:
            reason = (f"<br>Committed in epoch {job.commit_epoch}; the reveal was possible only during epoch "
                      f"{reveal_epoch(job.commit_epoch or 0)} and none reached the chain then (chain epoch now "
                      f"{view.chain.epoch}). The app never sends a reveal after its window.")
        self.intro.setText(f"<b style='color:#b91c1c'>{d.message}</b>{reason}{slash}")
        lines = "".join(f"<li>{old or '—'} → {new}{(': ' + note) if note else ''}</li>"
                        for old, new, note in view.events[-12:])
        self.history.setText(f"What happened:<ul>{lines}</ul>")
