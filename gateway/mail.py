"""Outgoing mail: written to the outbox in the transaction that causes it, sent by a relay, retried.

A message is rendered (plain text and HTML) and recorded as an outbox row (`platform_core.outbox`)
in the same transaction as the change it tells about: an invitation exists if and only if its email
will go. The relay sends due rows through the council's chosen backend and marks them sent; a
failure (the mail server down, Notify answering 5xx) keeps the row and retries it with back-off, so a
message is delayed, never lost. On PostgreSQL each row is locked while it is sent (SKIP LOCKED), so
several gateway replicas never send one row twice. The one window left is a crash between the
server accepting a message and the row being marked sent: the message then goes again, with the
same Message-ID (SMTP) or `reference` (Notify), which both let a duplicate be recognised.

Backends: `smtp` (any mail server or relay: Microsoft 365, Google Workspace, Postfix, Amazon SES's
SMTP interface) and `notify` (GOV.UK Notify, through its Python client, with one email template whose
subject and body are `((subject))` and `((body))`). With `none` (the default) nothing is queued and
the API hands invitation codes to the organiser instead, as before: fine for a trial, not for a
council.
"""

from __future__ import annotations

import asyncio
import html
import logging
import smtplib
import ssl
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from platform_core import outbox
from platform_core.outbox import OutboxEvent

log = logging.getLogger("gateway.mail")
DESTINATION = "mail"


@dataclass(frozen=True)
class ReviewDue:
    """One trial in a manager's daily digest: its review date if that has come, and its checkpoints due."""

    trial_id: uuid.UUID
    title: str
    review_date: date | None
    checkpoints: list[tuple[str, date]]


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str


def queue(session: AsyncSession, *, kind: str, mail: Mail) -> None:
    """Record a message in the caller's transaction; the relay sends it once that commits."""
    outbox.record(
        session,
        topic=f"mail.{kind}",
        destinations=[DESTINATION],
        payload={"to": mail.to, "subject": mail.subject, "text": mail.text, "html": mail.html},
    )


def _page(paragraphs: list[str], link: str | None = None) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if link:
        body += f'<p><a href="{html.escape(link, quote=True)}">{html.escape(link)}</a></p>'
    return f'<!doctype html><html lang="en"><body style="font-family: Arial, sans-serif">{body}</body></html>'


def render(subject: str, paragraphs: list[str], *, to: str, link: str | None = None) -> Mail:
    text = "\n\n".join(paragraphs) + (f"\n\n{link}" if link else "") + "\n"
    return Mail(to=to, subject=subject, text=text, html=_page(paragraphs, link))


class Backend(Protocol):
    async def send(self, row: OutboxEvent) -> None: ...


