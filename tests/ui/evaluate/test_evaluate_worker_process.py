"""The Evaluate panel with the worker process: crashes become messages, torch stays out of the GUI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from soma_desktop.evalworker import shared_client
from soma_desktop.services.evaluate.results import ModelRef
from soma_desktop.services.root import build_services
from soma_desktop.ui.evaluate.controller import RunController
from tests.ui.evaluate.evaluate_helpers import add_models, drop_files

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals")
def test_a_worker_crash_ends_the_run_with_a_message_and_the_next_run_works(qtbot, tiny_models, tmp_path):
    controller = RunController(build_services(tmp_path).evaluate)
    data = (b"a crash in the middle of a long run\n" * 30_000)[:1_048_576]      # 1 MiB: many chunks
    killed = []

    def kill_on_first_chunk(results) -> None:
        if results.steps_done and not killed:
            killed.append(shared_client().pid)
            os.kill(killed[0], signal.SIGSEGV)
    controller.sig_results_changed.connect(kill_on_first_chunk)
    with qtbot.waitSignal(controller.sig_run_ended, timeout=120_000) as ended:
        controller.start([(Path("big.txt"), data, False, False)], [ModelRef("alpha", str(tiny_models[0]))],
                         threads=1)
    outcome, message = ended.args
    assert outcome == "failed" and "evaluation worker crashed (SIGSEGV)" in message
    assert controller.results.state == "failed" and controller.results.steps_done > 0   # partial stays
    controller.sig_results_changed.disconnect(kill_on_first_chunk)
    qtbot.waitUntil(controller.thread_finished, timeout=10_000)
    with qtbot.waitSignal(controller.sig_run_ended, timeout=120_000) as again:
        controller.start([(Path("small.txt"), b"after the crash", False, False)],
                         [ModelRef("alpha", str(tiny_models[0]))], threads=1)
    assert again.args == ["done", ""]
    assert shared_client().pid != killed[0]


def test_panel_says_what_fast_mode_does_here(qtbot, panel, tiny_models, text_file):
    drop_files(panel, [text_file])
    add_models(qtbot, panel, [tiny_models[0]])
    qtbot.waitUntil(lambda: "GFLOP/s" in panel.fast_note.text(), timeout=120_000)
    note = panel.fast_note.text()
    assert note.startswith("Fast mode: ") and ("faster here" in note or "no faster on this CPU" in note)


def test_a_run_never_imports_torch_in_the_gui_process(tmp_path, tiny_models):
    code = f"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, {str(REPO)!r})
from pathlib import Path
from PySide6.QtWidgets import QApplication
from soma_desktop.services.evaluate.results import ModelRef
from soma_desktop.services.root import build_services
from soma_desktop.ui.evaluate.controller import RunController
app = QApplication([])
controller = RunController(build_services(Path({str(tmp_path)!r})).evaluate)
ended = []
controller.sig_run_ended.connect(lambda outcome, message: ended.append(outcome))
controller.start([(Path("f.txt"), b"scored in the worker process" * 100, False, False)],
                 [ModelRef("alpha", {str(tiny_models[0])!r})], threads=1)
import time
deadline = time.monotonic() + 120
while not ended and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
print(ended, controller.results.files[0].models[0].final, "torch" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "['done'] True False"
