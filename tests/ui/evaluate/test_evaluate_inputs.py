"""Inputs the panel must explain: empty, unreadable, binary and over-1-MiB files, and dropped folders."""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import Qt

from soma_desktop.engine.contract import MAX_DATA_SIZE
from tests.ui.evaluate.evaluate_helpers import add_models, click_run_and_wait, drop_files


def _rows(panel) -> list[str]:
    return [panel.inputs.list.item(i).text() for i in range(panel.inputs.list.count())]


def test_empty_and_unreadable_files_are_explained_and_not_runnable(qtbot, panel, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    dangling = tmp_path / "gone.txt"
    dangling.symlink_to(tmp_path / "missing-target")
    drop_files(panel, [empty, dangling])
    qtbot.waitUntil(lambda: len(panel.inputs.entries) == 2, timeout=10_000)
    rows = _rows(panel)
    assert rows[0] == "empty.txt — is empty: the network cannot score an empty file"
    assert rows[1] == "gone.txt — file not found"
    assert panel.banner.isVisible() and "empty" in panel.banner.text()
    assert panel.inputs.ready_files() == []
    assert not panel.run_button.isEnabled()
    assert panel.run_button.toolTip() == "Add a readable, non-empty file first"
    if os.geteuid() != 0:   # root reads anything; the permission case only exists for normal users
        locked = tmp_path / "locked.txt"
        locked.write_text("secret")
        locked.chmod(0)
        drop_files(panel, [locked])
        qtbot.waitUntil(lambda: len(panel.inputs.entries) == 3, timeout=10_000)
        assert _rows(panel)[2] == "locked.txt — cannot be read: permission denied"


def test_binary_file_is_scored_and_shown_as_hex(qtbot, panel, tiny_models, tmp_path):
    blob = tmp_path / "blob.bin"
    blob.write_bytes(np.random.default_rng(3).integers(0, 256, 3000, dtype=np.uint8).tobytes() + b"\x00\x1b")
    drop_files(panel, [blob])
    qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 1, timeout=10_000)
    assert _rows(panel) == ["blob.bin — 3,002 bytes, binary, shown as hex"]
    add_models(qtbot, panel, [tiny_models[0]])
    click_run_and_wait(qtbot, panel)
    assert panel.loss_tab.hex_box.isChecked() and panel.loss_tab.bytes.hex_mode
    readout = panel.loss_tab.readout_text(3001)
    assert "0x1b ESC" in readout and "nats" in readout


def test_file_over_one_mib_offers_its_first_mib(qtbot, panel, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (MAX_DATA_SIZE + 10))
    drop_files(panel, [big])
    qtbot.waitUntil(lambda: len(panel.inputs.entries) == 1, timeout=10_000)
    assert "1 MiB" in panel.banner.text() and "Evaluate first 1 MiB" in panel.banner.text()
    assert panel.inputs.ready_files() == []
    assert panel.inputs.truncate_button.isEnabled()
    qtbot.mouseClick(panel.inputs.truncate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 1, timeout=10_000)
    entry = panel.inputs.ready_files()[0]
    assert entry.truncated and len(entry.data) == MAX_DATA_SIZE
    assert _rows(panel) == [f"big.txt (first 1 MiB) — first 1 MiB of {MAX_DATA_SIZE + 10:,} bytes, text"]


def test_dropped_folder_adds_its_files(qtbot, panel, tmp_path):
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("alpha\n")
    (folder / "sub" / "b.txt").write_text("beta\n")
    (folder / ".hidden").write_text("skip me\n")
    drop_files(panel, [folder])
    qtbot.waitUntil(lambda: len(panel.inputs.ready_files()) == 2, timeout=10_000)
    assert [e.path.name for e in panel.inputs.ready_files()] == ["a.txt", "b.txt"]


def test_a_file_that_is_not_v1_weights_is_refused_with_its_reason(qtbot, panel, tiny_models, tmp_path):
    fake = tmp_path / "fake.safetensors"
    fake.write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
    panel.models.ask_weights = lambda: [fake, tiny_models[1]]
    qtbot.mouseClick(panel.models.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.models.checked()) == 1, timeout=10_000)
    assert panel.models.checked()[0].ref.label == tiny_models[1].name
    assert panel.banner.text().startswith("fake.safetensors is not a usable V1 model")
    assert panel.banner.details.startswith("fake.safetensors is not a usable V1 model: ")   # the reason, behind Details
