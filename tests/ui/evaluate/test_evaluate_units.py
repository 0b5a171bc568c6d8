"""Qt-free pieces of the Evaluate panel: byte layout, glyphs, spans, projection, inputs, results JSON."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from soma_desktop.services.evaluate.results import ModelRef, RunResults
from soma_desktop.ui.plots.byte_view import text_rows
from soma_desktop.ui.plots.glyphs import glyph, utf8_char_at
from soma_desktop.ui.plots.projection import fit_pca


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=8, max_value=40))
def test_text_rows_cover_every_cell_once_and_break_after_newlines(data, columns):
    rows = text_rows(data, columns)
    total = len(data) + 1                     # + the EOS cell
    bounds = list(rows) + [total]
    assert bounds[0] == 0 and all(a < b for a, b in zip(bounds, bounds[1:]))
    for start, stop in zip(bounds, bounds[1:]):
        assert stop - start <= columns
        assert b"\n" not in data[start:min(stop, len(data)) - 1]   # a newline may only end a row
    for offset, byte in enumerate(data):
        if byte == 10 and offset + 1 < total:
            assert offset + 1 in bounds


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60))
def test_utf8_characters_are_drawn_once_on_their_lead_byte(text):
    data = text.encode("utf-8")
    drawn = "".join(glyph(data, i)[0] for i in range(len(data)) if data[i] >= 0x80)
    assert drawn == "".join(ch for ch in text if ord(ch) >= 0x80)


def test_glyphs_make_whitespace_and_controls_visible():
    data = b"a \n\t\r\x1b\xff"
    assert [glyph(data, i)[0] for i in range(len(data))] == ["a", "␣", "⏎", "⇥", "␍", "1b", "ff"]
    assert glyph(data, len(data)) == ("EOS", False)
    assert utf8_char_at("é".encode(), 1) == (0, "é")


def test_pca_projection_is_deterministic_and_sign_fixed():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(12, 32))
    first, second = fit_pca(vectors), fit_pca(vectors.copy())
    assert np.array_equal(first.apply(vectors), second.apply(vectors))
    for axis in first.axes:
        assert axis[np.argmax(np.abs(axis))] > 0
    assert fit_pca(vectors[:1]) is None
    assert 0 < sum(first.explained) <= 1


def test_streamed_plot_updates_equal_a_full_redraw(qtbot):
    """Incremental smoothing/overview over changed spans must match recomputing everything."""
    from soma_desktop.ui.plots.loss_plot import LossPlot, overview_series, smoothed

    plot = LossPlot()
    qtbot.addWidget(plot)
    size = 9000
    rng = np.random.default_rng(5)
    a = np.full(size + 1, np.nan, dtype=np.float32)
    b = a.copy()
    series = [("a", a, "#2563eb"), ("b", b, "#ea580c")]
    plot.set_series(size, series)
    for start in range(0, size, 1024):
        stop = min(start + 1024, size + 1)
        a[start + 1:stop] = rng.random(stop - start - 1) * 8
        plot.set_series(size, series, changed=[(start + 1, stop), None])
    for start in range(0, size, 1024):
        stop = min(start + 1024, size + 1)
        b[start + 1:stop] = rng.random(stop - start - 1) * 8
        plot.set_series(size, series, changed=[None, (start + 1, stop)])
    for index, values in enumerate((a, b)):
        assert np.allclose(plot._smooth[index], smoothed(values))
        assert np.allclose(plot._overview_y[index], overview_series(values)[1])
        assert np.array_equal(plot.visible_series(index), values, equal_nan=True)
        _x, y = plot._curves[2 * index].getOriginalDataset()      # zoomed out: the peak envelope
        assert np.isclose(np.nanmax(y), np.nanmax(values)) and y.size < values.size


def test_peak_levels_update_incrementally_and_keep_every_spike():
    from soma_desktop.ui.plots.decimate import MAX_POINTS, PeakLevels, stride_points

    rng = np.random.default_rng(9)
    values = np.full(300_001, np.nan, dtype=np.float32)
    levels = PeakLevels(values)
    for start in range(0, values.size, 1024):
        stop = min(start + 1024, values.size)
        values[start + 1:stop] = rng.random(stop - start - 1)
        levels.update(values, start + 1, stop)
    values[123_456] = 50.0                                   # one spike far above the rest
    levels.update(values, 123_456, 123_457)
    fresh = PeakLevels(values)
    for size, (low, high) in levels.levels.items():
        assert np.array_equal(low, fresh.levels[size][0], equal_nan=True)
        assert np.array_equal(high, fresh.levels[size][1], equal_nan=True)
    x, y = levels.points(values, 0, values.size)              # zoomed out: decimated, spike kept
    assert y.size <= MAX_POINTS and np.nanmax(y) == 50.0
    x, y = levels.points(values, 1000, 3000)                  # zoomed in: the raw values themselves
    assert np.array_equal(y, values[1000:3000], equal_nan=True) and x[0] == 1000
    assert stride_points(np.arange(100_000.0), 0, 100_000)[1].size <= MAX_POINTS


def test_loss_tab_lays_out_an_empty_run_at_once_and_the_first_chunk_updates_only_its_curve(qtbot, ctx):
    """Run draws the empty 1 MiB track (axes, curves, bytes); the first streamed chunk then fills model 0's
    curve in place (no rebuild in that event-loop turn) and the y range holds its values."""
    from soma_desktop.ui.evaluate.loss_tab import LossTab

    class Progress:  # duck-typed engine ChunkProgress
        model_index, chunk_index, chunks_total, offset = 0, 0, 1024, 1
        nll = np.full(1023, 2.0, dtype=np.float32)
        partial_loss, partial_embedding = 0.5, np.ones(4, dtype=np.float32)

    tab = LossTab(evaluate=ctx.services.evaluate, bridge=ctx.bridge, settings=ctx.settings)
    qtbot.addWidget(tab)
    old = RunResults.start(1, [(Path("old"), b"o" * 4096, False, False)], [ModelRef("m", "w")])
    tab.show_track(old.files[0], running=False)
    data = b"x" * 1_048_576
    results = RunResults.start(2, [(Path("big"), data, False, False)], [ModelRef("a", "w"), ModelRef("b", "v")])
    tab.show_track(results.files[0], running=True)
    assert tab.track is results.files[0] and tab.plot.data_size == 1_048_576 and tab.bytes.data is data
    def finite(curve) -> np.ndarray:
        y = curve.getData()[1]
        return np.zeros(0) if y is None else y[np.isfinite(y)]

    curves = list(tab.plot._curves)
    assert len(curves) == 4 and not any(finite(c).size for c in curves)    # nothing to draw yet
    results.apply_chunk(0, Progress())
    tab.show_track(results.files[0], running=True)
    assert tab.plot._curves == curves                             # updated in place, not rebuilt
    bits = 2.0 / math.log(2)
    np.testing.assert_allclose(tab.plot.visible_series(0)[1:1024], bits, rtol=1e-6)
    assert np.isnan(tab.plot.visible_series(1)).all()
    assert np.isclose(finite(curves[0]).max(), bits) and finite(curves[1]).size     # model a's curves ...
    assert not finite(curves[2]).size and not finite(curves[3]).size                # ... and none of b's
    low, high = tab.plot.main.viewRange()[1]
    assert low <= 0.0 and bits < high <= 2 * bits
    np.testing.assert_allclose(tab.bytes.values[1:1024], bits, rtol=1e-6)
    tab.unit.setCurrentText("nats")                               # a full redraw rescales every model
    np.testing.assert_allclose(tab.plot.visible_series(0)[1:1024], 2.0, rtol=1e-6)
    tab.stop()


@given(st.integers(0, 3000), st.integers(1, 400), st.integers(2, 64), st.integers(0, 2**31))
@settings(max_examples=60, deadline=None)
def test_smoothing_a_sparse_series_equals_the_windowed_mean(start, length, window, seed):
    """The smoothed overlay skips the NaN span of a file still streaming in; it must still be the centred mean."""
    from soma_desktop.ui.plots.loss_plot import smoothed

    values = np.full(4000, np.nan)
    values[start:start + length] = np.random.default_rng(seed).random(min(length, 4000 - start)) * 8
    half = window // 2
    expected = np.zeros(values.size)
    for i in range(values.size):
        win = values[max(0, i - half):max(0, i - half + window)]
        win = win[~np.isnan(win)]
        expected[i] = win.mean() if win.size else 0.0
    assert np.allclose(smoothed(values, window), expected)


@given(st.floats(-40, 0), st.floats(0, 40))
@settings(max_examples=80, deadline=None)
def test_loss_plot_y_range_holds_the_data_and_zero_and_stays_put_while_streaming(low, high):
    from soma_desktop.ui.plots.loss_plot import y_range_for

    bottom, top = y_range_for(low, high)
    assert bottom <= min(low, 0.0) and top > max(high, 0.0)
    assert top - bottom <= 4 * max(high - low, 0.125) + 1e-9       # never a uselessly loose range
    assert y_range_for(0.0, 11.3) == y_range_for(0.1, 11.9) == (0.0, 12.0)   # streaming: the axis stays put


def test_loss_plot_y_range_fits_the_visible_data_when_zooming(qtbot):
    """Like pyqtgraph's auto-range did: the y axis covers what is shown, so zooming past a spike rescales it."""
    from soma_desktop.ui.plots.loss_plot import LossPlot

    plot = LossPlot()
    qtbot.addWidget(plot)
    size = 200_000
    values = np.full(size + 1, 1.0, dtype=np.float32)
    values[::1024] = np.nan
    values[190_000] = 12.0                                         # one spike near the end
    plot.set_series(size, [("a", values, "#2563eb")])
    low, high = plot.main.viewRange()[1]
    assert low == 0.0 and 12.0 < high <= 14.0
    plot.main.setXRange(1000, 5000, padding=0)                     # the spike is out of view
    low, high = plot.main.viewRange()[1]
    assert low == 0.0 and 1.0 < high <= 1.5
    plot.reset_zoom()
    assert 12.0 < plot.main.viewRange()[1][1] <= 14.0


def test_competition_table_reserves_room_for_two_models_and_grows_for_more(qtbot):
    from soma_desktop.ui.evaluate.tables import CompetitionTable

    table = CompetitionTable()
    qtbot.addWidget(table)
    table.show()
    qtbot.waitExposed(table)
    empty = table.height()
    two = RunResults.start(1, [(Path("f"), b"x" * 5000, False, False)], [ModelRef("a", "w"), ModelRef("b", "v")])
    table.show_file(two.files[0])
    assert table.height() == empty and table.rowCount() == 2       # no re-layout of the panel below
    three = RunResults.start(2, [(Path("f"), b"x" * 5000, False, False)],
                             [ModelRef("a", "w"), ModelRef("b", "v"), ModelRef("c", "u")])
    table.show_file(three.files[0])
    assert table.height() > empty
    table.show_file(None)
    assert table.height() == empty
