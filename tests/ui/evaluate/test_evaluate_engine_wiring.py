"""The worker side: registry weights (download, verify, decrypt, cache), errors, and no torch at start-up."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from soma_desktop.core.crypto import aes_ctr, blake2b256
from soma_desktop.network.types import Manifest
from soma_desktop.services.evaluate.catalog import registry_choice
from soma_desktop.services.evaluate.jobs import RegistryWeights
from soma_desktop.services.evaluate.results import ModelRef
from soma_desktop.services.root import build_services
from soma_desktop.ui.evaluate.controller import RunController

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def weights_server(tiny_models):
    """A real HTTP server on 127.0.0.1 hosting the AES-256-CTR ciphertext of a tiny model."""
    key = bytes(range(32))
    blob = aes_ctr(key, tiny_models[0].read_bytes())
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(blob)))
            self.end_headers()
            self.wfile.write(blob)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/weights.bin"
    yield Manifest(url, blake2b256(blob), len(blob)), key, hits
    server.shutdown()
    server.server_close()


def _run(qtbot, controller: RunController, models, registry=None, data=b"hello registry\n" * 40):
    with qtbot.waitSignal(controller.sig_run_ended, timeout=60_000) as ended:
        controller.start([(Path("f.txt"), data, False, False)], models, threads=1, registry=registry or {})
    qtbot.waitUntil(controller.thread_finished, timeout=10_000)
    return ended.args


def test_registry_model_is_downloaded_verified_decrypted_and_scored(qtbot, tiny_models, weights_server, tmp_path):
    manifest, key, hits = weights_server
    controller = RunController(build_services(tmp_path).evaluate)
    source = RegistryWeights(manifest, key, tmp_path / "cache", allow_loopback=True)
    outcome = _run(qtbot, controller, [ModelRef("registry model", "", "registry"),
                                       ModelRef("local twin", str(tiny_models[0]))], {0: source})
    assert outcome == ["done", ""]
    registry, local = controller.results.files[0].models
    assert registry.loss == local.loss and registry.final
    assert Path(registry.weights_path).parent == tmp_path / "cache"
    assert Path(registry.weights_path).read_bytes() == tiny_models[0].read_bytes()
    # Second run: served from the cache by checksum, no new download.
    assert _run(qtbot, controller, [ModelRef("registry model", "", "registry")], {0: source}) == ["done", ""]
    assert len(hits) == 1


def test_registry_checksum_mismatch_fails_with_a_clear_message(qtbot, weights_server, tmp_path):
    manifest, key, _hits = weights_server
    bad = dataclasses.replace(manifest, checksum=bytes(32))
    controller = RunController(build_services(tmp_path).evaluate)
    outcome, message = _run(qtbot, controller, [ModelRef("tampered", "", "registry")],
                            {0: RegistryWeights(bad, key, tmp_path / "cache", allow_loopback=True)})
    assert outcome == "failed" and message.startswith("download failed:") and "checksum" in message
    assert controller.results.state == "failed"


def test_bad_local_weights_fail_cleanly(qtbot, tmp_path):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not a safetensors file at all")
    controller = RunController(build_services(tmp_path).evaluate)
    outcome, message = _run(qtbot, controller, [ModelRef("junk", str(junk))])
    assert outcome == "failed" and message.startswith("junk: weights header") and "Traceback" not in message


def test_registry_choice_maps_manifests(ctx, tmp_path):
    from tests.ui.conftest import run

    info = run(ctx, ctx.network.list_models())[0]
    revealed = dataclasses.replace(info, manifest=Manifest("https://example.org/w.bin", bytes(32), 10),
                                   decryption_key=bytes(32))
    choice, reason = registry_choice(revealed, tmp_path, allow_loopback=False)
    assert reason == "" and choice.registry.manifest.url == "https://example.org/w.bin"
    assert choice.ref.source == "registry" and choice.ref.model_id == info.id
    weightless = dataclasses.replace(info, manifest=Manifest("sandbox://demo-models/x", bytes(32), 0),
                                      decryption_key=bytes(32))
    assert registry_choice(weightless, tmp_path, False) == (
        None, "no downloadable weights (sandbox demo entry: embedding only)")
    hidden = dataclasses.replace(info, decryption_key=None)
    assert registry_choice(hidden, tmp_path, False)[0] is None


def test_opening_the_panel_never_imports_torch(tmp_path):
    """Start-up stays torch-free: the panel lists models from JSON and headers only."""
    code = f"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, {str(REPO)!r})
from pathlib import Path
from PySide6.QtWidgets import QApplication
from soma_desktop.core.settings import Settings
from soma_desktop.ui.bridge import AsyncBridge
from soma_desktop.ui.context import AppContext
from soma_desktop.ui.local_names import model_names
from soma_desktop.ui.panels.evaluate import EvaluatePanel
app = QApplication([])
ctx = AppContext(Path({str(tmp_path)!r}), Settings(), AsyncBridge())
panel = EvaluatePanel(evaluate=ctx.services.evaluate, models=ctx.services.models, chain=ctx, bridge=ctx.bridge,
                      settings=ctx.settings, save_settings=ctx.save_settings, wallet=ctx.wallet,
                      names=model_names(ctx))
panel.show()
for _ in range(20):
    app.processEvents()
print("torch" in sys.modules)
panel.shutdown()
ctx.shutdown()
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
