"""The commands' help in the office's language.

The help of every command, group, argument and option is written in English in the command
modules (typer's `help=`, the command functions' docstrings). `translated` walks the command
tree built for one run and puts each help text through the CLI catalogue, so that
`LIFECYCLE_LANG=zh lifecycle cases --help` reads in Chinese; in English nothing is walked.

Babel cannot see a docstring or a `help=` argument as a message, so `help_messages.py` lists
every help text as `N_("…")`, generated from the commands themselves:

    python -m lifecycle.cli.help_text            # rewrite lifecycle/cli/help_messages.py
    python -m lifecycle.cli.help_text --check    # exit 1 if it differs from the commands

then `python -m lifecycle.i18n.catalogue` takes them into cli.po.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lifecycle.i18n import N_

MESSAGES = Path(__file__).with_name("help_messages.py")

#: The words typer's help and usage errors take from gettext (typer.core's `_`), translated by the
#: CLI catalogue in Chinese; and the help of the `--help` option that click adds to every command.
#: The vendored click's own fixed words are plain strings: "Usage:" (the help's formatter) and
#: the frame of a usage error ("Error:", "Try … for help") are put in the current language here;
#: click's own error messages ("Missing argument 'CASE_ID'.") stay in English.
USAGE = N_("Usage: ")
TRY_HELP = N_("Try '{command} {option}' for help.")
ERROR = N_("Error: {message}")
HELP_OPTION = N_("Show this message and exit.")
TYPER_WORDS = (
    N_("Options"),
    N_("Commands"),
    N_("Arguments"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Aborted!"),
)


def _key(text: str) -> str:
    """The message id of a help text: a docstring without its indentation."""
    return inspect.cleandoc(text)


def _texts(command: Any) -> Iterator[tuple[Any, str]]:
    """(object, attribute) of every help text in the tree under `command`."""
    for owner, attribute in ((command, "help"), (command, "short_help")):
        if getattr(owner, attribute, None):
            yield owner, attribute
    for param in getattr(command, "params", ()):
        if getattr(param, "help", None):
            yield param, "help"
    for sub in getattr(command, "commands", {}).values():
        yield from _texts(sub)


def translated(command: Any) -> Any:
    """`command` (a click command tree) with every help text in the current language."""
    from lifecycle.i18n import _, chinese

    if not chinese():
        return command
    import typer.core

    # typer.core calls `gettext.gettext` (the process's default domain) by this name.
    setattr(typer.core, "_", _)  # noqa: B010 - a module's global, replaced for this process
    _translate_usage_prefix()
    for owner, attribute in _texts(command):
        text = getattr(owner, attribute)
        shown = _(_key(text))
        if shown != _key(text):
            setattr(owner, attribute, shown)
    for sub in _commands(command):
        _translate_help_option(sub)
    return command


def _translate_usage_prefix() -> None:
    """The help's "Usage:" through the catalogue (click's formatter writes it as a fixed word)."""
    from typer._click import core as click_core
    from typer._click.formatting import HelpFormatter

    from lifecycle.i18n import _

    class Formatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, _(USAGE) if prefix is None else prefix)

    click_core.Context.formatter_class = Formatter


def show_usage_error(error: Any) -> None:
    """A usage error on stderr as click shows it, its frame in the current language."""
    from lifecycle.i18n import _, chinese

    if not chinese():
        error.show()
        return
    from typer._click.utils import echo

    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = _(TRY_HELP).format(command=ctx.command_path, option=ctx.help_option_names[0]) + "\n"
        echo(f"{ctx.get_usage()}\n{hint}", err=True, color=ctx.color)
    echo(_(ERROR).format(message=error.format_message()), err=True, color=getattr(ctx, "color", None))


def _commands(command: Any) -> Iterator[Any]:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _commands(sub)


def _translate_help_option(command: Any) -> None:
    """click makes the `--help` option of a command when it is first asked for it."""
    from lifecycle.i18n import _

    make = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = make(ctx)
        if option is not None and option.help == HELP_OPTION:
            option.help = _(HELP_OPTION)
        return option

    command.get_help_option = get_help_option


def messages() -> list[str]:
    """Every help text of the whole application, each once, in the order of the tree."""
    import typer

    from lifecycle.cli.main import app

    found: dict[str, None] = {}
    for owner, attribute in _texts(typer.main.get_command(app)):
        found.setdefault(_key(getattr(owner, attribute)), None)
    return list(found)


def _literal(text: str) -> str:
    """`text` as a Python string literal in the project's style (double quotes)."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal


def source() -> str:
    lines = [
        '"""Every help text of the commands, marked for the CLI catalogue (cli.po).',
        "",
        "Generated by `python -m lifecycle.cli.help_text` from the commands; a test fails when it drifts.",
        '"""',
        "",
        "from lifecycle.i18n import N_",
        "",
        "MESSAGES = (",
    ]
    lines += [f"    N_({_literal(text)})," for text in messages()]
    lines += [")", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    from lifecycle.i18n import use_language

    use_language("en")
    wanted = source()
    if "--check" in argv:
        if not MESSAGES.exists() or MESSAGES.read_text(encoding="utf-8") != wanted:
            sys.stderr.write(f"{MESSAGES} differs from the commands: run `python -m lifecycle.cli.help_text`\n")
            return 1
        return 0
    MESSAGES.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
