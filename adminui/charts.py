"""Charts as plain SVG geometry, computed here and drawn by templates (no JavaScript, no CDN).

The listener pages show plays over time (bars), top artists and tracks (horizontal bars, drawn with
CSS widths), a weekday x hour heatmap, an item's rank over time (a line, rank 1 on top) and the
stored plays per month with the gaps in the history shaded. These functions turn numbers into
coordinates, sizes and labels; `adminui/templates/adminui/includes/charts.html` only places them.
They are pure (no Django, no database) so the arithmetic has its own tests.

An SVG scales its text with its width, so one drawing can't be readable on a phone and on a wide
screen at once: each chart is drawn twice, for the width it is shown at (`WIDE` and `NARROW`), and
the stylesheet shows the one that fits the screen. Text stays between about 10 and 18 pixels.
"""

import math
from dataclasses import dataclass, field

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
LABEL_WIDTH = 70  # room an x label ("2026-03-01") needs, in the chart's units


def number(value):
    """A chart's number: whole ones with thousands separators (12,500), others as they are."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:g}"


def nice_ceiling(value):
    """The smallest of 1, 2, 5 x 10^n that is >= value (1 for nothing), for a chart's top."""
    if value <= 0:
        return 1
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return int(candidate) if candidate >= 1 else candidate
    return 10 ** (exponent + 1)  # pragma: no cover - the loop always returns


@dataclass
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_bottom: int
    top: int
    bars: list = field(default_factory=list)
    ticks: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    bands: list = field(default_factory=list)  # {x, w, title}: shaded spans (gaps in a history)
    slot: float = 0  # the width each bar has, gap included

    @property
    def is_empty(self):
        return not any(bar["value"] for bar in self.bars)

    @property
    def plot_height(self):
        return self.plot_bottom - 8


# Drawing sizes of the bar chart (width, height, most x labels), for screens from 720 px up and
# below that; the heatmap is drawn wide (24 columns) or tall (24 rows).
WIDE = {"bars": (720, 200, 8)}
NARROW = {"bars": (330, 190, 4)}


def bar_chart(points, *, width=720, height=200, max_labels=8, unit="plays"):
    """Vertical bars for `points` [(label, value), ...] in order.

    Bars share the plot width evenly (a 1px gap once they are wide enough), the y axis runs from
    0 to a round number with three ticks, and at most `max_labels` x labels are shown, evenly
    spaced, so a year of days stays readable.
    """
    left, right, top_margin, bottom = 44, 8, 8, 22
    plot_width = width - left - right
    plot_height = height - top_margin - bottom
    plot_bottom = top_margin + plot_height
    top = nice_ceiling(max((value for _, value in points), default=0))
    chart = BarChart(width, height, left, plot_bottom, top)
    if not points:
        return chart
    slot = plot_width / len(points)
    chart.slot = slot
    gap = 1 if slot >= 3 else 0
    for index, (label, value) in enumerate(points):
        bar_height = plot_height * value / top
        chart.bars.append(
            {
                "x": round(left + index * slot, 2),
                "y": round(plot_bottom - bar_height, 2),
                "w": round(max(slot - gap, 0.5), 2),
                "h": round(bar_height, 2),
                "label": label,
                "value": value,
                "title": f"{label}: {number(value)} {unit}",
            }
        )
    for fraction in (0, 0.5, 1):
        chart.ticks.append(
            {"y": round(plot_bottom - plot_height * fraction, 2), "value": number(top * fraction)}
        )
    every = max(1, math.ceil(len(points) / max_labels))
    for index in range(0, len(points), every):
        x = round(left + index * slot, 2)
        if index and x > width - LABEL_WIDTH:
            break  # it would run off the chart's right edge
        chart.labels.append({"x": x, "text": points[index][0]})
    return chart


@dataclass
class Heatmap:
    width: int
    height: int
    cells: list = field(default_factory=list)  # {x, y, w, h, day, hour, value, opacity, title}
    labels: list = field(default_factory=list)  # {x, y, text, anchor}
    top: int = 0

    def cell(self, day, hour):
        """The cell of a weekday (0 is Monday) and hour."""
        return self.cells[day * 24 + hour]


def _shade(cells, unit):
    if len(cells) != 7 or any(len(row) != 24 for row in cells):
        raise ValueError("a heatmap needs 7 rows (Monday first) of 24 hours")
    top = max((value for row in cells for value in row), default=0)
    shaded = []
    for day, row in enumerate(cells):
        for hour, value in enumerate(row):
            shaded.append(
                {
                    "day": day,
                    "hour": hour,
                    "value": value,
                    # Empty cells stay visible but faint; the busiest is fully opaque.
                    "opacity": round(0.06 + 0.94 * value / top, 3) if top and value else 0.06,
                    "title": f"{WEEKDAYS[day]} {hour:02d}:00: {number(value)} {unit}",
                }
            )
    return top, shaded


def heatmap(cells, *, cell=22, label_width=40, hour_every=3, unit="plays"):
    """A grid of 7 rows (Monday first) by 24 hours, each cell shaded by its share of the busiest,
    for wide screens."""
    top, shaded = _shade(cells, unit)
    header = 18
    grid = Heatmap(width=label_width + 24 * cell, height=header + 7 * cell, top=top)
    for hour in range(0, 24, hour_every):
        x = label_width + hour * cell + cell / 2
        grid.labels.append({"x": x, "y": 12, "text": f"{hour:02d}", "anchor": "middle"})
    for day in range(7):
        y = header + day * cell
        grid.labels.append({"x": 0, "y": y + cell * 0.68, "text": WEEKDAYS[day], "anchor": "start"})
    for item in shaded:
        x, y = label_width + item["hour"] * cell, header + item["day"] * cell
        grid.cells.append({**item, "x": x, "y": y, "w": cell - 2, "h": cell - 2})
    return grid


