"""A loading indicator that only appears when loading is slow.

Mounting Textual's loading overlay costs a layout pass; a page that arrives in
50 ms would flash it for nothing and pay that cost. So the overlay shows only
after `DELAY` seconds without an answer.
"""

from __future__ import annotations

from itertools import count

from textual.timer import Timer
from textual.widget import Widget

DELAY = 0.15


class SlowLoading:
    def __init__(self) -> None:
        self._timers: dict[int, Timer] = {}
        #: The load each widget waits for: a timer that fires after its load ended (it was
        #: already queued when stopped) must not put the overlay back.
        self._waiting: dict[int, int] = {}
        self._loads = count(1)

    def start(self, widget: Widget) -> None:
        self.stop(widget)
        load = self._waiting[id(widget)] = next(self._loads)

        def show() -> None:
            if self._waiting.get(id(widget)) == load:
                widget.loading = True

        self._timers[id(widget)] = widget.set_timer(DELAY, show)

    def stop(self, widget: Widget) -> None:
        self._waiting.pop(id(widget), None)
        timer = self._timers.pop(id(widget), None)
        if timer is not None:
            timer.stop()
        widget.loading = False
