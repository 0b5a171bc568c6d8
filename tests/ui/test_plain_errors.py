"""Errors read as what happened + what to do; the technical text is one click away behind "Details"."""

from __future__ import annotations

import struct

from tests.ui.evaluate.evaluate_helpers import make_panel


def test_junk_weights_file_is_explained_with_details(qtbot, ctx, tmp_path):
    junk = tmp_path / "holiday-photo.safetensors"
    junk.write_bytes(struct.pack("<Q", 8388068007924081186) + b"\xff" * 1024)
    panel = make_panel(qtbot, ctx)
    panel.models.add_local([junk])
    banner = panel.banner
    qtbot.waitUntil(lambda: banner.isVisible() and "holiday-photo" in banner.text(), timeout=10_000)
    assert "This file is not a SOMA model weights file" in banner.text()
    assert "8388068007924081186" not in banner.text() and ">Details<" in banner.text()
    banner.linkActivated.emit(banner.DETAILS_LINK)
    assert "8388068007924081186" in banner.text() and "Hide details" in banner.text()
    banner.linkActivated.emit(banner.DETAILS_LINK)
    assert "8388068007924081186" not in banner.text()


def test_model_picker_whole_row_toggles(qtbot, ctx):
    from PySide6.QtCore import Qt

    panel = make_panel(qtbot, ctx)
    picker = panel.models
    qtbot.waitUntil(lambda: any(picker.list.item(i).data(Qt.ItemDataRole.UserRole) is not None
                                and picker.list.item(i).flags() & Qt.ItemFlag.ItemIsEnabled
                                and "registry" in picker.list.item(i).text()
                                for i in range(picker.list.count())), timeout=10_000)
    row = next(i for i in range(picker.list.count()) if "(registry)" in picker.list.item(i).text()
               and picker.list.item(i).flags() & Qt.ItemFlag.ItemIsSelectable)
    item = picker.list.item(row)
    rect = picker.list.visualItemRect(item)
    qtbot.mouseClick(picker.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())   # on the name
    assert item.checkState() == Qt.CheckState.Checked and len(picker.checked()) == 1
    qtbot.mouseClick(picker.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert item.checkState() == Qt.CheckState.Unchecked and picker.checked() == []
