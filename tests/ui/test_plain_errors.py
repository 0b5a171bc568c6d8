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
