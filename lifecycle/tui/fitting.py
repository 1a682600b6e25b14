"""Tables whose columns fit the terminal: what does not fit is left out of the table (and
shown in full in the screen's detail pane for the highlighted row), never cut in the middle.

Each column has a rank: the most important ones are kept first when room runs out; the
table shows the kept ones in their natural order. Widths are measured on the rows shown,
so a page of short names keeps more columns than a page of long ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from lifecycle.tui.words import _

#: DataTable pads each cell by one column on either side; a vertical scrollbar takes two.
PADDING, SCROLLBAR = 2, 2


@dataclass(frozen=True)
class Column:
    key: str
    #: The header, in English, marked N_ where defined (translated as the table is drawn).
    label: str
    #: 0 is kept first; higher ranks give way when the terminal is narrow.
    rank: int


Row = tuple[str, Mapping[str, Any]]


def width_of(value: Any) -> int:
    if isinstance(value, Text):
        return max((cell_len(line) for line in value.plain.split("\n")), default=0)
    return cell_len(str(value))


def fit(columns: Sequence[Column], rows: Sequence[Row], room: int) -> list[Column]:
    """The columns that fit in `room` cells, by rank, in their natural order."""
    widths = {
        c.key: max([width_of(_(c.label)), *(width_of(cells.get(c.key, "")) for _, cells in rows)]) + PADDING
        for c in columns
    }
    kept: set[str] = set()
    used = 0
    for column in sorted(columns, key=lambda c: c.rank):
        if used + widths[column.key] > room and kept:
            break  # strictly by rank: a less important column never takes the place of one left out
        kept.add(column.key)
        used += widths[column.key]
    return [c for c in columns if c.key in kept]


class FittedTable:
    """Fills a DataTable with the columns that fit; `refit` after the terminal is resized."""

    def __init__(self, table: DataTable[Any], columns: Sequence[Column]) -> None:
        self.table = table
        self.columns = list(columns)
        self.shown: list[str] = []
        self.rows: list[Row] = []

    def room(self) -> int:
        width = self.table.size.width or self.table.app.size.width
        return max(20, width - SCROLLBAR)

    def show(self, rows: Sequence[Row], *, keep_cursor: bool = False) -> None:
        self.rows = list(rows)
        table = self.table
        cursor = table.cursor_row if keep_cursor else 0
        chosen = fit(self.columns, self.rows, self.room())
        keys = [c.key for c in chosen]
        if keys != self.shown:
            table.clear(columns=True)
            for column in chosen:
                table.add_column(_(column.label), key=column.key)
            self.shown = keys
        else:
            table.clear()
        for key, cells in self.rows:
            table.add_row(*(cells.get(k, "") for k in keys), key=key)
        if self.rows and 0 < cursor < len(self.rows):
            table.move_cursor(row=cursor)

    def refit(self) -> None:
        if fit(self.columns, self.rows, self.room()) != [c for c in self.columns if c.key in self.shown]:
            self.show(self.rows, keep_cursor=True)

    def hidden(self) -> list[str]:
        return [c.key for c in self.columns if c.key not in self.shown]
