"""The catalogue: every programme the installation runs, current and past versions.

Built-in definitions come from the `states` package; a directory named by
`LIFECYCLE_PROGRAMMES` (or `--programmes DIR`) adds or overrides them. A case
running under an older version is served that version, read back from the
copy stored in the database when the case was opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from lifecycle.domain.programme import Programme
from lifecycle.errors import DefinitionError, NotFound
from lifecycle.programmes.loader import load_file, load_text

StoredText = Callable[[str, str], str | None]


def builtin_directory() -> Path:
    return Path(str(resources.files("states")))


def definition_files(extra: Path | None = None) -> list[Path]:
    """Built-in files, then the extra directory's, which override those of the same name."""
    files = {p.stem: p for p in sorted(builtin_directory().glob("*.yaml"))}
    if extra is not None:
        if not extra.is_dir():
            raise DefinitionError([f"{extra}: the programmes directory does not exist"])
        files.update({p.stem: p for p in sorted(extra.glob("*.yaml"))})
    return list(files.values())


class Catalogue:
    def __init__(self, programmes: dict[str, Programme], texts: dict[str, str]) -> None:
        self._current = programmes
        self._texts = texts
        self._versions: dict[tuple[str, str], Programme] = {
            (p.code, p.version): p for p in programmes.values()}

    @classmethod
    def load(cls, extra: Path | str | None = None) -> Catalogue:
        extra_dir = Path(extra) if extra else None
        if extra_dir is None and os.environ.get("LIFECYCLE_PROGRAMMES"):
            extra_dir = Path(os.environ["LIFECYCLE_PROGRAMMES"])
        programmes: dict[str, Programme] = {}
        texts: dict[str, str] = {}
        problems: list[str] = []
        for path in definition_files(extra_dir):
            try:
                programme, text = load_file(path)
            except DefinitionError as error:
                problems += error.problems
                continue
            programmes[programme.code] = programme
            texts[programme.code] = text
        if problems:
            raise DefinitionError(problems)
        return cls(programmes, texts)

    def codes(self) -> list[str]:
        return sorted(self._current)

    def current(self, code: str) -> Programme:
        try:
            return self._current[code]
        except KeyError:
            raise NotFound(f"no programme {code!r}; the programmes are: "
                           f"{', '.join(self.codes())}") from None

    def text(self, code: str) -> str:
        return self._texts[code]

    def version(self, code: str, version: str, stored: StoredText | None = None) -> Programme:
        """The programme as it was at `version`: current, cached, or read from the database."""
        key = (code, version)
        if key not in self._versions:
            text = stored(code, version) if stored else None
            if text is None:
                raise NotFound(f"{code} version {version[:12]} is neither current nor stored")
            programme = load_text(text, f"{code}@{version[:12]} (stored)")
            if programme.version != version:
                raise DefinitionError([f"stored {code} version {version[:12]} hashes to "
                                       f"{programme.version[:12]}: the stored copy was altered"])
            self._versions[key] = programme
        return self._versions[key]
