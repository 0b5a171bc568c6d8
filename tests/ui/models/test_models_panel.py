"""Models panel on the real sandbox: registry, "mine" filter, detail, stake, evaluate hand-off, targets, claim."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from soma_desktop.core.amounts import SHANNONS_PER_SOMA
from soma_desktop.network.types import ModelState, TargetStatus
from soma_desktop.services.models import ModelsService
from soma_desktop.ui.models.registry_table import MODEL_ROLE
from soma_desktop.ui.panels.models import ModelsPanel
from tests.ui.panels import models_panel
from tests.ui.publish.helpers import advance, run
from tests.ui.publish.wallet_double import DEMO_ADDRESS


def _panel(qtbot, ctx) -> ModelsPanel:
    panel = models_panel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    return panel


def _rows(panel) -> list:
    return [panel.proxy.data(panel.proxy.index(r, 0), MODEL_ROLE) for r in range(panel.proxy.rowCount())]


def test_lists_genesis_models_and_a_new_model_and_filters_mine(qtbot, wctx):
    ctx = wctx
    genesis = run(ctx, ctx.network.list_models())
    assert genesis and all(m.state is ModelState.ACTIVE for m in genesis)
    signer = ctx.wallet.current_account()
    tx = run(ctx, ctx.network.create_model(signer, 3 * SHANNONS_PER_SOMA, 250))
    panel = _panel(qtbot, ctx)
    qtbot.waitUntil(lambda: panel.table_model.rowCount() == len(genesis) + 1, timeout=10_000)
    ids = {m.id for m in _rows(panel)}
    assert {m.id for m in genesis} | {tx.model_id} == ids
    texts = [panel.proxy.index(r, 0).data() for r in range(panel.proxy.rowCount())]
    assert all(m.title in texts for m in genesis if m.title)

    qtbot.mouseClick(panel.mine, Qt.MouseButton.LeftButton)
    assert [m.id for m in _rows(panel)] == [tx.model_id]
    assert panel.count.text() == f"1 of {len(genesis) + 1} models"
    panel.table.setCurrentIndex(panel.proxy.index(0, 0))
    detail = panel.detail
    assert tx.model_id in detail.fields.toPlainText() and "Commit by end of epoch" in detail.chip.text()
    assert "2.50%" in detail.fields.toPlainText() and not detail.evaluate.isEnabled()
    assert detail.owner_box.isVisibleTo(panel) and not detail.commission_button.isEnabled()
    qtbot.mouseClick(panel.mine, Qt.MouseButton.LeftButton)
    assert panel.proxy.rowCount() == len(genesis) + 1


def test_stake_to_a_model_and_evaluate_hand_off(qtbot, wctx):
    ctx = wctx

    class Window(QWidget):
        def __init__(self):
            super().__init__()
            self.evaluated = []

        def evaluate_model(self, model_info):     # the Navigator the main window implements
            self.evaluated.append(("evaluate", model_info.id))

        def update_model(self, model_id):
            raise AssertionError("not an owner action here")

        def show_model(self, model_id):
            raise AssertionError("the Models panel is shown already")

    window = Window()
    qtbot.addWidget(window)
    panel = models_panel(ctx, window, navigator=window)
    QHBox = __import__("PySide6.QtWidgets", fromlist=["QHBoxLayout"]).QHBoxLayout
    QHBox(window).addWidget(panel)
    window.show()
    qtbot.waitUntil(lambda: panel.table_model.rowCount() > 0, timeout=10_000)
    panel.table.setCurrentIndex(panel.proxy.index(0, 0))
    model = panel.detail.model
    assert model.state is ModelState.ACTIVE
    detail = panel.detail
    assert not detail.stake_button.isEnabled()
    detail.stake_amount.setText("1.5")
    assert detail.stake_button.isEnabled() and "Fee (estimate)" in detail.stake_summary.text()
    before = model.stake
    qtbot.mouseClick(detail.stake_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Staking: done" in detail.banner.text(), timeout=10_000)
    staked = run(ctx, ctx.network.list_staked_soma(DEMO_ADDRESS))
    assert any(s.pool_id == model.pool.id and s.principal == 1_500_000_000 for s in staked)
    assert run(ctx, ctx.network.get_model(model.id)).stake == before   # active pool: counts from next epoch
    assert detail.evaluate.isEnabled()          # genesis models are Active with a public key
    qtbot.mouseClick(detail.evaluate, Qt.MouseButton.LeftButton)
    assert window.evaluated == [("evaluate", model.id)]


def test_targets_paged_and_claim_shows_the_split_first(qtbot, wctx):
    ctx = wctx
    total = len(run(ctx, ctx.network.list_targets(limit=1000)).targets)
    assert total > 0
    advance(qtbot, ctx)             # genesis targets expire unfilled: claimable with the finder fee
    panel = _panel(qtbot, ctx)
    view = panel.targets
    view.reload()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0 and not view._loading, timeout=10_000)
    while view.more.isEnabled():
        qtbot.mouseClick(view.more, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not view._loading, timeout=10_000)
    all_now = len(run(ctx, ctx.network.list_targets(limit=1000)).targets)
    assert view.model.rowCount() == all_now >= total
    row = next(i for i, t in enumerate(view.model.targets) if t.status is TargetStatus.EXPIRED)
    target = view.model.targets[row]
    view.table.setCurrentIndex(view.model.index(row, 0))
    assert "Claimable now" in view.model.index(row, 6).data()
    preview = view.claim_text.text()
    finder = target.reward_pool * 50 // 10_000
    assert f"{finder:,} shannons" in preview and "emission pool" in preview and "Fee (estimate)" in preview
    coins_before = run(ctx, ctx.network.get_balance(DEMO_ADDRESS))
    qtbot.mouseClick(view.claim, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Claimed target" in view.banner.text(), timeout=10_000)
    assert all(t.id != target.id for t in view.model.targets)
    after = run(ctx, ctx.network.get_balance(DEMO_ADDRESS))
    fee = run(ctx, ctx.network.list_transactions(1, DEMO_ADDRESS))[0]["fee"]
    assert after - coins_before == finder - fee
    open_row = next((i for i, t in enumerate(view.model.targets) if t.status is TargetStatus.OPEN), None)
    if open_row is not None:
        view.table.setCurrentIndex(view.model.index(open_row, 0))
        assert not view.claim.isEnabled() and "claimable from epoch" in view.claim_text.text()


def test_embedding_map_projects_active_models_and_open_targets(qtbot, wctx):
    ctx = wctx
    panel = _panel(qtbot, ctx)
    qtbot.waitUntil(lambda: panel.table_model.rowCount() > 0, timeout=10_000)
    panel.tabs.setCurrentWidget(panel.map_host)
    qtbot.waitUntil(lambda: panel.map is not None and panel.map.model_count > 0, timeout=10_000)
    active = [m for m in panel.models if m.state is ModelState.ACTIVE]
    opened = run(ctx, ctx.network.list_targets(status=TargetStatus.OPEN, limit=1000)).targets
    assert panel.map.model_count == len(active) and panel.map.target_count == len(opened)
    assert "PCA 1" in panel.map.plot.getAxis("bottom").labelText


def test_scrolling_to_the_end_loads_the_next_page(qtbot, wctx):
    small_pages = ModelsService(wctx.cache, wctx.services.wallet, targets_page_size=20)   # 100 genesis: 5 pages
    panel = models_panel(wctx, models=small_pages)
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    view = panel.targets
    panel.tabs.setCurrentWidget(view)
    view.reload()
    qtbot.waitUntil(lambda: view.model.rowCount() == 20 and not view._loading, timeout=10_000)
    assert view.more.isEnabled() and "more available" in view.count.text()
    bar = view.table.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: view.model.rowCount() == 40 and not view._loading, timeout=10_000)
    ids = [t.id for t in view.model.targets]
    assert len(set(ids)) == 40                              # pages neither overlap nor repeat
