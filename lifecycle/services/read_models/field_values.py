"""A case's fields as a text view shows them, in the language asked for: by the definition's
label and with the value as the policy documents write it (lifecycle.domain.values.display).

JSON never goes through here: `cases show --json` keeps the codes and the stored values.
"""

from __future__ import annotations

from typing import Any

from lifecycle.domain.values import display
from lifecycle.services.app import Lifecycle


def shown_fields(app: Lifecycle, view: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(field, value) rows for a case view (`show_case`), under the definition version the case
    runs on. In English: the code and the value as stored, as `cases show` has always printed
    them. In Chinese: the field's Chinese label with its code (what `--set` takes), the value
    as 30亿元, 11%, 是, 2024年10月1日."""
    with app.uow() as uow:
        programme = app.catalogue.version(
            view["programme"], view["definition_version"], lambda code, version: uow.definitions.text(version)
        )
    fields = programme.definition.fields
    rows = []
    for key, value in view["fields"].items():
        spec = fields.get(key)
        label = f"{spec.zh} {key}" if lang == "zh" and spec is not None and spec.zh else key
        rows.append((label, display(spec, value, lang)))
    return rows
