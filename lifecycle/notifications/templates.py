"""The words of a notice: Jinja2 templates, in Chinese and English, per programme and kind, as files
an office can edit, rendered in Jinja2's sandbox (a template can read the values it is given and
nothing else: no attribute of Python internals, no file, no import).

A template file's first line is the subject; the rest, after a blank line, is the body. Lookup,
first found wins: `$LIFECYCLE_TEMPLATES/<programme>/<kind>.<lang>.j2`,
`$LIFECYCLE_TEMPLATES/<kind>.<lang>.j2`, then the same two among the shipped templates. The
signature is `signature.<lang>.j2`, found the same way. LIFECYCLE_NOTIFY_LANGUAGE: `zh`, `en` or
`zh+en` (the default: Chinese, then English in the same message).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from lifecycle.domain.messages import N_
from lifecycle.errors import LifecycleError

LANGUAGES = ("zh", "en")
DEFAULT_OFFICE = {"zh": "认定管理办公室", "en": "the designation office"}


class TemplateProblem(LifecycleError):
    """A template that cannot be found, parsed or rendered: which file, what is wrong."""


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def languages() -> tuple[str, ...]:
    value = os.environ.get("LIFECYCLE_NOTIFY_LANGUAGE", "zh+en").strip() or "zh+en"
    chosen = tuple(part.strip() for part in value.split("+"))
    if not chosen or any(lang not in LANGUAGES for lang in chosen):
        raise TemplateProblem(N_("LIFECYCLE_NOTIFY_LANGUAGE={value}: use zh, en or zh+en"), {"value": repr(value)})
    return chosen


def template_dirs() -> list[str]:
    dirs = []
    override = os.environ.get("LIFECYCLE_TEMPLATES")
    if override:
        if not Path(override).is_dir():
            raise TemplateProblem(
                N_(
                    "LIFECYCLE_TEMPLATES={override} is not a directory; point it at a directory of <kind>.<zh|en>.j2 "
                    "files (see docs/notifications-operations.md)"
                ),
                {"override": repr(override)},
            )
        dirs.append(str(Path(override)))
    dirs.append(str(resources.files("lifecycle.notifications") / "templates"))
    return dirs


@lru_cache(maxsize=8)
def _environment(dirs: tuple[str, ...]) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=FileSystemLoader(list(dirs), encoding="utf-8"),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def _words(context: dict[str, Any]) -> dict[str, Any]:
    """Values every template may use besides the notice's own."""
    extra: dict[str, Any] = {}
    lead = context.get("lead")
    if isinstance(lead, int):
        extra["when_zh"] = f"{-lead}天后" if lead < 0 else ("今天" if lead == 0 else f"已于{lead}天前")
        extra["when_en"] = f"in {-lead} day(s)" if lead < 0 else ("today" if lead == 0 else f"{lead} day(s) ago")
    period = str(context.get("period") or "")
    if "-Q" in period:
        year, quarter = period.split("-Q", 1)
        extra["period_zh"] = f"{year}年第{quarter}季度"
    elif period.isdigit():
        extra["period_zh"] = f"{period}年度"
    else:
        extra["period_zh"] = period
    extra["clause"] = context.get("clause") or ""
    extra["default"] = bool(context.get("default"))
    extra["office_zh"] = os.environ.get("LIFECYCLE_OFFICE_NAME") or DEFAULT_OFFICE["zh"]
    extra["office_en"] = os.environ.get("LIFECYCLE_OFFICE_NAME_EN") or DEFAULT_OFFICE["en"]
    return extra


def render_one(kind: str, programme: str | None, lang: str, context: dict[str, Any]) -> Message:
    from jinja2 import TemplateError, TemplateNotFound

    env = _environment(tuple(template_dirs()))
    names = ([f"{programme}/{kind}.{lang}.j2"] if programme else []) + [f"{kind}.{lang}.j2"]
    values = {**context, **_words(context)}
    try:
        signature_template = env.select_template(
            ([f"{programme}/signature.{lang}.j2"] if programme else []) + [f"signature.{lang}.j2"]
        )
        values["signature"] = signature_template.render(values).strip()
        template = env.select_template(names)
        text = template.render(values)
    except TemplateNotFound:
        raise TemplateProblem(
            N_("no template for a {kind} notice in {lang}: looked for {names} in {template_dirs}"),
            {"kind": kind, "lang": lang, "names": " and ".join(names), "template_dirs": ", ".join(template_dirs())},
        ) from None
    except TemplateError as error:
        where = getattr(error, "filename", None) or names[-1]
        line = getattr(error, "lineno", None)
        raise TemplateProblem(
            N_("template {where}{value}: {error}; fix the file (`lifecycle notify preview` shows the result)"),
            {"where": where, "value": f" line {line}" if line else "", "error": error},
        ) from None
    subject, _, body = text.strip().partition("\n")
    return Message(subject.strip(), body.strip() + "\n")


def render(kind: str, programme: str | None, context: dict[str, Any]) -> Message:
    """The notice in the configured language(s): with zh+en, both subjects and both bodies."""
    parts = [render_one(kind, programme, lang, context) for lang in languages()]
    if len(parts) == 1:
        return parts[0]
    return Message(" / ".join(p.subject for p in parts), "\n\n———\n\n".join(p.body.strip() for p in parts) + "\n")
