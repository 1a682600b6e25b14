"""The catalogue: every programme the installation runs, current and past versions.

Built-in definitions come from the `states` package; a directory named by
`LIFECYCLE_PROGRAMMES` (or `--programmes DIR`) adds or overrides them. Files
are parsed when first needed, so a command about one case reads one file. A
case running under an older version is served that version, read back from
the copy stored in the database when the case was opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from lifecycle.domain.messages import N_
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
    def __init__(self, files: dict[str, Path]) -> None:
        self._files = files
        self._current: dict[str, Programme] = {}
        self._texts: dict[str, str] = {}
        self._versions: dict[tuple[str, str], Programme] = {}

    @classmethod
    def load(cls, extra: Path | str | None = None) -> Catalogue:
        extra_dir = Path(extra) if extra else None
        if extra_dir is None and os.environ.get("LIFECYCLE_PROGRAMMES"):
            extra_dir = Path(os.environ["LIFECYCLE_PROGRAMMES"])
        return cls({path.stem: path for path in definition_files(extra_dir)})

    def codes(self) -> list[str]:
        return sorted(self._files)

    def current(self, code: str) -> Programme:
        if code not in self._current:
            if code not in self._files:
                raise NotFound(
                    N_("no programme {code}; the programmes are: {codes}"),
                    {"code": repr(code), "codes": ", ".join(self.codes())},
                )
            programme, text = load_file(self._files[code])
            self._current[code] = programme
            self._texts[code] = text
            self._versions[(code, programme.version)] = programme
        return self._current[code]

    def all(self) -> list[Programme]:
        """Every programme, each file checked: a broken one is an error naming it."""
        programmes, problems = [], []
        for code in self.codes():
            try:
                programmes.append(self.current(code))
            except DefinitionError as error:
                problems += error.problems
        if problems:
            raise DefinitionError(problems)
        return programmes

    def text(self, code: str) -> str:
        self.current(code)
        return self._texts[code]

    def version(self, code: str, version: str, stored: StoredText | None = None) -> Programme:
        """The programme as it was at `version`: current, cached, or read from the database."""
        if code in self._files and (code, version) not in self._versions:
            self.current(code)
        key = (code, version)
        if key not in self._versions:
            text = stored(code, version) if stored else None
            if text is None:
                raise NotFound(
                    N_("{code} version {version} is neither current nor stored"),
                    {"code": code, "version": version[:12]},
                )
            programme = load_text(text, f"{code}@{version[:12]} (stored)")
            if programme.version != version:
                raise DefinitionError(
                    [
                        f"stored {code} version {version[:12]} hashes to "
                        f"{programme.version[:12]}: the stored copy was altered"
                    ]
                )
            self._versions[key] = programme
        return self._versions[key]
