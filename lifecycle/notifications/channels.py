"""The channels a notice travels by: e-mail over SMTP, and work-chat robots over HTTP webhooks,
each robot in its own JSON format. A send returns what happened, in the server's own words:
sent; failed (worth trying again: refused connection, time-out, 4xx SMTP, 5xx HTTP, a robot's
error code); or permanent (an address the server rejects for good: 5xx SMTP, 4xx HTTP).

SMTP is configured by LIFECYCLE_SMTP_URL (`smtp://user:pass@host:587?starttls=1`,
`smtps://user:pass@host:465`, `smtp://localhost:25`) and LIFECYCLE_MAIL_FROM; a time-out of
LIFECYCLE_NOTIFY_TIMEOUT seconds (default 30) bounds every connection and request.
"""

from __future__ import annotations

import contextlib
import json
import os
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from lifecycle.domain.messages import N_
from lifecycle.errors import LifecycleError, UsageError

#: How much of a server's answer the log keeps.
MAX_ANSWER = 1000


class ChannelConfigError(LifecycleError):
    """The sending configuration is missing or wrong: which setting, what to write."""

    exit_code = 2


@dataclass(frozen=True)
class Outcome:
    #: sent, failed (try again later) or permanent (give up now).
    result: str
    answer: str

    @property
    def sent(self) -> bool:
        return self.result == "sent"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    ssl: bool
    starttls: bool
    user: str | None
    password: str | None
    sender: str

    @property
    def safe(self) -> str:
        """The configuration as it may be shown: never the password."""
        scheme = "smtps" if self.ssl else "smtp"
        who = f"{self.user}@" if self.user else ""
        return f"{scheme}://{who}{self.host}:{self.port}{'?starttls=1' if self.starttls else ''}"


def timeout() -> float:
    value = os.environ.get("LIFECYCLE_NOTIFY_TIMEOUT", "30")
    try:
        seconds = float(value)
    except ValueError:
        raise ChannelConfigError(
            N_("LIFECYCLE_NOTIFY_TIMEOUT={value}: give seconds, e.g. 30"), {"value": repr(value)}
        ) from None
    if seconds <= 0:
        raise ChannelConfigError(
            N_("LIFECYCLE_NOTIFY_TIMEOUT={value}: must be more than 0 seconds"), {"value": repr(value)}
        )
    return seconds


def smtp_config(required: bool = True) -> SmtpConfig | None:
    """LIFECYCLE_SMTP_URL and LIFECYCLE_MAIL_FROM, checked; None when unset and not `required`."""
    url = os.environ.get("LIFECYCLE_SMTP_URL", "").strip()
    if not url:
        if required:
            raise ChannelConfigError(
                N_(
                    "LIFECYCLE_SMTP_URL is not set: e-mail cannot be sent. Set it to the mail server, e.g. "
                    "smtp://user:password@mail.example.org:587?starttls=1 or smtps://user:password@mail.example.org:465"
                )
            )
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ChannelConfigError(
            N_(
                "LIFECYCLE_SMTP_URL must be smtp://[user:password@]host[:port][?starttls=1] or "
                "smtps://[user:password@]host[:port]; got a URL with scheme {value}"
            ),
            {"value": repr(parts.scheme or "(none)")},
        )
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise ChannelConfigError(N_("LIFECYCLE_SMTP_URL: the port is not a number from 1 to 65535")) from None
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[-1].lower() in ("1", "true", "yes")
    sender = os.environ.get("LIFECYCLE_MAIL_FROM", "").strip()
    if not sender:
        raise ChannelConfigError(
            N_(
                "LIFECYCLE_MAIL_FROM is not set: give the address notices are sent from, e.g. "
                "lifecycle@office.example.gov.cn"
            )
        )
    from lifecycle.domain.contacts import ContactProblem, check_email

    try:
        check_email(sender, "LIFECYCLE_MAIL_FROM")
    except ContactProblem as problem:
        raise ChannelConfigError(str(problem)) from None
    return SmtpConfig(
        parts.hostname,
        port,
        parts.scheme == "smtps",
        starttls,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
        sender,
    )


