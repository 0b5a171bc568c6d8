"""Acceptance tests for the Evaluate panel: drop → run two models → plots and table; cancel; CLI parity."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from soma_desktop.engine.contract import num_targets
from tests.ui.evaluate.evaluate_helpers import add_models, click_run_and_wait, drop_files, table_column

REPO = Path(__file__).resolve().parents[3]


def test_drop_file_run_two_models_fills_table_plots_and_embedding(qtbot, panel, tiny_models, text_file, tmp_path):
    assert not panel.run_button.isEnabled() and "file" in panel.run_button.toolTip()
    drop_files(panel, [text_file])
    qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 1, timeout=10_000)
    add_models(qtbot, panel, list(tiny_models))
    click_run_and_wait(qtbot, panel)

    track = panel.results().files[0]
    losses = [m.loss for m in track.models]
    winner = int(np.argmin(losses))
    names = table_column(panel, 0)
    assert names[winner].startswith("★ ") and names[winner].endswith("— winner")
    assert sum("winner" in n for n in names) == 1
    assert table_column(panel, 1) == [f"{v:.6f}" for v in losses]
    assert table_column(panel, 5) == ["done", "done"]

    # Loss plot: one raw curve per model holding every scored byte (chunk starts are gaps).
    size = text_file.stat().st_size
    raw_curves = panel.loss_tab.plot._curves[::2]
    assert len(raw_curves) == 2
    for curve in raw_curves:
        _x, y = curve.getOriginalDataset()
        assert np.count_nonzero(np.isfinite(y)) == num_targets(size)
        assert np.isnan(y[0]) and np.isnan(y[1024])
    # Byte view holds the file and colours it; the worst-regions list is filled and jumps.
    assert panel.loss_tab.bytes.data == text_file.read_bytes()
    qtbot.waitUntil(lambda: panel.loss_tab.worst.count() > 0, timeout=10_000)
    first = panel.loss_tab.worst.item(0)
    panel.loss_tab.worst.itemClicked.emit(first)
    assert panel.loss_tab.bytes.selected == first.data(Qt.ItemDataRole.UserRole)
    assert "offset" in panel.loss_tab.readout.text() and "bits" in panel.loss_tab.readout.text()
    # The hover readout gains the model's top predictions, computed off the GUI thread.
    qtbot.waitUntil(lambda: "predicted:" in panel.loss_tab.readout.text(), timeout=20_000)
    panel.loss_tab.scale_spin.setValue(4)
    assert panel.loss_tab.bytes.scale == (0.0, 4.0) and "0–4 bits" in panel.loss_tab.legend.text()
    # Two-model difference view.
    tab = panel.loss_tab
    tab.colour_by.setCurrentIndex(tab.colour_by.findText("Difference", Qt.MatchFlag.MatchStartsWith))
    assert panel.loss_tab.bytes.diff and "A − B" in panel.loss_tab.plot.main.getAxis("left").labelText

    # Embedding tab: every sandbox target (dimension 128) gets an exact distance and a verdict.
    targets = panel.embedding_tab
    qtbot.waitUntil(lambda: targets.table.rowCount() > 0, timeout=10_000)
    distances = [targets.table.item(r, 2).text() for r in range(targets.table.rowCount())]
    assert all(d != "—" for d in distances)
    assert "would hit" in targets.summary.text()
    assert len(targets.map._items) >= 2   # targets + data points (+ models)

    # Exports: per-byte CSV and the plot PNG.
    csv_path, png_path = tmp_path / "nll.csv", tmp_path / "plot.png"
    panel.export_csv(csv_path)
    panel.export_png(png_path)
    qtbot.waitUntil(lambda: csv_path.exists() and png_path.exists(), timeout=10_000)
    lines = csv_path.read_text().splitlines()
    assert lines[0] == "model,offset,byte,nll_nats,bits,chunk"
    assert len(lines) == 1 + 2 * num_targets(size)
    assert lines[-1].split(",")[2] == "EOS"
    assert not QImage(str(png_path)).isNull()


def test_cancel_keeps_partial_results_and_panel_stays_usable(qtbot, panel, tiny_models, text_file, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes((text_file.read_bytes() * 200)[:400_000])
    drop_files(panel, [big])
    qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 1, timeout=10_000)
    add_models(qtbot, panel, list(tiny_models))
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.results().steps_done >= 3, timeout=30_000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert panel.cancel_button.text() == "Cancelling…" and not panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: panel.controller.state == "idle", timeout=30_000)
    qtbot.waitUntil(panel.controller.thread_finished, timeout=10_000)

    results = panel.results()
    assert results.state == "cancelled"
    first = results.files[0].models[0]
    assert 0 < first.chunks_done < first.chunks_total and not first.final
    assert np.isfinite(first.nll).any()
    assert panel.status.text().startswith("Cancelled — partial results")
    assert any(s.startswith("partial (") for s in table_column(panel, 5))
    assert "partial" in panel.banner.text()
    assert panel.results().files[0].winner is None

    # Usable afterwards: a smaller file runs to the end.
    panel.inputs.list.selectAll()
    panel.inputs.remove_selected()
    drop_files(panel, [text_file])
    qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 1, timeout=10_000)
    click_run_and_wait(qtbot, panel)
    assert table_column(panel, 5) == ["done", "done"]


def test_new_run_cancels_the_running_one(qtbot, panel, tiny_models, text_file, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes((text_file.read_bytes() * 200)[:300_000])
    drop_files(panel, [big])
    qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 1, timeout=10_000)
    add_models(qtbot, panel, list(tiny_models))
    panel.models.set_checked([tiny_models[0].name])
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    first_job = panel.results().job_id
    qtbot.waitUntil(lambda: panel.results().steps_done >= 2, timeout=30_000)
    panel.models.set_checked([tiny_models[0].name, tiny_models[1].name])
    panel.inputs.list.selectAll()
    panel.inputs.remove_selected()
    drop_files(panel, [text_file])
    qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 1, timeout=10_000)
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)     # newest request wins
    qtbot.waitUntil(lambda: panel.results().job_id != first_job, timeout=30_000)
    qtbot.waitUntil(lambda: panel.status.text().startswith("Finished"), timeout=60_000)
    qtbot.waitUntil(panel.controller.thread_finished, timeout=10_000)
    assert [f.path for f in panel.results().files] == [text_file]
    assert len(panel.results().files[0].models) == 2


def _cli_json(weights: list[Path], files: list[Path], target: Path, threads: int) -> dict:
    argv = [sys.executable, "-m", "soma_desktop", "eval", "--json", "--threads", str(threads),
            "--target-embedding", str(target)]
    for w in weights:
        argv += ["--weights", str(w)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(argv + [str(f) for f in files], capture_output=True, text=True, timeout=120, cwd=REPO,
                          env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _assert_same(panel_value, cli_value, path="") -> None:
    if isinstance(cli_value, dict):
        assert panel_value.keys() == cli_value.keys(), path
        for key in cli_value:
            _assert_same(panel_value[key], cli_value[key], f"{path}.{key}")
    elif isinstance(cli_value, list):
        assert len(panel_value) == len(cli_value), path
        for i, (a, b) in enumerate(zip(panel_value, cli_value)):
            _assert_same(a, b, f"{path}[{i}]")
    elif isinstance(cli_value, float):
        assert math.isclose(panel_value, cli_value, rel_tol=1e-6, abs_tol=1e-7), path
    else:
        assert panel_value == cli_value, path


def test_numbers_shown_equal_soma_desktop_eval_json(qtbot, panel, tiny_models, text_file, tmp_path):
    second = tmp_path / "second.bin"
    second.write_bytes(bytes(range(256)) * 9 + b"\x00\x01tail")
    panel.threads_spin.setValue(1)
    drop_files(panel, [text_file, second])
    qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 2, timeout=10_000)
    add_models(qtbot, panel, list(tiny_models))
    click_run_and_wait(qtbot, panel)
    table = panel.embedding_tab.table
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=10_000)
    table.selectRow(0)
    target_id = table.selected_id()
    target = next(t for t in panel.embedding_tab.targets if t.id == target_id)
    target_path = tmp_path / "target.json"
    target_path.write_text(json.dumps(list(target.embedding)))

    exported = tmp_path / "results.json"
    panel.export_json(exported)
    qtbot.waitUntil(exported.exists, timeout=10_000)
    cli = _cli_json(list(tiny_models), [text_file, second], target_path, threads=1)
    ours = json.loads(exported.read_text())
    _assert_same(ours, cli)

    # What the table shows is the CLI's numbers, file by file; the verdict uses the CLI's distance.
    for index, entry in enumerate(cli["results"]):
        panel.file_combo.setCurrentIndex(index)
        assert table_column(panel, 1) == [f"{m['loss']:.6f}" for m in entry["models"]]
        assert table_column(panel, 2) == [f"{m['cross_entropy']:.6f}" for m in entry["models"]]
        assert table_column(panel, 4) == [f"{m['bits_per_byte']:.4f}" for m in entry["models"]]
        winner_name = table_column(panel, 0)[entry["winner"]]
        assert winner_name.endswith("— winner")
        row = next(r for r in range(table.rowCount()) if table.item(r, 0).data(Qt.ItemDataRole.UserRole) == target_id)
        assert table.item(row, 2).text() == f"{entry['models'][entry['winner']]['distance']:.6f}"
        hit = entry["models"][entry["winner"]]["distance"] <= target.distance_threshold
        assert ("would hit" in table.item(row, 4).text()) == hit


def test_run_again_with_nothing_new_keeps_the_results_instead_of_rescoring(qtbot, panel, tiny_models, text_file,
                                                                         tmp_path):
    drop_files(panel, [text_file])
    qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 1, timeout=10_000)
    add_models(qtbot, panel, [tiny_models[0]])
    click_run_and_wait(qtbot, panel)
    first = panel.results()
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert panel.results() is first and not panel.controller.is_busy()
    assert "already have results" in panel.banner.text()
    second = tmp_path / "second.txt"                       # something new: the run goes ahead
    second.write_text("another file to score\n" * 20, encoding="utf-8")
    drop_files(panel, [second])
    qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 2, timeout=10_000)
    click_run_and_wait(qtbot, panel)
    assert panel.results() is not first and len(panel.results().files) == 2
