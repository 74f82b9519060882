"""A member's check-ins over time as a PNG: mood (1-5) and mean goal progress (%). Matplotlib, Agg.

Drawn with a Figure object (no pyplot global state), so it can run in a worker thread."""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.checkins.check_in import History


def history_png(history: History) -> bytes:
    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    mood_axis = figure.add_subplot(1, 1, 1)
    if history.moods:
        times, moods = zip(*history.moods, strict=True)
        mood_axis.plot(times, moods, marker="o", color="#5865F2", label="How I was (1-5)")
    mood_axis.set_ylim(0.5, 5.5)
    mood_axis.set_ylabel("mood")
    mood_axis.set_title("My check-ins")
    progress_axis = mood_axis.twinx()
    if history.progress:
        times, values = zip(*history.progress, strict=True)
        progress_axis.step(times, values, where="post", color="#3BA55D", label="Goal progress (%)")
    progress_axis.set_ylim(-5, 105)
    progress_axis.set_ylabel("goal progress %")
    handles = mood_axis.get_legend_handles_labels()[0] + progress_axis.get_legend_handles_labels()[0]
    if handles:
        mood_axis.legend(handles=handles, loc="upper left")
    figure.autofmt_xdate()
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
