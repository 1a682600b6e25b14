"""Keeping the catalogues in step with the code (a developer's tool; needs Babel, a test extra).

    python -m lifecycle.i18n.catalogue          # extract, update the .po files, compile the .mo files
    python -m lifecycle.i18n.catalogue --check  # exit 1 naming every message without a translation

Each gettext domain takes its messages from its part of the source tree (DOMAINS). A message
extracted from the code and missing from the `.po` file is added untranslated, one no longer in
the code is dropped, and `--check` (and the test that runs it) names every message whose Chinese
translation is missing or fuzzy, and every `.mo` file that is not the compiled `.po`.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from lifecycle.i18n import DOMAIN_NAMES, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
#: domain → the source folders (relative to the repository) whose messages it holds.
DOMAINS: dict[str, tuple[str, ...]] = {
    "domain": (
        "lifecycle/domain",
        "lifecycle/services",
        "lifecycle/persistence",
        "lifecycle/programmes",
        "lifecycle/demo",
        "lifecycle/notifications",
    ),
    "cli": ("lifecycle/cli", "jobs"),
    "tui": ("lifecycle/tui",),
    "reports": ("lifecycle/reports",),
}
assert tuple(DOMAINS) == DOMAIN_NAMES
#: Files outside the folders above that belong to a domain.
EXTRA_FILES: dict[str, tuple[str, ...]] = {"domain": ("lifecycle/errors.py",)}
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
TRANSLATED = ("zh",)
#: Fixed header dates, so that updating a catalogue changes it only where a message changed.
STAMP = datetime(2026, 12, 1, tzinfo=UTC)
PEOPLE: dict[str, Any] = {
    "copyright_holder": "the lifecycle authors",
    "msgid_bugs_address": "the lifecycle team",
    "last_translator": "the lifecycle team",
    "language_team": "Simplified Chinese",
}


def extracted(domain: str) -> Catalog:
    """The messages the code of `domain` marks, with where each is used."""
    catalog = Catalog(
        domain=domain,
        project="lifecycle",
        version="0.1",
        charset="utf-8",
        creation_date=STAMP,
        revision_date=STAMP,
        **PEOPLE,
    )
    for folder in DOMAINS[domain]:
        base = ROOT / folder
        if not base.exists():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            str(base), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("Translators:",)
        ):
            catalog.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context)
    for path in EXTRA_FILES.get(domain, ()):
        from babel.messages.extract import extract

        with open(ROOT / path, "rb") as source:
            for lineno, message, comments, context in extract("python", source, keywords=KEYWORDS):
                catalog.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(domain: str, lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def read(domain: str, lang: str) -> Catalog:
    path = po_path(domain, lang)
    if not path.exists():
        return Catalog(
            locale=lang,
            domain=domain,
            project="lifecycle",
            version="0.1",
            charset="utf-8",
            **PEOPLE,
            creation_date=STAMP,
            revision_date=STAMP,
            fuzzy=False,
        )
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=domain)


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def update() -> None:
    for domain in DOMAIN_NAMES:
        template = extracted(domain)
        for lang in TRANSLATED:
            catalog = read(domain, lang)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.revision_date = STAMP
            catalog.fuzzy = False
            path = po_path(domain, lang)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, ignore_obsolete=True, sort_output=True, include_lineno=False)
            path.with_suffix(".mo").write_bytes(compiled(read(domain, lang)))


def problems() -> Iterator[str]:
    """Every message without a translation, and every stale `.mo` file."""
    for domain in DOMAIN_NAMES:
        template = extracted(domain)
        for lang in TRANSLATED:
            catalog = read(domain, lang)
            for message in template:
                if not message.id:
                    continue
                where = ", ".join(f"{file}:{line}" for file, line in message.locations[:3])
                found = catalog.get(message.id, context=message.context)
                if found is None:
                    yield f"{domain}.po ({lang}): not in the catalogue: {message.id!r} ({where})"
                elif found.fuzzy or not _has_translation(found.string):
                    yield f"{domain}.po ({lang}): no translation: {message.id!r} ({where})"
            mo = po_path(domain, lang).with_suffix(".mo")
            if not mo.exists() or mo.read_bytes() != compiled(catalog):
                yield f"{mo.relative_to(ROOT)}: not the compiled {domain}.po: run python -m lifecycle.i18n.catalogue"


def _has_translation(string: str | tuple[str, ...] | list[str] | None) -> bool:
    return all(string) if isinstance(string, tuple | list) else bool(string)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check: exit 1 naming what is missing")
    args = parser.parse_args(argv)
    if not args.check:
        update()
    found = list(problems())
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
