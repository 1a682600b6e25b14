"""`lifecycle report portfolio`: the reports an office hands in."""

from typing import Annotated

import typer

from lifecycle.cli.common import DbOption, JsonOption, application, parse_day, print_json
from lifecycle.domain.messages import N_

app = typer.Typer(help="Reports an office hands in: PDF (Chinese text embedded), Excel, HTML.", no_args_is_help=True)


@app.command("portfolio")
def portfolio(
    format_: Annotated[str, typer.Option("--format", help="md, html, pdf (Chinese text embedded) or xlsx.")] = "md",
    output: Annotated[
        str | None, typer.Option("--output", help="Write to this file (default: stdout).", show_default=False)
    ] = None,
    programme: Annotated[
        str | None, typer.Option("--programme", help="Only this programme.", show_default=False)
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As of this day, YYYY-MM-DD (default today).", show_default=False)
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="zh or en (default: LIFECYCLE_LANG, else the locale).", show_default=False),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Per programme: designations by state, evaluations due this year, overdue obligations,
    revocations of the last twelve months."""
    from lifecycle.cli.audit import report_language, write_document
    from lifecycle.cli.common import acting, error_console
    from lifecycle.errors import UsageError
    from lifecycle.reports.portfolio import FORMATS, render
    from lifecycle.services.read_models.portfolio_report import portfolio_report

    if format_ not in FORMATS:
        raise UsageError(
            N_("--format {format}: one of {formats}"), {"format": repr(format_), "formats": ", ".join(FORMATS)}
        )
    language = report_language(lang)
    app_ = application(db)
    app_.require_schema()
    data = portfolio_report(app_, parse_day(as_of, "--as-of"), acting(), programme)
    if json:
        print_json(data)
        return
    if write_document(render(data, format_, language), output):
        cases = sum(p["cases"] for p in data["programmes"])
        from lifecycle.cli.common import show_day
        from lifecycle.i18n import _

        error_console().print(
            _("Wrote {output}: {programmes} programme(s), {cases} case(s), as of {as_of}.").format(
                output=output, programmes=len(data["programmes"]), cases=cases, as_of=show_day(str(data["as_of"]))
            ),
            markup=False,
        )
