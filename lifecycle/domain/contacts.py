"""Who is told: a case's contact (the designated organisation's person, e-mail, phone, work-chat
robot) and an administrator's addresses. Values are checked here, before anything is written."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any
from urllib.parse import urlsplit

#: The work-chat robots a webhook may be, each posted in its own JSON format.
WEBHOOK_KINDS = ("wecom", "dingtalk", "feishu", "generic")
#: The hosts each robot kind's webhooks live on, to guess the kind of a URL given without one.
_KNOWN_HOSTS = {
    "qyapi.weixin.qq.com": "wecom",
    "oapi.dingtalk.com": "dingtalk",
    "open.feishu.cn": "feishu",
    "open.larksuite.com": "feishu",
}
MAX_NAME = 200
MAX_PHONE = 60
MAX_URL = 1000


class ContactProblem(ValueError):
    """A value that cannot be a contact's: which option, what is wrong, what to give instead."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(f"{option}: {message}")
        self.option = option


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    webhook_url: str | None = None
    webhook_kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def audit_view(self) -> dict[str, Any]:
        """As the audit log records it: a robot's URL carries its secret key, and the log is
        permanent and read by auditors, so only its host and a fingerprint are kept."""
        data = self.to_dict()
        if self.webhook_url:
            data["webhook_url"] = redact_url(self.webhook_url)
        return data

    @property
    def empty(self) -> bool:
        return not any((self.name, self.email, self.phone, self.webhook_url))


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]
    return f"{parts.scheme}://{parts.hostname}/… (sha256 {digest})"


def check_email(value: str, option: str = "--email") -> str:
    """One address, `name@domain.tld`, as the e-mail library parses it (no display name)."""
    text = value.strip()
    if not text:
        raise ContactProblem(option, "is empty; give an address like contact@example.org, or leave the option out")
    try:
        address = Address(addr_spec=text)
    except (HeaderParseError, ValueError, IndexError) as error:
        raise ContactProblem(
            option, f"{value!r} is not an e-mail address ({error}); give one like contact@example.org"
        ) from None
    if (
        not address.username
        or "." not in address.domain
        or address.domain.startswith(".")
        or address.domain.endswith(".")
        or " " in text
    ):
        raise ContactProblem(
            option,
            f"{value!r} is not an e-mail address: it needs a name, @ and a domain with a dot, like contact@example.org",
        )
    return text


def check_webhook(value: str, kind: str | None, option: str = "--webhook") -> tuple[str, str]:
    """A robot's URL (http or https, with a host) and its kind (given, or known from the host)."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ContactProblem(
            option,
            f"{value!r} is not a webhook URL: it must start with https:// (or "
            "http://) and name a host, e.g. "
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
        )
    if len(text) > MAX_URL:
        raise ContactProblem(option, f"the URL is {len(text)} characters; at most {MAX_URL}")
    if kind is None:
        kind = _KNOWN_HOSTS.get(parts.hostname.lower(), "generic")
    if kind not in WEBHOOK_KINDS:
        raise ContactProblem("--webhook-kind", f"{kind!r} is not a robot kind; use one of {', '.join(WEBHOOK_KINDS)}")
    return text, kind


def check_phone(value: str) -> str:
    text = value.strip()
    allowed = set("0123456789+-() ")
    if not text or len(text) > MAX_PHONE or not set(text) <= allowed or sum(c.isdigit() for c in text) < 5:
        raise ContactProblem(
            "--phone",
            f"{value!r} is not a telephone number: digits, spaces, + - ( ) "
            f"only, at least 5 digits, at most {MAX_PHONE} characters, e.g. "
            "010-6815 0000",
        )
    return text


def check_name(value: str) -> str:
    text = value.strip()
    if not text or len(text) > MAX_NAME or any(ord(c) < 32 for c in text):
        raise ContactProblem(
            "--name", f"{value!r} is not a contact name: 1 to {MAX_NAME} characters, no control characters"
        )
    return text


def updated(
    current: Contact,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    webhook: str | None = None,
    webhook_kind: str | None = None,
) -> Contact:
    """The contact with the given values checked and changed; an empty string clears a value.
    Raises ContactProblem naming the first bad value."""
    if webhook_kind is not None and webhook is None and not current.webhook_url:
        raise ContactProblem("--webhook-kind", "goes with --webhook URL (the case has no webhook yet)")
    values = current.to_dict()
    if name is not None:
        values["name"] = check_name(name) if name.strip() else None
    if email is not None:
        values["email"] = check_email(email) if email.strip() else None
    if phone is not None:
        values["phone"] = check_phone(phone) if phone.strip() else None
    if webhook is not None:
        if webhook.strip():
            values["webhook_url"], values["webhook_kind"] = check_webhook(webhook, webhook_kind)
        else:
            values["webhook_url"] = values["webhook_kind"] = None
    elif webhook_kind is not None:
        values["webhook_url"], values["webhook_kind"] = check_webhook(current.webhook_url or "", webhook_kind)
    return Contact(**values)
