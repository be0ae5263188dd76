"""A grouped bar chart as SVG, written by hand from data: no plotting library.

Labels are 15 px or more in a 760 px drawing: shown across a slide, that
is 18 px or more on a 1024x768 projector (tests/test_browser.py checks).

SVG is XML text: a <rect> per bar, a <text> per label, a <line> per grid
line. bench.py calls bar_chart() with its measurements, so the chart can
never disagree with the data it was drawn from.

    svg = bar_chart("Requests per second", ["threads", "asyncio"],
                    {"10 connections": [9000.0, 8000.0]})
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948"]
WIDTH, HEIGHT = 760, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 50, 80  # margins around the plot area


def nice_ceiling(value: float) -> float:
    """A round number >= value for the top of the axis: 1, 2 or 5 x 10^k."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return 10.0 * power


def text(x: float, y: float, content: str, **attributes: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{value}"'
                    for name, value in attributes.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(content)}</text>'


# [start:bar_chart]
def bar_chart(title: str, groups: list[str],
              series: dict[str, list[float]], note: str = "") -> str:
    """SVG text: for each group, one bar per series, side by side."""
    top = nice_ceiling(max((v for vs in series.values() for v in vs),
                           default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(1, len(groups))
    bar_w = group_w * 0.8 / max(1, len(series))
    parts = [text(WIDTH / 2, 24, title, text_anchor="middle",
                  font_size="20", font_weight="bold")]
    for tick in range(6):  # horizontal grid lines and their values
        value = top * tick / 5
        y = TOP + plot_h - plot_h * tick / 5
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}"'
                     f' y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(text(LEFT - 6, y + 4, f"{value:,.0f}",
                          text_anchor="end", font_size="15"))
    for g, group in enumerate(groups):
        x0 = LEFT + g * group_w + group_w * 0.1
        for s, (name, values) in enumerate(series.items()):
            h = plot_h * values[g] / top
            parts.append(
                f'<rect class="bar" x="{x0 + s * bar_w:.1f}"'
                f' y="{TOP + plot_h - h:.1f}" width="{bar_w * 0.9:.1f}"'
                f' height="{h:.1f}" fill="{COLOURS[s % len(COLOURS)]}">'
                f'<title>{escape(f"{group}, {name}: {values[g]:,.0f}")}'
                f'</title></rect>')
        parts.append(text(LEFT + (g + 0.5) * group_w, TOP + plot_h + 16,
                          group, text_anchor="middle", font_size="15"))
    parts += legend(list(series), TOP + plot_h + 40)
    if note:
        parts.append(text(WIDTH / 2, HEIGHT - 6, note,
                          text_anchor="middle", font_size="15", fill="#555"))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}"'
            f' height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"'
            f' font-family="sans-serif">\n' + "\n".join(parts) + "\n</svg>\n")
# [end:bar_chart]


def legend(names: list[str], y: float) -> list[str]:
    """A row of coloured squares with the series' names."""
    parts = []
    x = LEFT
    for s, name in enumerate(names):
        parts.append(f'<rect x="{x}" y="{y - 11}" width="13" height="13"'
                     f' fill="{COLOURS[s % len(COLOURS)]}"/>')
        parts.append(text(x + 18, y, name, font_size="15"))
        x += 28 + 9 * len(name)
    return parts
