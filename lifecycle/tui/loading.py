"""A loading indicator that only appears when loading is slow.

Mounting Textual's loading overlay costs a layout pass; a page that arrives in
50 ms would flash it for nothing and pay that cost. So the overlay shows only
after `DELAY` seconds without an answer.
"""

from __future__ import annotations

from textual.timer import Timer
from textual.widget import Widget

DELAY = 0.15


class SlowLoading:
    def __init__(self) -> None:
        self._timers: dict[int, Timer] = {}

    def start(self, widget: Widget) -> None:
        self.stop(widget)
        self._timers[id(widget)] = widget.set_timer(DELAY, lambda: setattr(widget, "loading", True))

    def stop(self, widget: Widget) -> None:
        timer = self._timers.pop(id(widget), None)
        if timer is not None:
            timer.stop()
        widget.loading = False
