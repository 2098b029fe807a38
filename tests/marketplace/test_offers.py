"""Offers: sending, answering, seats, instant offers, expiry, and the last seat under a race."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.errors import DomainError, PermissionDeniedError
from interviews.models import Tier
from marketplace import services
from marketplace.models import Offer, OfferSource, OfferStatus, Project, ProjectStatus
from matching.models import MatchProfile
from matching.services import match_profile_refresh
from tests.marketplace.factories import (
    MarketCredentialFactory,
    MarketResumeFactory,
    MatchProfileFactory,
    ProjectFactory,
    ProjectSkillFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def skill():
    return SkillFactory(slug="pytorch", name="PyTorch")


@pytest.fixture
def project(org_a, skill):
    with scopes_disabled():
        project = ProjectFactory(organization=org_a, seats=2, instant_offers=True, status="draft")
        ProjectSkillFactory(project=project, skill=skill, weight=5)
    return project


def profiles(skill, n, **kw):
    return [
        MatchProfileFactory(skills=[skill.pk], score=70 + i, **kw) for i in range(n)
    ]  # later ones rank higher (score band), equal bands break by id


def offers_of(project):
    with scopes_disabled():
        return list(Offer.objects.filter(project=project).order_by("pk"))


def test_publishing_with_instant_offers_offers_seats_times_factor(project, skill, recruiter_a):
    profiles(skill, 7)
    with scope(organization=project.organization):
        _, sent = services.project_publish(actor=recruiter_a, project=project)
    assert sent == project.seats * settings.VETTA_INSTANT_OFFER_FACTOR == 4
    offers = offers_of(project)
    assert {o.source for o in offers} == {OfferSource.INSTANT}
    assert len({o.candidate_id for o in offers}) == 4


def test_instant_offers_never_offer_the_same_project_twice(project, skill, recruiter_a):
    profiles(skill, 3)
    with scope(organization=project.organization):
        services.project_publish(actor=recruiter_a, project=project)
    first = offers_of(project)
    with scopes_disabled():
        Offer.objects.filter(pk=first[0].pk).update(status=OfferStatus.DECLINED)
    # Room again for one offer, but everyone eligible already had one.
    assert services.instant_offers_for_project(project_id=project.pk) == 0
    assert len(offers_of(project)) == 3


def test_manual_duplicate_offer_is_refused(project, skill, recruiter_a):
    (profile,) = profiles(skill, 1)
    with scopes_disabled():
        Project.objects.filter(pk=project.pk).update(
            status=ProjectStatus.OPEN, instant_offers=False
        )
        project.refresh_from_db()
    with scope(organization=project.organization):
        services.offer_send(actor=recruiter_a, project=project, candidate=profile.candidate)
        with pytest.raises(DomainError, match="already"):
            services.offer_send(actor=recruiter_a, project=project, candidate=profile.candidate)


def test_viewer_cannot_send_offers_or_publish(project, skill, viewer_a):
    (profile,) = profiles(skill, 1)
    with scope(organization=project.organization), pytest.raises(PermissionDeniedError):
        services.project_publish(actor=viewer_a, project=project)
    with scope(organization=project.organization), pytest.raises(PermissionDeniedError):
        services.offer_send(actor=viewer_a, project=project, candidate=profile.candidate)


def test_recruiter_cannot_close_admin_can(project, recruiter_a, admin_a):
    with scope(organization=project.organization):
        with pytest.raises(PermissionDeniedError):
            services.project_close(actor=recruiter_a, project=project)
        assert services.project_close(actor=admin_a, project=project).status == "closed"


def test_offer_to_an_ineligible_candidate_is_refused(project, skill, recruiter_a):
    (profile,) = profiles(skill, 1, rate=500)
    with scopes_disabled():
        Project.objects.filter(pk=project.pk).update(status=ProjectStatus.OPEN)
        project.refresh_from_db()
    with scope(organization=project.organization), pytest.raises(DomainError, match="match"):
        services.offer_send(actor=recruiter_a, project=project, candidate=profile.candidate)


def test_filling_the_last_seat_fills_the_project_and_withdraws_the_rest(
    project, skill, recruiter_a, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    profiles(skill, 5)
    with scope(organization=project.organization):
        services.project_publish(actor=recruiter_a, project=project)
    offers = offers_of(project)
    assert len(offers) == 4
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(candidate=offers[0].candidate, offer=offers[0])
        services.offer_decline(candidate=offers[1].candidate, offer=offers[1])
        services.offer_accept(candidate=offers[2].candidate, offer=offers[2])
        project.refresh_from_db()
        statuses = [o.status for o in offers_of(project)]
    assert project.status == ProjectStatus.FILLED
    assert statuses == ["accepted", "declined", "accepted", "withdrawn"]
    with scopes_disabled(), pytest.raises(DomainError):
        services.offer_accept(candidate=offers[3].candidate, offer=offers_of(project)[3])
    subjects = [m.subject for m in mailoutbox]
    assert any("no longer on offer" in s for s in subjects)
    assert any("accepted" in s for s in subjects)


def test_offers_expire_after_seven_days(
    project, skill, recruiter_a, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    profiles(skill, 2)
    with scope(organization=project.organization):
        services.project_publish(actor=recruiter_a, project=project)
    assert services.offers_expire() == 0
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert services.offers_expire() == 0
    with (
        time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.offers_expire() == 2
        assert services.offers_expire() == 0  # a second run changes nothing
        offer = offers_of(project)[0]
        with pytest.raises(DomainError, match="expired"):
            services.offer_accept(candidate=offer.candidate, offer=offer)
    assert {o.status for o in offers_of(project)} == {OfferStatus.EXPIRED}
    assert sum("expired" in m.subject for m in mailoutbox) == 2


def test_expire_offers_task_runs_the_sweep(project, skill, recruiter_a, celery_eager):
    from marketplace.tasks import expire_offers

    profiles(skill, 1)
    with scope(organization=project.organization):
        services.project_publish(actor=recruiter_a, project=project)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert expire_offers.delay().get() == 1


def test_newly_released_expert_who_fits_gets_an_instant_offer(
    project, skill, recruiter_a, celery_eager, django_capture_on_commit_callbacks
):
    with scope(organization=project.organization):
        services.project_publish(actor=recruiter_a, project=project)
    assert offers_of(project) == []
    credential = MarketCredentialFactory(domain=project.domain, tier=Tier.VERIFIED_EXPERT, score=91)
    MarketResumeFactory(candidate=credential.candidate, parsed={"skills": [{"slug": "pytorch"}]})
    with django_capture_on_commit_callbacks(execute=True):
        new = match_profile_refresh(candidate_id=credential.candidate_id)
    assert new == [credential.pk]
    (offer,) = offers_of(project)
    assert offer.candidate_id == credential.candidate_id
    assert offer.source == OfferSource.INSTANT
    # Refreshing again (a resume edit, say) sends nothing new.
    assert match_profile_refresh(candidate_id=credential.candidate_id) == []
    assert len(offers_of(project)) == 1


def test_qualified_tier_gets_no_profile_match_and_no_offer(project, skill, recruiter_a):
    with scope(organization=project.organization):
        services.project_publish(actor=recruiter_a, project=project)
    credential = MarketCredentialFactory(domain=project.domain, tier=Tier.QUALIFIED, score=60)
    MarketResumeFactory(candidate=credential.candidate, parsed={"skills": [{"slug": "pytorch"}]})
    assert match_profile_refresh(candidate_id=credential.candidate_id) == []
    assert offers_of(project) == []


def test_expired_credential_leaves_matching(skill):
    credential = MarketCredentialFactory(tier=Tier.EXPERT)
    match_profile_refresh(candidate_id=credential.candidate_id)
    assert MatchProfile.objects.filter(candidate=credential.candidate).exists()
    type(credential).objects.filter(pk=credential.pk).update(status="expired")
    match_profile_refresh(candidate_id=credential.candidate_id, domain_id=credential.domain_id)
    assert not MatchProfile.objects.filter(candidate=credential.candidate).exists()


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_last_seat_accepted_by_two_at_once_exactly_one_wins(org_a, skill):
    with scopes_disabled():
        project = ProjectFactory(organization=org_a, seats=1)
        ProjectSkillFactory(project=project, skill=skill)
        two = [
            Offer.objects.create(
                organization=org_a, project=project, candidate=p.candidate, status="sent"
            )
            for p in profiles(skill, 2)
        ]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def accept(offer: Offer) -> None:
        try:
            barrier.wait(timeout=10)
            with scopes_disabled():
                services.offer_accept(candidate=offer.candidate, offer=offer)
            results.append("won")
        except DomainError:
            results.append("lost")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(o,)) for o in two]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["lost", "won"]
    with scopes_disabled():
        statuses = sorted(Offer.objects.filter(project=project).values_list("status", flat=True))
        project.refresh_from_db()
    assert statuses == ["accepted", "withdrawn"]
    assert project.status == ProjectStatus.FILLED