def email_message(
    config: SmtpConfig, to: str, name: str | None, subject: str, body: str, message_id: str, date: Any
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = formataddr((name, to)) if name else to
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8")
    return message


def send_email(config: SmtpConfig, message: EmailMessage) -> Outcome:
    """One message over one SMTP session. The message counts as sent only once the server has
    answered 250 to its data."""
    seconds = timeout()
    try:
        if config.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=seconds, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=seconds)
        try:
            if config.starttls:
                client.starttls(context=ssl.create_default_context())
            if config.user:
                client.login(config.user, config.password or "")
            refused = client.send_message(message)
        finally:
            # Once the data is accepted the message is sent, whatever QUIT then does: an error
            # there must not make it look failed (and be sent again).
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()
        if refused:
            return Outcome("permanent", _clip(f"recipient refused: {refused}"))
        return Outcome("sent", f"250 accepted by {config.host}:{config.port}")
    except smtplib.SMTPRecipientsRefused as error:
        answers = "; ".join(f"{addr}: {code} {_text(text)}" for addr, (code, text) in error.recipients.items())
        permanent = all(code >= 500 for code, _ in error.recipients.values())
        return Outcome("permanent" if permanent else "failed", _clip(f"recipient refused: {answers}"))
    except smtplib.SMTPAuthenticationError as error:
        return Outcome("failed", _clip(f"login refused: {error.smtp_code} {_text(error.smtp_error)}"))
    except smtplib.SMTPResponseException as error:
        result = "permanent" if 500 <= error.smtp_code < 600 else "failed"
        return Outcome(result, _clip(f"{error.smtp_code} {_text(error.smtp_error)}"))
    except (smtplib.SMTPException, OSError) as error:
        return Outcome("failed", _clip(_network_words(error, f"{config.host}:{config.port}")))


def webhook_payload(kind: str, subject: str, body: str, meta: dict[str, Any]) -> dict[str, Any]:
    """The robot's own JSON: WeCom and DingTalk `{"msgtype": "text", "text": {"content": …}}`,
    Feishu `{"msg_type": "text", "content": {"text": …}}`; a generic receiver gets the fields."""
    text = f"{subject}\n\n{body}".strip()
    if kind == "wecom":
        # WeCom caps a text message at 2048 bytes of UTF-8.
        return {"msgtype": "text", "text": {"content": _utf8_clip(text, 2048)}}
    if kind == "dingtalk":
        return {"msgtype": "text", "text": {"content": _utf8_clip(text, 20000)}}
    if kind == "feishu":
        return {"msg_type": "text", "content": {"text": _utf8_clip(text, 30000)}}
    return {**meta, "subject": subject, "body": body}


def send_webhook(url: str, kind: str, payload: dict[str, Any], message_id: str) -> Outcome:
    """POST the JSON; sent only on a 2xx answer that the robot itself calls a success (errcode 0
    for WeCom and DingTalk, code 0 for Feishu)."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "lifecycle-notify",
            "Idempotency-Key": message_id,
            "X-Lifecycle-Message-Id": message_id,
        },
    )
    host = urlsplit(url).hostname or url
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as response:
            status = response.status
            text = response.read(64 * 1024).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        answer = error.read(4096).decode("utf-8", "replace") if error.fp else ""
        permanent = 400 <= error.code < 500 and error.code not in (408, 425, 429)
        return Outcome("permanent" if permanent else "failed", _clip(f"HTTP {error.code} {error.reason}: {answer}"))
    except (urllib.error.URLError, OSError) as error:
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        return Outcome("failed", _clip(_network_words(reason, host)))
    if not 200 <= status < 300:
        return Outcome("failed", _clip(f"HTTP {status}: {text}"))
    robot_error = _robot_error(kind, text)
    if robot_error:
        return Outcome("failed", _clip(f"HTTP {status}, {robot_error}"))
    return Outcome("sent", _clip(f"HTTP {status}: {text}"))


def _robot_error(kind: str, text: str) -> str | None:
    if kind == "generic":
        return None
    try:
        answer = json.loads(text)
    except json.JSONDecodeError:
        return f"the {kind} robot answered something that is not JSON: {text[:200]}"
    if not isinstance(answer, dict):
        return f"the {kind} robot answered {text[:200]}"
    if kind in ("wecom", "dingtalk"):
        code = answer.get("errcode")
        return None if code == 0 else f"errcode {code}: {answer.get('errmsg')}"
    code = answer.get("code", answer.get("StatusCode"))
    return None if code == 0 else f"code {code}: {answer.get('msg', answer.get('StatusMessage'))}"


def _network_words(error: Any, where: str) -> str:
    if isinstance(error, socket.timeout | TimeoutError):
        return f"no answer from {where} within {timeout():g} s (time-out)"
    if isinstance(error, ConnectionRefusedError):
        return f"{where} refused the connection"
    return f"{where}: {type(error).__name__}: {error}"


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ANSWER else text[:MAX_ANSWER] + "…"


def _utf8_clip(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode("utf-8", "ignore") + "…"


def check_address(to: str) -> str:
    """`notify test --to`: an e-mail address or a webhook URL."""
    from lifecycle.domain.contacts import ContactProblem, check_email, check_webhook

    try:
        if to.startswith(("http://", "https://")):
            return check_webhook(to, None, "--to")[0]
        return check_email(to, "--to")
    except ContactProblem as problem:
        raise UsageError(str(problem)) from None
