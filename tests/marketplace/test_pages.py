"""Client and candidate pages: what each person sees, 404 across tenants, privacy, queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from interviews.models import Answer, AnswerStatus, Question, Tier
from marketplace.models import Offer, Project, ProjectSkill
from tests.conftest import client_for
from tests.factories import CandidateFactory, UserFactory
from tests.marketplace.factories import (
    MarketCredentialFactory,
    MarketDomainFactory,
    MatchProfileFactory,
    OfferFactory,
    ProjectFactory,
    ProjectSkillFactory,
    SkillFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def skill():
    return SkillFactory(slug="pytorch", name="PyTorch")


@pytest.fixture
def project_a(org_a, skill):
    with scopes_disabled():
        project = ProjectFactory(organization=org_a, title="Eval pipeline A")
        ProjectSkillFactory(project=project, skill=skill, weight=4, must_have=True)
    return project


@pytest.fixture
def offer_a(project_a, skill):
    profile = MatchProfileFactory(skills=[skill.pk], score=87.4)
    with scopes_disabled():
        return OfferFactory(project=project_a, candidate=profile.candidate)


def url(org, path=""):
    return f"/o/{org.slug}/{path}"


def test_member_creates_a_project_with_skills_and_publishes_it(
    owner_a, owner_a_client, skill, org_a
):
    domain = MarketDomainFactory()
    data = {
        "title": "RLHF rater lead",
        "description": "Lead our raters.",
        "domain": domain.pk,
        "minimum_tier": Tier.EXPERT,
        "rate_min": 60,
        "rate_max": 110,
        "hours_per_week": 20,
        "seats": 2,
        "req-TOTAL_FORMS": "2",
        "req-INITIAL_FORMS": "0",
        "req-0-skill": skill.pk,
        "req-0-weight": "5",
        "req-0-must_have": "on",
        "req-1-skill": "",
        "req-1-weight": "3",
    }
    response = owner_a_client.post(url(org_a, "projects/new/"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        project = Project.objects.get(title="RLHF rater lead")
        assert list(
            ProjectSkill.objects.filter(project=project).values_list("weight", "must_have")
        ) == [(5, True)]
    MatchProfileFactory(skills=[skill.pk])
    response = owner_a_client.post(url(org_a, f"projects/{project.pk}/publish/"))
    assert response.status_code == 302
    page = owner_a_client.get(url(org_a, f"projects/{project.pk}/")).content.decode()
    assert "Send offer" in page and "PyTorch" in page
    assert owner_a_client.get(url(org_a, "projects/")).status_code == 200


def test_viewer_reads_but_cannot_write(viewer_a_client, project_a, org_a):
    assert viewer_a_client.get(url(org_a, f"projects/{project_a.pk}/")).status_code == 200
    assert viewer_a_client.get(url(org_a, "projects/new/")).status_code == 403
    assert viewer_a_client.post(url(org_a, f"projects/{project_a.pk}/close/")).status_code == 403


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "projects/{p}/"),
        ("get", "projects/{p}/edit/"),
        ("post", "projects/{p}/edit/"),
        ("post", "projects/{p}/publish/"),
        ("post", "projects/{p}/close/"),
        ("post", "projects/{p}/offers/"),
        ("post", "offers/{o}/withdraw/"),
    ],
)
def test_a_ids_inside_b_answer_404(method, path, project_a, offer_a, member_b, member_b_client):
    """B's own portal, A's object ids: not found, and nothing changes."""
    target = url(member_b.organization, path.format(p=project_a.pk, o=offer_a.pk))
    response = getattr(member_b_client, method)(target, {"candidate": offer_a.candidate_id})
    assert response.status_code == 404
    with scopes_disabled():
        assert Offer.objects.get(pk=offer_a.pk).status == "sent"
        assert Project.objects.get(pk=project_a.pk).status == "open"


def test_b_lists_show_nothing_of_a(project_a, offer_a, member_b, member_b_client):
    for path in ("projects/", "offers/"):
        page = member_b_client.get(url(member_b.organization, path)).content.decode()
        assert "Eval pipeline A" not in page


def test_client_pages_show_the_summary_never_scores_transcripts_or_audio(
    owner_a_client, org_a, project_a, offer_a, skill
):
    credential = MarketCredentialFactory(candidate=offer_a.candidate, score=87.4)
    question = Question.objects.create(
        attempt=credential.attempt,
        position=1,
        key="k",
        category="technical",
        difficulty=3,
        text="What is autograd?",
    )
    Answer.objects.create(
        question=question,
        status=AnswerStatus.SCORED,
        transcript="SECRET-TRANSCRIPT autograd records operations",
        audio="audio/secret-recording.webm",
    )
    pages = [
        owner_a_client.get(url(org_a, f"projects/{project_a.pk}/")).content.decode(),
        owner_a_client.get(url(org_a, "offers/")).content.decode(),
    ]
    for page in pages:
        assert "SECRET-TRANSCRIPT" not in page
        assert "secret-recording" not in page
        assert "87.4" not in page and "87,4" not in page
        assert offer_a.candidate.user.email not in page  # only once they accept
    assert "80–89" in pages[0]


def test_list_pages_query_count_does_not_grow(owner_a_client, org_a, skill):
    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert owner_a_client.get(url(org_a, path)).status_code == 200
        return len(ctx)

    def add(n):
        with scopes_disabled():
            for _ in range(n):
                project = ProjectFactory(organization=org_a)
                ProjectSkillFactory(project=project, skill=skill)
                profile = MatchProfileFactory(skills=[skill.pk])
                OfferFactory(project=project, candidate=profile.candidate)

    add(1)
    before = {p: count(p) for p in ("projects/", "offers/", "offers/?status=sent")}
    add(8)
    after = {p: count(p) for p in before}
    assert after == before


def test_project_detail_query_count_does_not_grow_with_matches(
    owner_a_client, org_a, project_a, skill
):
    MatchProfileFactory.create_batch(2, skills=[skill.pk])
    with CaptureQueriesContext(connection) as few:
        owner_a_client.get(url(org_a, f"projects/{project_a.pk}/"))
    MatchProfileFactory.create_batch(20, skills=[skill.pk])
    with CaptureQueriesContext(connection) as many:
        page = owner_a_client.get(url(org_a, f"projects/{project_a.pk}/")).content.decode()
    assert page.count('class="match"') == 22
    assert len(many) == len(few)


def test_candidate_accepts_and_declines_in_the_portal(offer_a, project_a, org_a):
    client = client_for(offer_a.candidate.user)
    page = client.get("/me/offers/").content.decode()
    assert "Eval pipeline A" in page and "Accept" in page
    response = client.post(f"/me/offers/{offer_a.pk}/accept/")
    assert response.status_code == 302
    with scopes_disabled():
        assert Offer.objects.get(pk=offer_a.pk).status == "accepted"


def test_candidate_cannot_answer_someone_elses_offer(offer_a, candidate_client):
    assert candidate_client.post(f"/me/offers/{offer_a.pk}/accept/").status_code == 404
    assert candidate_client.post(f"/me/offers/{offer_a.pk}/decline/").status_code == 404
    with scopes_disabled():
        assert Offer.objects.get(pk=offer_a.pk).status == "sent"


def test_candidate_portal_scope_reaches_only_offering_organizations(offer_a, org_b, skill):
    """A candidate offered by A sees A's offer; B's project of the same candidate stays out
    until B offers something."""
    with scopes_disabled():
        project_b = ProjectFactory(organization=org_b, title="Bolt secret project")
    client = client_for(offer_a.candidate.user)
    assert "Bolt secret project" not in client.get("/me/offers/").content.decode()
    with scopes_disabled():
        OfferFactory(project=project_b, candidate=offer_a.candidate)
    assert "Bolt secret project" in client.get("/me/offers/").content.decode()


def test_non_candidate_gets_404_on_candidate_offers():
    user = UserFactory()
    assert client_for(user).get("/me/offers/").status_code == 404
    assert CandidateFactory  # candidates are created on the welcome page, not here


def test_project_list_counts_each_offer_once_whatever_the_requirements(owner_a_client, org_a):
    with scopes_disabled():
        project = ProjectFactory(organization=org_a, seats=2)
        for slug in ("alpha", "beta", "gamma"):
            ProjectSkillFactory(project=project, skill=SkillFactory(slug=slug, name=slug))
        OfferFactory(project=project, status="accepted")
        OfferFactory(project=project, status="sent")
        OfferFactory(project=project, status="declined")
    page = owner_a_client.get(url(org_a, "projects/"))
    listed = next(p for p in page.context["projects"] if p.pk == project.pk)
    assert (listed.accepted_count, listed.open_offer_count) == (1, 1)
