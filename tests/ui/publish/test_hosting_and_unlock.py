"""Hosting by pre-signed PUT (progress, retry after a 503) and opening the journal only after unlock."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PySide6.QtCore import Qt

from soma_desktop.publish.blob_server import BlobServer
from soma_desktop.publish.journal import JobState
from tests.ui.publish.helpers import drive_to_host, wait_step
from tests.ui.publish.test_publish_wizard import _panel
from tests.ui.publish.wallet_double import FakeWallet


class _PutStore(BaseHTTPRequestHandler):
    """A bucket stand-in: the first PUT answers 503 (to exercise the retry), later ones store the body."""

    protocol_version = "HTTP/1.1"
    failures_left = 1

    def do_PUT(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        cls = type(self)
        if cls.failures_left > 0:
            cls.failures_left -= 1
            self.send_response(503)
        else:
            (self.server.root / self.path.strip("/").split("?")[0]).write_bytes(body)
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        return


def test_presigned_put_upload_with_retry_then_verified(qtbot, app, tmp_path):
    ctx = app()
    panel = _panel(qtbot, ctx)
    w = drive_to_host(qtbot, ctx, panel, tmp_path)
    bucket = tmp_path / "bucket"
    bucket.mkdir()
    put_server = ThreadingHTTPServer(("127.0.0.1", 0), _PutStore)
    put_server.root = bucket
    threading.Thread(target=put_server.serve_forever, daemon=True).start()
    progress: list[tuple[str, int, int]] = []
    panel.session.sig_progress_changed.connect(lambda stage, done, total: progress.append((stage, done, total)))
    try:
        with BlobServer(bucket) as public:
            w.host_page.presigned.setChecked(True)
            w.host_page.put_url.setText(f"http://127.0.0.1:{put_server.server_address[1]}/model.bin?X-Sig=abc")
            w.host_page.public_url.setText(public.url_for("model.bin"))
            qtbot.mouseClick(w.host_page.button, Qt.MouseButton.LeftButton)
            wait_step(qtbot, panel, "verify", timeout=30_000)
            assert w.view.job.hosting == "presigned" and _PutStore.failures_left == 0
            qtbot.mouseClick(w.verify_page.button, Qt.MouseButton.LeftButton)
            wait_step(qtbot, panel, "create")
    finally:
        put_server.shutdown()
        put_server.server_close()
    assert w.view.job.state is JobState.UPLOAD_VERIFIED
    size = w.view.job.size
    uploads = [p for p in progress if p[0] == "Uploading"]
    assert uploads.count(("Uploading", size, size)) == 2      # the 503 attempt, then the stored one
    panel.session.close()


def test_locked_wallet_asks_for_unlock_then_resumes(qtbot, app):
    ctx = app()
    ctx.wallet = FakeWallet(unlocked=False)
    panel = _panel(qtbot, ctx)
    assert panel.locked.isVisible() and not panel.new.isEnabled()
    assert "Unlock" in panel.new.toolTip()
    qtbot.mouseClick(panel.unlock, Qt.MouseButton.LeftButton)
    assert ctx.wallet.unlock_requests == 1
    qtbot.waitUntil(lambda: panel.session.is_open and panel.new.isEnabled(), timeout=20_000)
    assert not panel.locked.isVisible()
    assert "No publish job yet" in panel.wizard.heading.text() and not panel.wizard.stack.isVisible()
    panel.session.close()
