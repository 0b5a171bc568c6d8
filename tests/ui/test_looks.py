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
