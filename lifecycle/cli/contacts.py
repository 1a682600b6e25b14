"""`lifecycle contacts set|show|admin|admins`: who is told about a case's obligations, and the
administrators' addresses."""

from typing import Annotated, Any

import typer

from lifecycle.cli.common import DbOption, JsonOption, acting, application, console, print_json
from lifecycle.domain.messages import N_

app = typer.Typer(
    help="Contacts: who is told about a case's obligations (e-mail, work-chat robot).", no_args_is_help=True
)

CaseArgument = Annotated[int, typer.Argument(help="Case id.")]
EmailOption = Annotated[str | None, typer.Option("--email", help='E-mail address ("" clears it).', show_default=False)]
PhoneOption = Annotated[
    str | None, typer.Option("--phone", help='Telephone number ("" clears it).', show_default=False)
]
WebhookOption = Annotated[
    str | None,
    typer.Option("--webhook", help='Work-chat robot webhook URL, https://… ("" clears it).', show_default=False),
]
KindOption = Annotated[
    str | None,
    typer.Option(
        "--webhook-kind",
        help="wecom, dingtalk, feishu or generic (default: known from the URL's host, else generic).",
        show_default=False,
    ),
]


@app.command("set")
def set_(
    case_id: CaseArgument,
    name: Annotated[
        str | None, typer.Option("--name", help='The contact person ("" clears it).', show_default=False)
    ] = None,
    email: EmailOption = None,
    phone: PhoneOption = None,
    webhook: WebhookOption = None,
    webhook_kind: KindOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Set the case's contact; only the options given change. Audited; needs an admin."""
    from lifecycle.errors import UsageError
    from lifecycle.services.contacts import set_contact

    if all(v is None for v in (name, email, phone, webhook, webhook_kind)):
        raise UsageError(N_("give at least one of --name, --email, --phone, --webhook, --webhook-kind"))
    app_ = application(db)
    result = set_contact(
        app_, acting(), case_id, name=name, email=email, phone=phone, webhook=webhook, webhook_kind=webhook_kind
    )
    if json:
        print_json(result)
        return
    from lifecycle.i18n import _

    if result["changed"]:
        console().print(
            _("Case {case}: contact changed ({changed}); audited.").format(
                case=case_id, changed=", ".join(result["changed"])
            ),
            markup=False,
        )
    else:
        console().print(
            _("Case {case}: the contact already had these values; nothing written.").format(case=case_id),
            markup=False,
        )
    _print_contact(result)


@app.command("show")
def show(case_id: CaseArgument, db: DbOption = None, json: JsonOption = False) -> None:
    """The case's contact: name, e-mail, phone, robot webhook."""
    from lifecycle.services.contacts import show_contact

    result = show_contact(application(db), case_id)
    if json:
        print_json(result)
        return
    from lifecycle.i18n import _

    console().print(
        _("Case {id} · {programme} · {name}").format(
            id=case_id, programme=result["programme"], name=result["case_name"]
        ),
        markup=False,
    )
    _print_contact(result)


def _print_contact(result: dict[str, Any]) -> None:
    from lifecycle.domain.contacts import redact_url
    from lifecycle.i18n import _

    out = console()
    webhook = result.get("webhook_url")
    for label, value in (
        (_("name"), result.get("name")),
        (_("e-mail"), result.get("email")),
        (_("phone"), result.get("phone")),
        (_("webhook"), f"{result.get('webhook_kind')} {redact_url(webhook)}" if webhook else None),
    ):
        out.print(f"  {label:8} {value or '—'}", markup=False)


@app.command("admin")
def admin(
    user: Annotated[str, typer.Argument(help="An administrator's user name.")],
    email: EmailOption = None,
    phone: PhoneOption = None,
    webhook: WebhookOption = None,
    webhook_kind: KindOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Set an administrator's addresses (what concerns the office goes there). Audited."""
    from lifecycle.errors import UsageError
    from lifecycle.services.contacts import set_admin_contact

    if all(v is None for v in (email, phone, webhook, webhook_kind)):
        raise UsageError(N_("give at least one of --email, --phone, --webhook, --webhook-kind"))
    result = set_admin_contact(
        application(db), acting(), user, email=email, phone=phone, webhook=webhook, webhook_kind=webhook_kind
    )
    if json:
        print_json(result)
        return
    from lifecycle.i18n import _

    message = (
        _("Administrator {user}: addresses changed ({changed}); audited.")
        if result["changed"]
        else _("Administrator {user}: nothing changed.")
    )
    console().print(message.format(user=user, changed=", ".join(result["changed"])), markup=False)


@app.command("admins")
def admins(db: DbOption = None, json: JsonOption = False) -> None:
    """The administrators' addresses."""
    from lifecycle.services.contacts import list_admin_contacts

    rows = list_admin_contacts(application(db))
    if json:
        print_json(rows)
        return
    from rich.table import Table
    from rich.text import Text

    from lifecycle.domain.contacts import redact_url
    from lifecycle.i18n import _

    table = Table(_("user"), _("e-mail"), _("phone"), _("webhook"), title=_("Administrators' addresses"))
    for r in rows:
        table.add_row(
            Text(r["user"]),
            Text(r["email"] or ""),
            Text(r["phone"] or ""),
            Text(f"{r['webhook_kind']} {redact_url(r['webhook_url'])}" if r["webhook_url"] else ""),
        )
    console().print(table)
