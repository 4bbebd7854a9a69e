"""The SVG geometry of the pages' charts: bars, ticks, labels, heatmap shading, rankings."""

import pytest

from adminui.charts import (
    bar_chart,
    heatmap,
    heatmap_tall,
    nice_ceiling,
    rank_chart,
    ranking,
    shade_spans,
)
from adminui.templatetags.pages import when


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (180, 200), (501, 1000)]
)
def test_the_top_of_a_chart_is_a_round_number_above_the_largest_value(value, expected):
    assert nice_ceiling(value) == expected


def test_bars_fill_the_plot_in_order_with_heights_proportional_to_their_values():
    chart = bar_chart([("mon", 10), ("tue", 5), ("wed", 0)], width=352, height=130)
    assert chart.top == 10
    assert [bar["label"] for bar in chart.bars] == ["mon", "tue", "wed"]
    plot_height = 130 - 8 - 22
    assert [bar["h"] for bar in chart.bars] == [plot_height, plot_height / 2, 0]
    # Every bar stands on the x axis, and the bars share the 300px plot evenly.
    assert {bar["y"] + bar["h"] for bar in chart.bars} == {chart.plot_bottom}
    assert [bar["x"] for bar in chart.bars] == [44, 144, 244]
    assert chart.bars[0]["title"] == "mon: 10 plays"


def test_the_y_axis_has_ticks_at_zero_half_and_the_top():
    chart = bar_chart([("a", 37)])
    assert [tick["value"] for tick in chart.ticks] == ["0", "25", "50"]


def test_a_long_series_shows_a_few_evenly_spaced_labels():
    chart = bar_chart([(f"d{n}", n) for n in range(365)], max_labels=8)
    assert 6 <= len(chart.labels) <= 8
    gaps = {round(b["x"] - a["x"]) for a, b in zip(chart.labels, chart.labels[1:], strict=False)}
    assert len(gaps) == 1  # evenly spaced
    assert chart.labels[0]["text"] == "d0"
    # Every label has room for its text before the right edge.
    assert all(label["x"] <= chart.width - 70 for label in chart.labels)


def test_an_empty_or_all_zero_series_is_reported_empty():
    assert bar_chart([]).is_empty
    assert bar_chart([("a", 0), ("b", 0)]).is_empty
    assert not bar_chart([("a", 1)]).is_empty


def test_the_heatmap_shades_cells_by_their_share_of_the_busiest():
    cells = [[0] * 24 for _ in range(7)]
    cells[0][9] = 4  # Monday 09:00, the busiest
    cells[6][23] = 1  # Sunday 23:00
    grid = heatmap(cells)
    days = [label["text"] for label in grid.labels if label["anchor"] == "start"]
    assert days == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    monday_nine = grid.cell(0, 9)
    assert (monday_nine["opacity"], monday_nine["title"]) == (1.0, "Mon 09:00: 4 plays")
    assert grid.cell(6, 23)["opacity"] == pytest.approx(0.06 + 0.94 / 4, abs=0.001)
    assert grid.cell(3, 0)["opacity"] == 0.06  # empty, but still drawn
    assert len(grid.cells) == 7 * 24
    assert len(grid.labels) == 7 + 8  # days, and every third hour
    # Monday 09:00 is in the first row, tenth column.
    assert (
        grid.cell(0, 9)["y"] < grid.cell(1, 9)["y"] and grid.cell(0, 9)["x"] > grid.cell(0, 8)["x"]
    )


def test_the_tall_heatmap_for_phones_has_a_row_per_hour_and_a_column_per_day():
    cells = [[0] * 24 for _ in range(7)]
    cells[2][20] = 3  # Wednesday 20:00
    grid = heatmap_tall(cells, width=330)
    assert grid.width == 330
    assert [label["text"] for label in grid.labels[:7]] == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    ]
    wednesday = grid.cell(2, 20)
    assert wednesday["title"] == "Wed 20:00: 3 plays" and wednesday["opacity"] == 1.0
    # Hours go down, days across, and the grid stays inside the drawing.
    assert grid.cell(2, 21)["y"] > wednesday["y"] and grid.cell(3, 20)["x"] > wednesday["x"]
    assert max(c["x"] + c["w"] for c in grid.cells) <= grid.width
    assert max(c["y"] + c["h"] for c in grid.cells) <= grid.height


def test_a_heatmap_needs_seven_days_of_twenty_four_hours():
    with pytest.raises(ValueError, match="7 rows"):
        heatmap([[0] * 24] * 6)


def test_rankings_measure_each_row_against_the_first():
    rows = ranking([{"name": "A", "plays": 8}, {"name": "B", "plays": 2}])
    assert [(row["name"], row["share"]) for row in rows] == [("A", 100.0), ("B", 25.0)]
    assert ranking([]) == []


@pytest.mark.parametrize(
    ("iso", "precision", "shown"),
    [
        ("2026-03-01T14:05:09+01:00", "minute", "2026-03-01 14:05"),
        ("2026-03-01T14:05:09+01:00", "day", "2026-03-01"),
        (None, "minute", ""),
        ("soon", "minute", ""),
    ],
)
def test_iso_times_from_the_queries_are_shown_without_seconds_or_offset(iso, precision, shown):
    assert when(iso, precision) == shown


def test_a_rank_line_puts_rank_one_on_top_and_breaks_where_the_item_was_not_played():
    chart = rank_chart(
        [("2023-01", 1, 9), ("2023-02", 10, 3), ("2023-03", None, 0), ("2023-04", 100, 1)],
        width=454,
        height=200,
    )
    assert chart.worst == 100
    [first, second, fourth] = chart.points
    assert first["y"] == chart.plot_top  # rank 1 at the top
    assert fourth["y"] == chart.plot_bottom  # the worst rank at the bottom
    # A logarithmic scale: rank 10 halfway between 1 and 100.
    assert second["y"] == pytest.approx((chart.plot_top + chart.plot_bottom) / 2, abs=0.01)
    # One line through the first two; the unplayed month breaks it, and one point stands alone.
    assert chart.lines == [f"{first['x']},{first['y']} {second['x']},{second['y']}"]
    assert [tick["value"] for tick in chart.ticks] == ["#1", "#10", "#100"]
    assert first["title"] == "2023-01: #1 (9 plays)"


def test_a_rank_chart_of_nothing_has_its_axis_and_no_points():
    chart = rank_chart([])
    assert chart.points == [] and chart.lines == [] and chart.ticks


def test_gaps_are_shaded_from_where_they_start_to_where_they_end():
    chart = bar_chart([("2023-01", 5), ("2023-02", 0), ("2023-03", 4)], width=352)
    shade_spans(chart, [(0.5, 2.25, "gap"), (3, 2, "backwards: ignored")])
    [band] = chart.bands
    assert band["x"] == 44 + 0.5 * 100 and band["w"] == 175 and band["title"] == "gap"
