"""Claim all: every claimable target in one reviewed action, on the real sandbox."""

from __future__ import annotations

from PySide6.QtCore import Qt

from soma_desktop.network.types import TargetStatus
from soma_desktop.ui.models.targets import TargetsView
from soma_desktop.ui.wallet.confirm_dialog import ConfirmDialog
from tests.ui.publish.helpers import advance, run
from tests.ui.publish.wallet_double import DEMO_ADDRESS


def test_claim_all_reviews_then_claims_every_claimable_target(qtbot, wctx):
    ctx = wctx
    view = TargetsView(models=ctx.services.models, chain=ctx, bridge=ctx.bridge, session=ctx.wallet)
    qtbot.addWidget(view)
    view.show()
    qtbot.mouseClick(view.claim_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Nothing to claim" in view.banner.text(), timeout=10_000)
    advance(qtbot, ctx)                      # genesis targets expire unfilled: claimable with the finder fee
    claimable = run(ctx, ctx.network.list_targets(status=TargetStatus.CLAIMABLE, limit=1000)).targets
    assert len(claimable) >= 2
    before = run(ctx, ctx.network.get_balance(DEMO_ADDRESS))
    qtbot.mouseClick(view.claim_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(view.active_dialog, ConfirmDialog), timeout=10_000)
    dialog = view.active_dialog
    assert f"Claim <b>{len(claimable)}</b> target(s)" in dialog.summary.text()
    assert dialog.findChild(type(dialog.confirm_button), "confirmButton").isDefault() is False
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.banner.text().startswith("Claimed"), timeout=60_000)
    assert view.banner.text().startswith(f"Claimed {len(claimable)} target(s)")
    assert run(ctx, ctx.network.list_targets(status=TargetStatus.CLAIMABLE, limit=1000)).targets == []
    assert run(ctx, ctx.network.get_balance(DEMO_ADDRESS)) != before
