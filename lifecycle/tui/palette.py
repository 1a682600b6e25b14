"""The command palette (ctrl+p) also finds cases: type part of a name or a case number."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from rich.text import Text
from textual.command import Hit, Hits, Provider

from lifecycle.domain.characters import printable
from lifecycle.services.filters import CaseFilter
from lifecycle.tui.text import named
from lifecycle.tui.words import _

#: Enough to choose from; the case list pages through the rest.
MATCHES = 12


class CaseFinder(Provider):
    async def search(self, query: str) -> Hits:
        query = query.strip()
        if len(query) < 2 and not query.isdigit():
            return
        app: Any = self.app
        from lifecycle.services.read_models.worklist import find_cases

        try:
            page = await asyncio.to_thread(
                find_cases, app.lifecycle, CaseFilter(text=query), sort="name", limit=MATCHES
            )
        except Exception:  # the palette is a convenience: the case list shows the error
            return
        lines = list(page.lines)
        if query.isdigit():
            lines.insert(0, None)  # type: ignore[arg-type]
        for line in lines:
            if line is None:
                words = _("Open case {case}").format(case=query)
                yield Hit(1.0, Text(words), partial(app.open_case, int(query)), text=words)
                continue
            label = Text.assemble(
                f"#{line.id} ", Text(printable(line.name)), (f"  {named(line.state_zh, line.state_en)}", "dim")
            )
            yield Hit(
                0.9,
                label,
                partial(app.open_case, line.id),
                text=f"#{line.id} {line.name}",
                help=_("{programme}: open this case").format(programme=line.programme),
            )
