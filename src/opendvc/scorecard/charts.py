"""Charts drawn on the server: the geometry of horizontal bars, a trend line and grouped bars, which the
templates `scorecard/_chart_*.html` turn into SVG (role="img", a title and a description, each mark with
its value in words). Every chart sits beside the table holding the same numbers, so nobody needs to see
the picture to get the data. Values are percentages (0–100); None is a gap (N/A, no data).
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format

SERIES_COLOURS = ("#1d4ed8", "#b45309", "#00703c")  # contrast ≥ 4.5:1 on white, told apart by the legend too
GRID = (0, 25, 50, 75, 100)


def _text(value: float | None) -> str:
    return "–" if value is None else number_format(round(value, 1), 1)


def _wrap(label: str, width: int) -> list[str]:
    """Split a label into lines of about `width` characters at spaces (at most three lines)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 3:
        lines = [*lines[:2], " ".join(lines[2:])[: width - 1] + "…"]
    return lines


@dataclass
class Bar:
    label: str
    value: float | None
    text: str
    x: float
    y: float
    width: float
    height: float
    colour: str = SERIES_COLOURS[0]

    @property
    def middle(self) -> float:
        return round(self.y + self.height / 2, 1)

    @property
    def value_x(self) -> float:
        return round(self.x + self.width + 6, 1)

    @property
    def value_y(self) -> float:
        return round(self.y - 6, 1)

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass
class Tick:
    value: int
    position: float
    text: str


@dataclass
class HBars:
    width: int
    height: int
    label_width: int
    plot_width: int
    bars: list[Bar]
    ticks: list[Tick]

    @property
    def label_x(self) -> int:
        return self.label_width - 8

    @property
    def grid_bottom(self) -> int:
        return self.height - 4


def hbars(items: list[tuple[str, float | None]], *, width: int = 720, row: int = 30) -> HBars:
    """One bar per (label, percent), top to bottom, scaled 0–100."""
    label_width, right = 300, 56
    plot = width - label_width - right
    top = 24
    bars = [
        Bar(
            label=label,
            value=value,
            text=_text(value),
            x=label_width,
            y=top + i * row + 4,
            width=round(plot * max(0.0, min(value or 0.0, 100.0)) / 100, 1),
            height=row - 8,
        )
        for i, (label, value) in enumerate(items)
    ]
    ticks = [Tick(v, label_width + plot * v / 100, str(v)) for v in GRID]
    return HBars(width, top + len(items) * row + 8, label_width, plot, bars, ticks)


@dataclass
class Frame:
    """The plotting area of a vertical 0–100 scale: the SVG's size and the area's edges."""

    width: int
    height: int
    left: int
    top: int
    bottom: float
    right: float

    def y(self, value: float) -> float:
        return round(self.bottom - (self.bottom - self.top) * max(0.0, min(value, 100.0)) / 100, 1)

    @property
    def ticks(self) -> list[Tick]:
        return [Tick(v, self.y(v), str(v)) for v in GRID]


@dataclass
class Segment:
    points: str  # "x,y x,y …"


@dataclass
class Point:
    label: str
    value: float
    text: str
    x: float
    y: float


@dataclass
class Line(Frame):
    segments: list[Segment] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    x_labels: list[Point] = field(default_factory=list)


def line(points: list[tuple[str, float | None]], *, width: int = 720, height: int = 280) -> Line:
    """A trend: one point per (label, percent); a None breaks the line."""
    chart = Line(width, height, left=44, top=16, bottom=height - 48, right=width - 16)
    step = (chart.right - chart.left) / max(len(points) - 1, 1)
    segments, current = [], []
    for i, (label, value) in enumerate(points):
        x = round(chart.left + i * step, 1) if len(points) > 1 else (chart.left + chart.right) / 2
        chart.x_labels.append(Point(label, 0, label, x, height - 24))
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        mark = Point(label, value, _text(value), x, chart.y(value))
        chart.points.append(mark)
        current.append(mark)
    if current:
        segments.append(current)
    chart.segments = [Segment(" ".join(f"{p.x},{p.y}" for p in s)) for s in segments if len(s) > 1]
    return chart


@dataclass
class Category:
    label: str
    lines: list[str]
    x: float
    bars: list[Bar]


@dataclass
class Legend:
    name: str
    colour: str
    x: float

    @property
    def text_x(self) -> float:
        return self.x + 20


@dataclass
class Grouped(Frame):
    categories: list[Category] = field(default_factory=list)
    legend: list[Legend] = field(default_factory=list)


def grouped(
    categories: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    width: int = 720,
    height: int = 320,
) -> Grouped:
    """Vertical bars: for each category (a group of criteria) one bar per series (a unit or a period)."""
    chart = Grouped(width, height, left=44, top=40, bottom=height - 64, right=width - 8)
    band = (chart.right - chart.left) / max(len(categories), 1)
    bar = min(48.0, (band - 16) / max(len(series), 1))
    for i, label in enumerate(categories):
        start = chart.left + i * band + (band - bar * len(series)) / 2
        bars = []
        for j, (name, values) in enumerate(series):
            value = values[i]
            top_y = chart.y(value) if value is not None else chart.bottom
            bars.append(
                Bar(
                    label=name,
                    value=value,
                    text=_text(value),
                    x=round(start + j * bar, 1),
                    y=top_y,
                    width=round(bar - 4, 1),
                    height=round(chart.bottom - top_y, 1),
                    colour=SERIES_COLOURS[j % len(SERIES_COLOURS)],
                )
            )
        chart.categories.append(
            Category(label, _wrap(label, 16), round(chart.left + i * band + band / 2, 1), bars)
        )
    chart.legend = [
        Legend(
            name,
            SERIES_COLOURS[j % len(SERIES_COLOURS)],
            chart.left + j * (chart.right - chart.left) / max(len(series), 1),
        )
        for j, (name, _values) in enumerate(series)
    ]
    return chart
