"""Chart geometry: bars proportional to the percentage, gaps for N/A, labels that fit."""

from opendvc.scorecard import charts


def test_bar_lengths_are_proportional_to_the_percentage_and_na_draws_no_bar():
    chart = charts.hbars([("A", 100.0), ("B", 50.0), ("C", None)])
    full, half, missing = chart.bars
    assert full.width == chart.plot_width
    assert half.width == chart.plot_width / 2
    assert missing.width == 0 and missing.text == "–"
    assert full.y < half.y < missing.y


def test_values_beyond_the_scale_are_drawn_at_its_edge():
    chart = charts.hbars([("A", 130.0), ("B", -5.0)])
    assert chart.bars[0].width == chart.plot_width and chart.bars[1].width == 0


def test_a_month_without_data_breaks_the_trend_line():
    chart = charts.line([("01", 50.0), ("02", 60.0), ("03", None), ("04", 70.0), ("05", 80.0)])
    assert len(chart.segments) == 2
    assert len(chart.points) == 4
    assert len(chart.x_labels) == 5
    higher, lower = chart.points[1], chart.points[0]
    assert higher.y < lower.y  # up is better


def test_grouped_bars_have_one_bar_per_series_in_each_group_with_a_legend():
    chart = charts.grouped(
        ["Công khai, minh bạch", "Tiến độ"], [("Hà Nội", [80.0, 40.0]), ("Cả nước", [60.0, None])]
    )
    assert [len(c.bars) for c in chart.categories] == [2, 2]
    first, second = chart.categories[0].bars
    assert first.height > second.height > 0
    assert chart.categories[1].bars[1].height == 0
    assert [item.name for item in chart.legend] == ["Hà Nội", "Cả nước"]
    assert chart.categories[0].lines == ["Công khai, minh", "bạch"]
