"""Visual language: navigation icons that follow the theme, empty tables that say what to do next."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from soma_desktop.ui.main_window import MainWindow


def test_nav_icons_follow_the_theme_and_empty_states_name_the_next_step(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    try:
        window.set_theme("light")
        light = [window.nav.item(i).icon() for i in range(window.nav.count())]
        assert all(not icon.isNull() for icon in light)
        window.set_theme("dark")
        dark = [window.nav.item(i).icon() for i in range(window.nav.count())]
        assert all(not icon.isNull() for icon in dark)
        assert [i.cacheKey() for i in light] != [i.cacheKey() for i in dark]
    finally:
        window.set_theme("system")
    evaluate = window.show_panel("evaluate")
    staking = window.show_panel("staking")
    QApplication.processEvents()
    hint = evaluate.table.empty_state.label
    assert hint.isVisibleTo(evaluate) and "press Run" in hint.text()
    assert staking.positions_table.empty_state.label.isVisibleTo(staking)
    assert "Validator" not in staking.positions_table.empty_state.label.text()


def test_plots_follow_a_theme_switch_while_the_app_runs(qtbot):
    """The Evaluate plots and the embedding map used to stay white after switching to dark."""
    from soma_desktop.ui.plots.embedding_map import EmbeddingMap
    from soma_desktop.ui.plots.loss_plot import LossPlot
    from soma_desktop.ui.theme import apply_theme

    app = QApplication.instance()
    loss, emap = LossPlot(), EmbeddingMap()
    for widget in (loss, emap):
        qtbot.addWidget(widget)
        widget.show()

    def backgrounds() -> set[str]:
        return {w.backgroundBrush().color().name() for w in (loss.main, loss.overview, emap.plot)}

    try:
        apply_theme(app, "light")
        light = backgrounds()
        apply_theme(app, "dark")
        qtbot.waitUntil(lambda: backgrounds() != light, timeout=2_000)
        dark = backgrounds()
        assert dark == {app.palette().base().color().name()} and dark != light
    finally:
        apply_theme(app, "light")
