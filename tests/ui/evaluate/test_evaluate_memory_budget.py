"""The evaluation memory budget set in Preferences: validated in the dialog, saved, and the next run's worker
process is started under it (its OS data limit comes from it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from soma_desktop.core.settings import load_settings
from soma_desktop.engine.budget import format_bytes, physical_memory
from soma_desktop.evalworker import shared_client
from soma_desktop.evalworker.limits import DATA_SLACK
from soma_desktop.ui.main_window import MainWindow
from soma_desktop.ui.preferences import GIB, PreferencesDialog
from tests.ui.evaluate.evaluate_helpers import add_models, click_run_and_wait, drop_files


def _soft_data_limit(pid: int) -> int | None:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max data size"):
            value = line.split()[3]
            return None if value == "unlimited" else int(value)
    return None


def _press_ok(qtbot, dialog: PreferencesDialog) -> None:
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the worker's limits from /proc")
def test_budget_set_in_preferences_is_saved_and_the_next_run_gets_it(qtbot, ctx, data_dir, tiny_models, text_file):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    ram = physical_memory()
    assert ram is not None
    budget_gib = 5.0 if ram >= 12 * GIB else 1.0          # above 2^32 bytes where the machine allows
    budget = int(budget_gib * GIB)

    window.edit_preferences()
    dialog = window.findChild(PreferencesDialog)
    assert f"This machine has {format_bytes(ram)} of memory" in dialog.budget_hint.text()
    assert dialog.memory_budget.maximum() <= ram / GIB
    dialog.memory_budget.setValue(0.1)                       # below the minimum: refused, with the reason
    _press_ok(qtbot, dialog)
    assert dialog.isVisible() and dialog.budget_error.isVisible()
    assert "at least 256.0 MiB" in dialog.budget_error.text()
    assert ctx.settings.eval_memory_budget == 0
    dialog.memory_budget.setValue(budget_gib)
    assert not dialog.budget_error.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        _press_ok(qtbot, dialog)
    assert ctx.settings.eval_memory_budget == budget
    qtbot.waitUntil(lambda: load_settings(data_dir).eval_memory_budget == budget, timeout=10_000)   # saved

    panel = window.show_panel("evaluate")
    try:
        drop_files(panel, [text_file])
        qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 1, timeout=10_000)
        add_models(qtbot, panel, list(tiny_models))
        click_run_and_wait(qtbot, panel)
        assert panel.controller._worker.job.memory_budget == budget
        client = shared_client()
        assert client.budget == budget and client._proc is not None and client._proc.budget == budget
        limit = _soft_data_limit(client.pid)
        if limit is not None:   # the data segment may grow by the budget (plus slack) over what torch maps
            assert budget + DATA_SLACK <= limit <= budget + DATA_SLACK + 4 * GIB
    finally:
        qtbot.waitUntil(panel.background_idle, timeout=20_000)
        panel.shutdown()


def test_an_untouched_budget_field_keeps_the_exact_bytes_and_over_the_ram_is_refused(qtbot, ctx):
    from soma_desktop.core.settings import Settings

    odd = 3 * GIB + 12_345 * 4096                 # hand-edited: not a multiple of 0.01 GiB
    settings = Settings(eval_memory_budget=odd)
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    dialog.timed.setChecked(not settings.sandbox_timed_epochs)      # another setting changes, this one not
    dialog.apply_to(settings)
    assert settings.eval_memory_budget == odd
    dialog.ram = 2 * GIB                            # a smaller machine than the value asks for
    dialog.memory_budget.setValue(3.0)
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted and "cannot exceed this machine's memory (2.0 GiB)" \
        in dialog.budget_error.text()
