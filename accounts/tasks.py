from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@shared_task(
    autoretry_for=(OSError,), retry_backoff=True, max_retries=5, time_limit=60, soft_time_limit=50
)
def deliver_email(*, to: list[str], subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(bind=True, time_limit=30, soft_time_limit=20)
def worker_ping(self, token: str) -> None:
    """Record that a worker ran; idempotent on the token."""
    from accounts.models import WorkerPing

    WorkerPing.objects.get_or_create(
        token=token, defaults={"worker": self.request.hostname or "unknown"}
    )
