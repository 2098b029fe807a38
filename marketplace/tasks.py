"""Periodic and background work of the marketplace. Tasks take ids and are idempotent."""

from __future__ import annotations

from celery import shared_task

from marketplace import services


@shared_task(time_limit=300, soft_time_limit=280)
def expire_offers() -> int:
    return services.offers_expire()


@shared_task(time_limit=120, soft_time_limit=100)
def send_instant_offers(project_id: int) -> int:
    return services.instant_offers_for_project(project_id=project_id)
