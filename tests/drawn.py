"""What a matplotlib figure actually shows, read back from its artists: per panel, its title, and each
labelled series (error-bar lines, bar groups, plain lines, scatter points, horizontal reference lines)
with its points and the ends of its error bars. Tests compare this with the tables a figure was drawn
from."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.container import BarContainer, ErrorbarContainer


@dataclass
class Series:
    x: np.ndarray
    y: np.ndarray
    low: np.ndarray | None = None  # the lower end of each point's error bar (None: no bars)
    high: np.ndarray | None = None


@dataclass
class Panel:
    title: str
    series: dict[str, Series] = field(default_factory=dict)
    hlines: dict[str, float] = field(default_factory=dict)  # labelled horizontal reference lines (axhline)
    lines: dict[str, Series] = field(default_factory=dict)  # labelled plain lines (plot), without error bars
    points: dict[str, Series] = field(default_factory=dict)  # labelled scatter points


def _ends(segments) -> tuple[np.ndarray, np.ndarray]:
    """The ends of error bars: y for vertical bars, x for horizontal ones (``xerr``)."""
    axis = 1 if all(s[0][0] == s[1][0] for s in segments) else 0
    low = np.array([min(s[0][axis], s[1][axis]) for s in segments])
    high = np.array([max(s[0][axis], s[1][axis]) for s in segments])
    return low, high


def _error_ends(container: ErrorbarContainer, n: int):
    """The ends of the error bars, one per point (None when they cannot be matched to the points)."""
    _, _, columns = container.lines
    if not columns:
        return None, None
    segments = columns[0].get_segments()
    if len(segments) != n:  # matplotlib drops the bars of NaN points; match by x
        return None, None
    return _ends(segments)


def panels(fig) -> list[Panel]:
    out = []
    for ax in fig.axes:
        if not ax.has_data():
            continue  # an unused cell of a panel grid
        panel = Panel(ax.get_title())
        for container in ax.containers:
            label = container.get_label()
            if isinstance(container, ErrorbarContainer) and label and not label.startswith("_"):
                line = container.lines[0]
                x, y = np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)
                low, high = _error_ends(container, len(x))
                panel.series[label] = Series(x, y, low, high)
            elif isinstance(container, BarContainer) and label and not label.startswith("_"):
                x = np.array([p.get_x() + p.get_width() / 2 for p in container.patches])
                y = np.array([p.get_height() for p in container.patches])
                low = high = None
                if container.errorbar is not None:
                    low, high = _error_ends(container.errorbar, len(x))
                panel.series[label] = Series(x, y, low, high)
        for line in ax.lines:
            label = line.get_label()
            x, y = line.get_xdata(), line.get_ydata()
            if not label or label.startswith("_"):
                continue  # an error-bar series' own line (its container holds the label), or unlabelled
            if len(y) == 2 and y[0] == y[1] and tuple(x) == (0, 1):
                panel.hlines[label] = float(y[0])
            else:
                panel.lines[label] = Series(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        for collection in ax.collections:
            label = collection.get_label()
            if label and not label.startswith("_"):
                offsets = np.asarray(collection.get_offsets(), dtype=float)
                panel.points[label] = Series(offsets[:, 0], offsets[:, 1])
        out.append(panel)
    return out
