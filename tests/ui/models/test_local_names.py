"""A model's local name (given on the model or at publish time) shows in the Registry, Targets, the map,
the Evaluate picker and table, and survives a restart (stored in the data dir)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from soma_desktop.network.types import ModelState
from soma_desktop.ui.local_names import MODEL_NAMES_FILE, LocalNames, model_names
from tests.ui.evaluate.evaluate_helpers import click_run_and_wait, drop_files, make_panel, table_column
from tests.ui.panels import models_panel
from tests.ui.publish.helpers import run

NAME = "My poetry model"


def test_local_name_everywhere(qtbot, wctx, data_dir, tmp_path):
    ctx = wctx
    models = run(ctx, ctx.network.list_models())
    targets = run(ctx, ctx.network.list_targets(limit=1000)).targets
    routed = {m for t in targets for m in t.model_ids}
    model = next(m for m in models if m.state is ModelState.ACTIVE and m.id in routed
                 and m.manifest is not None and m.manifest.url.startswith("resource://"))
    panel = models_panel(ctx)
    qtbot.addWidget(panel)
    panel.resize(1200, 760)
    panel.show()
    qtbot.waitUntil(lambda: panel.table_model.rowCount() == len(models), timeout=10_000)

    # name it from the detail pane, as a user would
    row = panel.table_model.row_of(model.id)
    panel.table.setCurrentIndex(panel.proxy.mapFromSource(panel.table_model.index(row, 0)))
    qtbot.mouseClick(panel.detail.name_button, Qt.MouseButton.LeftButton)
    dialog = panel.detail.name_dialog
    dialog.setTextValue(f"  {NAME}\n")
    dialog.accept()

    names = [panel.proxy.index(r, 0).data() for r in range(panel.proxy.rowCount())]
    assert NAME in names and NAME in panel.detail.title.text()
    view = panel.targets
    view.reload()
    qtbot.waitUntil(lambda: view.model.rowCount() > 0 and not view._loading, timeout=10_000)
    assert any(NAME in view.model.index(r, 5).data() for r in range(view.model.rowCount()))
    panel.tabs.setCurrentWidget(panel.map_host)
    qtbot.waitUntil(lambda: panel.map is not None and panel.map.model_count > 0, timeout=10_000)
    assert any(str(d).startswith(NAME) for d in panel.map.models.data["data"])

    path = data_dir / MODEL_NAMES_FILE
    qtbot.waitUntil(lambda: path.exists() and NAME in path.read_text(), timeout=10_000)
    assert json.loads(path.read_text())["names"] == {f"sandbox:{model.id}": NAME}
    reread = LocalNames(ctx, MODEL_NAMES_FILE, per_network=True)
    qtbot.waitUntil(lambda: reread.loaded, timeout=10_000)
    assert reread.name(model.id) == NAME

    # Evaluate: the picker row, the competition table and the JSON export carry the name
    evaluate = make_panel(qtbot, ctx)
    text = tmp_path / "poem.txt"
    text.write_text("Shall I compare thee to a summer's day?\n" * 20)
    drop_files(evaluate, [text])
    qtbot.waitUntil(lambda: len(evaluate.inputs.ready_files()) == 1, timeout=10_000)
    label = f"{NAME} (registry)"
    qtbot.waitUntil(lambda: any(evaluate.models.list.item(i).text().strip() == label
                                for i in range(evaluate.models.list.count())), timeout=10_000)
    item = next(evaluate.models.list.item(i) for i in range(evaluate.models.list.count())
                if evaluate.models.list.item(i).text().strip() == label)
    item.setCheckState(Qt.CheckState.Checked)
    click_run_and_wait(qtbot, evaluate)
    assert any(NAME in name for name in table_column(evaluate, 0))
    assert model_names(ctx).label(model.id).startswith(NAME)
