"""A small line chart of an indicator, drawn as SVG coordinates on the server (no JavaScript, no inline style).

The values are what is plotted: a measurement "13 of 14" is plotted as 13, and the baseline and the target as
horizontal lines, so that a reader sees where the project started, where it wants to go and where it is.
"""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 300, 100, 8


@dataclass(frozen=True)
class Chart:
    points: str  # "x,y x,y ..." for <polyline>
    dots: list  # [(x, y, label)] for <circle> with a <title>
    baseline_y: float | None
    target_y: float | None
    width: int = WIDTH
    height: int = HEIGHT


def chart_for(indicator, measurements):
    """Coordinates for the indicator's measurements (in date order), baseline and target; None with nothing to draw."""
    values = [m.value for m in measurements]
    lines = [v for v in (indicator.baseline_value, indicator.target_value) if v is not None]
    if not values and not lines:
        return None
    everything = values + lines + [max(m.denominator or m.value for m in measurements)] if values else lines
    low, high = min(min(everything), 0), max(everything)
    span = (high - low) or 1

    def y(value):
        return round(HEIGHT - PAD - float((value - low) / span) * (HEIGHT - 2 * PAD), 1)

    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    dots = [
        (round(PAD + i * step if len(values) > 1 else WIDTH / 2, 1), y(m.value), m) for i, m in enumerate(measurements)
    ]
    return Chart(
        points=" ".join(f"{x},{y_}" for x, y_, _m in dots),
        dots=dots,
        baseline_y=None if indicator.baseline_value is None else y(indicator.baseline_value),
        target_y=None if indicator.target_value is None else y(indicator.target_value),
    )
