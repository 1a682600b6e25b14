"""Reads a programme definition file, validates it, and names file, key and line when it is broken."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lifecycle.domain.definition import Definition, dump_for_hash, missing_chinese_labels, reference_problems
from lifecycle.domain.programme import Programme
from lifecycle.errors import DefinitionError

# libyaml's parser when present: several times faster than the pure-Python one.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def version_of(data: Any) -> str:
    """The content hash of a definition: SHA-256 over its canonical JSON, so comments and
    layout do not make a new version but any change of a rule does."""
    canonical = json.dumps(dump_for_hash(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _line_of(node: yaml.Node | None, path: list[str]) -> int | None:
    """The 1-based line of the key `path` in a composed YAML tree (the deepest one found)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                key = next((k for k, v in node.value if getattr(k, "value", None) == part), None)
                return key.start_mark.line + 1 if key is not None else line
            node = match
        elif isinstance(node, yaml.SequenceNode):
            if part.isdigit() and int(part) < len(node.value):
                node = node.value[int(part)]
            else:  # list items named by their `id`
                node = next(
                    (
                        item
                        for item in node.value
                        if isinstance(item, yaml.MappingNode)
                        and any(
                            getattr(k, "value", None) == "id" and getattr(v, "value", None) == part
                            for k, v in item.value
                        )
                    ),
                    None,
                )
                if node is None:
                    return line
        else:
            return line
        line = node.start_mark.line + 1
    return line


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree, with line numbers: composed only when there is an error to place."""
    return yaml.compose(text, Loader=SafeLoader)


def _bad_date_line(node: yaml.Node | None) -> int | None:
    """The line of the first date-looking scalar that is not a real date (2024-09-31)."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":timestamp"):
            try:
                datetime.date.fromisoformat(str(node.value)[:10])
            except ValueError:
                return node.start_mark.line + 1
        return None
    children = (
        node.value
        if isinstance(node, yaml.SequenceNode)
        else [part for pair in node.value for part in pair]
        if isinstance(node, yaml.MappingNode)
        else []
    )
    for child in children:
        line = _bad_date_line(child)
        if line:
            return line
    return None


def _split_key(dotted: str) -> list[str]:
    return [p for p in re.split(r"[.\[\]]", dotted) if p]


def parse_definition(text: str, origin: str) -> tuple[Definition, str]:
    """Parse and validate a definition; DefinitionError lists every problem with file:line and key."""
    try:
        data = yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark else origin
        raise DefinitionError([f"{where}: not valid YAML: {getattr(error, 'problem', error)}"]) from None
    except ValueError as error:  # PyYAML builds dates itself: 2024-09-31 fails here
        line = _bad_date_line(_compose(text))
        where = f"{origin}:{line}" if line else origin
        raise DefinitionError([f"{where}: a value is not valid: {error}"]) from None
    if not isinstance(data, dict):
        raise DefinitionError([f"{origin}: a definition is a mapping of keys (code, name, states, ...)"])
    try:
        definition = Definition.model_validate(data)
    except ValidationError as error:
        node = _compose(text)
        problems = []
        for item in error.errors():
            path = [str(p) for p in item["loc"]]
            # pydantic names union branches and validators in loc; keep only real keys
            path = [p for p in path if not p.startswith(("function-", "literal[", "list[", "str"))]
            key = ".".join(path) or "(top level)"
            line = _line_of(node, path)
            message = item["msg"].removeprefix("Value error, ")
            if item["type"] == "extra_forbidden":
                message = "unknown key (a typo? see docs/programme-format.md)"
            problems.append(f"{origin}:{line}: {key}: {message}")
        raise DefinitionError(problems) from None
    cross = reference_problems(definition)
    if cross:
        node = _compose(text)
        raise DefinitionError(
            [f"{origin}:{_line_of(node, _split_key(key))}: {key}: {message}" for key, message in cross]
        )
    return definition, version_of(data)


def load_text(text: str, origin: str) -> Programme:
    definition, version = parse_definition(text, origin)
    return Programme(definition, version, origin)


def load_file(path: Path) -> tuple[Programme, str]:
    """A programme from a file, and the file's text (stored with each version)."""
    text = path.read_text(encoding="utf-8")
    programme = load_text(text, str(path))
    expected = path.stem
    if programme.code != expected:
        raise DefinitionError([f"{path}:1: code: {programme.code!r} must match the file name ({expected!r}.yaml)"])
    return programme, text


def check_file(path: Path) -> tuple[Programme, str]:
    """What `programmes check` asks of a definition: everything `load_file` does, and a Chinese
    label on everything a person sees (lifecycle.domain.definition.missing_chinese_labels),
    each missing one named with its file, line and key. Loading for use does not ask the
    labels: a stored older version still runs its cases."""
    programme, text = load_file(path)
    missing = missing_chinese_labels(programme.definition)
    if missing:
        node = _compose(text)
        raise DefinitionError(
            [f"{path}:{_line_of(node, _split_key(key))}: {key}: {message}" for key, message in missing]
        )
    return programme, text
