from __future__ import annotations

from celery import shared_task

from accounts.tenancy import scopes_disabled


@shared_task(time_limit=120, soft_time_limit=100)
def instant_offers_for_credential(credential_id: int) -> int:
    from matching.services import instant_offers_for_new_credential

    # A newly released candidate may fit open projects of any organization.
    with scopes_disabled():
        return instant_offers_for_new_credential(credential_id=credential_id)


@shared_task(time_limit=120, soft_time_limit=100)
def refresh_profile(candidate_id: int, domain_id: int | None = None) -> None:
    from matching.services import match_profile_refresh

    match_profile_refresh(candidate_id=candidate_id, domain_id=domain_id)


@shared_task(time_limit=600, soft_time_limit=580)
def prune_tombstones() -> int:
    from matching.services import tombstones_prune

    return tombstones_prune()