def heatmap_tall(cells, *, width=330, row_height=14, label_width=34, hour_every=3, unit="plays"):
    """The same heatmap turned a quarter: 24 rows of hours by 7 weekday columns, for phones,
    where 24 columns would leave no room for readable labels."""
    top, shaded = _shade(cells, unit)
    header = 18
    column = (width - label_width) / 7
    grid = Heatmap(width=width, height=header + 24 * row_height, top=top)
    for day in range(7):
        x = round(label_width + day * column + column / 2, 2)
        grid.labels.append({"x": x, "y": 13, "text": WEEKDAYS[day], "anchor": "middle"})
    for hour in range(0, 24, hour_every):
        y = header + hour * row_height + row_height * 0.75
        grid.labels.append({"x": 0, "y": y, "text": f"{hour:02d}:00", "anchor": "start"})
    for item in shaded:
        x = round(label_width + item["day"] * column, 2)
        y = header + item["hour"] * row_height
        grid.cells.append({**item, "x": x, "y": y, "w": round(column - 2, 2), "h": row_height - 2})
    return grid


def shade_spans(chart, spans):
    """Adds a shaded band to `chart` (a bar_chart) for each span (start, end, title), where start
    and end are positions along the bars: 0 is the first bar's left edge, 2.5 the middle of the
    third bar. A band stays at least 1.5 units wide, so a short gap still shows."""
    for start, end, title in spans:
        if not chart.bars or start > end:
            continue
        start, end = max(start, 0), min(end, len(chart.bars))
        x = round(chart.plot_left + start * chart.slot, 2)
        width = round(max((end - start) * chart.slot, 1.5), 2)
        chart.bands.append({"x": x, "w": width, "title": title})
    return chart


@dataclass
class RankChart:
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_bottom: int
    worst: int
    points: list = field(default_factory=list)  # {x, y, label, rank, plays, title}
    lines: list = field(default_factory=list)  # "x,y x,y ..." of each run of ranked periods
    ticks: list = field(default_factory=list)
    labels: list = field(default_factory=list)


def rank_chart(points, *, width=720, height=200, max_labels=8):
    """An item's rank per period, `points` [(label, rank or None, plays)] in order, as a line:
    rank 1 on top, on a logarithmic scale down to the worst rank (a round number), so moves
    among the first ten stay visible beside a rank in the hundreds. Periods without a play of
    the item break the line."""
    left, right, top_margin, bottom = 44, 10, 10, 22
    plot_bottom = height - bottom
    plot_height = plot_bottom - top_margin
    ranks = [rank for _, rank, _ in points if rank]
    worst = max(2, nice_ceiling(max(ranks, default=2)))
    chart = RankChart(width, height, left, top_margin, plot_bottom, worst)

    def y_of(rank):
        return round(top_margin + plot_height * math.log(rank) / math.log(worst), 2)

    tick_ranks = [1] + [10**k for k in range(1, 6) if 10**k < worst] + [worst]
    chart.ticks = [{"y": y_of(rank), "value": f"#{number(rank)}"} for rank in tick_ranks]
    if not points:
        return chart
    slot = (width - left - right) / len(points)
    run = []
    for index, (label, rank, plays) in enumerate(points):
        x = round(left + (index + 0.5) * slot, 2)
        if not rank:
            if len(run) > 1:
                chart.lines.append(" ".join(run))
            run = []
            continue
        y = y_of(rank)
        run.append(f"{x},{y}")
        chart.points.append(
            {
                "x": x,
                "y": y,
                "label": label,
                "rank": rank,
                "plays": plays,
                "title": f"{label}: #{number(rank)} ({number(plays)} plays)",
            }
        )
    if len(run) > 1:
        chart.lines.append(" ".join(run))
    every = max(1, math.ceil(len(points) / max_labels))
    for index in range(0, len(points), every):
        x = round(left + index * slot, 2)
        if index and x > width - LABEL_WIDTH:
            break
        chart.labels.append({"x": x, "text": points[index][0]})
    return chart


def ranks_for_both(points):
    """{"wide": ..., "narrow": ...} rank charts of `points` (see rank_chart)."""
    return {
        name: rank_chart(points, width=width, height=height, max_labels=labels)
        for name, (width, height, labels) in (("wide", WIDE["bars"]), ("narrow", NARROW["bars"]))
    }


def ranking(items, *, value_key="plays"):
    """Top-list rows with `share`: the percentage of the first (largest) row, for a CSS bar."""
    top = max((item.get(value_key) or 0 for item in items), default=0)
    return [
        {**item, "share": round(100 * (item.get(value_key) or 0) / top, 1) if top else 0}
        for item in items
    ]


def drawn_for_both(points, cells=None, *, unit="plays", spans=()):
    """{"wide": ..., "narrow": ...} bar charts of `points` (with `spans` shaded, see
    shade_spans), and heatmaps of `cells`."""
    drawn = {}
    for name, sizes in (("wide", WIDE), ("narrow", NARROW)):
        width, height, labels = sizes["bars"]
        chart = bar_chart(points, width=width, height=height, max_labels=labels, unit=unit)
        drawn[name] = {"bars": shade_spans(chart, spans)}
        if cells is not None:
            drawn[name]["heat"] = heatmap(cells) if name == "wide" else heatmap_tall(cells)
    return drawn
