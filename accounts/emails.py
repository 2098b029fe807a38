"""Templated e-mail: every message has a text and an HTML part, delivered by a worker."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string


def email_send(*, to: list[str], template: str, context: dict) -> None:
    """Render ``templates/emails/<template>.{subject.txt,txt,html}`` and deliver after commit.

    Rendering happens now, in the caller's scope (templates may read scoped objects);
    delivery happens in a worker once the surrounding transaction has committed, so a
    rolled-back action never sends mail.
    """
    from accounts.tasks import deliver_email

    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}.subject.txt", context).strip()
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    deliver_email.delay_on_commit(to=to, subject=subject, text=text, html=html)
