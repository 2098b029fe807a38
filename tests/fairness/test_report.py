"""Which result counts, the staff report page and its CSV, and who may see them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fairness.models import FairnessRecord
from fairness.report import Period
from fairness.selectors import outcomes_for
from fairness.services import demographic_answer_save
from tests.conftest import client_for
from tests.fairness.builders import make_attempt, make_candidate, make_domain

pytestmark = pytest.mark.django_db

REPORT = "admin:fairness_fairnessrecord_changelist"
CSV = "admin:fairness_report_csv"


def test_latest_scored_attempt_in_the_period_counts_once_per_person():
    domain, other = make_domain("ml"), make_domain("pe")
    now = timezone.now()
    alex = make_candidate()
    make_attempt(alex, domain, score=90, tier="verified_expert", finished_at=now - timedelta(40))
    make_attempt(alex, domain, score=45, tier="declined", finished_at=now - timedelta(5))
    make_attempt(alex, other, score=80, tier="expert", finished_at=now - timedelta(3))
    old = make_candidate()
    make_attempt(old, domain, score=80, tier="expert", finished_at=now - timedelta(400))
    FairnessRecord.objects.create(
        domain=domain, scored_at=now - timedelta(2), tier="qualified", score=61, sex="female"
    )
    period = Period(start=(now - timedelta(days=365)).date(), end=now.date())
    outcomes = outcomes_for(domain=domain, start=period.start_at, end=period.end_at)
    assert sorted((o.tier_rank, o.score, o.sex) for o in outcomes) == [
        (0, 45, "unknown"),  # Alex's latest, not his best
        (1, 61, "female"),  # a deleted account's anonymised record
    ]


def test_prefer_not_to_say_counts_as_unknown():
    domain = make_domain()
    bea = make_candidate()
    demographic_answer_save(candidate=bea, sex="prefer_not_to_say", race_ethnicity="asian")
    make_attempt(bea, domain)
    now = timezone.now()
    [outcome] = outcomes_for(domain=domain, start=now - timedelta(1), end=now + timedelta(1))
    assert (outcome.sex, outcome.race_ethnicity) == ("unknown", "asian")


def _seed():
    domain = make_domain("ml")
    for i, (sex, tier, score) in enumerate(
        [("female", "expert", 80), ("male", "expert", 82), ("male", "declined", 30)]
    ):
        candidate = make_candidate(f"c{i}@example.test")
        demographic_answer_save(candidate=candidate, sex=sex, race_ethnicity="white")
        make_attempt(candidate, domain, score=score, tier=tier)
    return domain


def test_staff_see_the_report_and_download_the_csv(staff_client):
    domain = _seed()
    today = timezone.localdate()
    query = {"domain": domain.pk, "start": today - timedelta(30), "end": today}
    page = staff_client.get(reverse(REPORT), query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Female" in html and "Sex × race/ethnicity" in html and "Download CSV" in html
    response = staff_client.get(reverse(CSV), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    male = next(r for r in rows if r[3:5] == ["Sex", "Male"])
    header = rows[0]
    assert male[header.index("count")] == "2"
    assert male[header.index("expert_rate")] == "0.5000"
    assert male[header.index("expert_impact_ratio")] == "0.5000"
    assert "expert_impact_ratio_below_0.8" in male[header.index("flags")]


def test_viewer_role_sees_the_report(staff_viewer):
    _seed()
    assert client_for(staff_viewer).get(reverse(REPORT)).status_code == 200


def test_staff_without_a_role_clients_and_candidates_do_not(
    staff_without_role, owner_a_client, candidate_client
):
    _seed()
    assert client_for(staff_without_role).get(reverse(REPORT)).status_code == 403
    assert client_for(staff_without_role).get(reverse(CSV)).status_code == 403
    for client in (owner_a_client, candidate_client):
        response = client.get(reverse(CSV))
        assert response.status_code == 302 and "/login" in response["Location"]