class SmtpBackend:
    """Any SMTP server: STARTTLS or implicit TLS when asked, and a login when given."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        sender_name: str,
        username: str = "",
        password: str = "",
        security: str = "starttls",
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender, self.sender_name = host, port, sender, sender_name
        self.username, self.password, self.security, self.timeout = username, password, security, timeout

    def _message(self, row: OutboxEvent) -> EmailMessage:
        payload: dict[str, Any] = row.payload
        message = EmailMessage()
        message["From"] = formataddr((self.sender_name, self.sender))
        message["To"] = payload["to"]
        message["Subject"] = payload["subject"]
        # The same id at every attempt: a message sent twice (a crash after the server took it) is
        # recognisable as one.
        message["Message-ID"] = make_msgid(idstring=str(row.event_id), domain=self.sender.rpartition("@")[2] or None)
        message.set_content(payload["text"])
        message.add_alternative(payload["html"], subtype="html")
        return message

    def _send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp_class = smtplib.SMTP_SSL if self.security == "tls" else smtplib.SMTP
        kwargs: dict[str, Any] = {"timeout": self.timeout}
        if self.security == "tls":
            kwargs["context"] = context
        with smtp_class(self.host, self.port, **kwargs) as smtp:
            if self.security == "starttls":
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    async def send(self, row: OutboxEvent) -> None:
        await asyncio.to_thread(self._send, self._message(row))


class NotifyBackend:
    """GOV.UK Notify: one email template whose subject is `((subject))` and body `((body))`."""

    def __init__(self, *, api_key: str, template_id: str, base_url: str, reply_to_id: str = "") -> None:
        from notifications_python_client.notifications import NotificationsAPIClient

        self._client = NotificationsAPIClient(api_key, base_url=base_url)
        self.template_id = template_id
        self.reply_to_id = reply_to_id or None

    def _send(self, row: OutboxEvent) -> None:
        self._client.send_email_notification(
            email_address=row.payload["to"],
            template_id=self.template_id,
            personalisation={"subject": row.payload["subject"], "body": row.payload["text"]},
            reference=str(row.event_id),
            email_reply_to_id=self.reply_to_id,
        )

    async def send(self, row: OutboxEvent) -> None:
        await asyncio.to_thread(self._send, row)


class Mailer:
    """Composes the platform's messages and queues them; made only when a mail backend is set."""

    def __init__(self, *, public_url: str) -> None:
        self.public_url = public_url.rstrip("/")

    def invitation(self, session: AsyncSession, *, to: str, name: str, council: str, code: str, days: int) -> None:
        link = f"{self.public_url}/invitation?code={code}"
        queue(
            session,
            kind="invitation",
            mail=render(
                f"{council}: you are invited to the hack day platform",
                [
                    f"Hello {name},",
                    f"{council} has invited you to its hack day platform, where staff share ideas, vote on them "
                    "and follow up the trials.",
                    f"Choose your password with the link below. It works once, for {days} days. If the link does "
                    f"not open, enter this code on the sign-in page: {code}",
                ],
                to=to,
                link=link,
            ),
        )

    def password_reset(self, session: AsyncSession, *, to: str, name: str, code: str, minutes: int) -> None:
        link = f"{self.public_url}/password-reset?code={code}"
        queue(
            session,
            kind="password_reset",
            mail=render(
                "Choose a new password for the hack day platform",
                [
                    f"Hello {name},",
                    "Someone (we hope you) asked to choose a new password for your hack day account.",
                    f"Use the link below within {minutes} minutes; it works once. If the link does not open, "
                    f"enter this code: {code}",
                    "If you did not ask, ignore this message: your password stays as it is.",
                ],
                to=to,
                link=link,
            ),
        )

    # ---- hack-day news: non-essential, sent only to people who have not turned it off ------------
    def _news_footer(self, council: str) -> str:
        return (
            f"You get hack-day news because you are on {council}'s hack day platform. To stop it: "
            f"{self.public_url}/account/mail (mail about your account itself still comes)."
        )

    def voting_open(
        self, session: AsyncSession, *, to: str, name: str, council: str, title: str, closes_at: datetime | None
    ) -> None:
        until = f" until {closes_at.strftime('%A %d %B %Y, %H:%M')} (UTC)" if closes_at else ""
        queue(
            session,
            kind="voting_open",
            mail=render(
                f"{council}: voting is open ({title})",
                [
                    f"Hello {name},",
                    f"Voting is open for {title}{until}. Read the ideas and cast your vote on the platform.",
                    self._news_footer(council),
                ],
                to=to,
                link=f"{self.public_url}/hack-days",
            ),
        )

    def results_published(
        self, session: AsyncSession, *, to: str, name: str, council: str, title: str, selected: list[str]
    ) -> None:
        chosen = "; ".join(selected) if selected else "no idea this time"
        queue(
            session,
            kind="results_published",
            mail=render(
                f"{council}: the results are published ({title})",
                [
                    f"Hello {name},",
                    f"The results of {title} are published. Chosen for a trial: {chosen}.",
                    self._news_footer(council),
                ],
                to=to,
                link=f"{self.public_url}/hack-days",
            ),
        )

    def trial_reviews_due(
        self,
        session: AsyncSession,
        *,
        to: str,
        name: str,
        council: str,
        day: date,
        trials: list[ReviewDue],
        total: int,
    ) -> None:
        lines = [f"{t.title}: {_what_is_due(t, day)}. {self.public_url}/trials/{t.trial_id}" for t in trials]
        if total > len(trials):
            lines.append(f"And {total - len(trials)} more trials: see them all on the trials page.")
        queue(
            session,
            kind="trial_reviews_due",
            mail=render(
                f"{council}: {_count(total)} with a review due ({day.strftime('%d %B %Y')})",
                [
                    f"Hello {name},",
                    f"These trials of {council} have a review due today or overdue. Record each review on "
                    "the trial's page; a review done today drops out of tomorrow's message.",
                    *lines,
                    self._news_footer(council),
                ],
                to=to,
                link=f"{self.public_url}/trials",
            ),
        )


def _count(total: int) -> str:
    return "1 trial" if total == 1 else f"{total} trials"


def _when(due_on: date, day: date) -> str:
    late = (day - due_on).days
    if late <= 0:
        return "due today"
    return f"overdue since {due_on.strftime('%d %B %Y')} ({late} day{'s' if late != 1 else ''})"


def _what_is_due(trial: ReviewDue, day: date) -> str:
    parts = [f"the {label} checkpoint review, {_when(due_on, day)}" for label, due_on in trial.checkpoints]
    if trial.review_date is not None:
        parts.append(f"its review date, {_when(trial.review_date, day)}")
    return "; ".join(parts)


def make_backend(settings: Any) -> Backend | None:
    """The backend the settings name, or None when the platform sends no mail."""
    if settings.mail_backend == "smtp":
        return SmtpBackend(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            sender_name=settings.mail_from_name,
            username=settings.smtp_username,
            password=settings.smtp_password,
            security=settings.smtp_security,
        )
    if settings.mail_backend == "notify":
        return NotifyBackend(
            api_key=settings.notify_api_key,
            template_id=settings.notify_template_id,
            base_url=settings.notify_base_url,
            reply_to_id=settings.notify_reply_to_id,
        )
    return None


def deliver_with(backend: Backend) -> Callable[[OutboxEvent], Awaitable[None]]:
    """The relay's delivery: send, then keep only who and what (the text held a one-time code)."""

    async def deliver(row: OutboxEvent) -> None:
        await backend.send(row)
        row.payload = {"to": row.payload["to"], "subject": row.payload["subject"], "body": "removed once sent"}

    return deliver
