"""Demographic answers never reach the interviewer, the grader, matching, clients or the API.

Three proofs: no module on those paths imports the fairness app; the database refuses, for
the length of each test, any SQL that touches the fairness tables while scoring, matching
and client pages run; and scores are identical with and without demographic answers.
"""

from __future__ import annotations

import ast
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from fairness.models import DemographicAnswer
from fairness.services import demographic_answer_save
from interviews import services
from interviews.models import Answer, AnswerStatus
from tests.fairness.builders import make_attempt, make_candidate, make_domain

ROOT = Path(__file__).resolve().parents[2]
# Everything that asks, scores, tiers, matches, offers, or answers a client or partner.
GUARDED = [
    "interviews/engine",
    "interviews/services.py",
    "interviews/tasks.py",
    "interviews/selectors.py",
    "interviews/policies.py",
    "interviews/views.py",
    "interviews/views_room.py",
    "matching",
    "marketplace",
    "api",
]
FAIRNESS_TABLES = ("fairness_demographicanswer", "fairness_fairnessrecord")
LABELS = ("Native Hawaiian or Pacific Islander", "Another sex or gender")


def _python_files() -> list[Path]:
    files: list[Path] = []
    for entry in GUARDED:
        path = ROOT / entry
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in path.rglob("*.py") if "migrations" not in p.parts]
    return files


def test_no_scoring_matching_or_client_module_imports_fairness():
    files = _python_files()
    assert any("engine" in str(f) for f in files) and any("matching" in str(f) for f in files)
    offenders = []
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(n == "fairness" or n.startswith("fairness.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
        if any(table in path.read_text() for table in FAIRNESS_TABLES):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@contextmanager
def fairness_tables_refused():
    touched: list[str] = []

    def refuse(execute, sql, params, many, context):
        if any(table in sql.lower() for table in FAIRNESS_TABLES):
            touched.append(sql)
            raise AssertionError(f"the fairness tables were read: {sql[:120]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield touched
    assert touched == []


def _transcribed_attempt(candidate, domain):
    attempt = make_attempt(candidate, domain, state="submitted", with_audio=False)
    Answer.objects.filter(question__attempt=attempt).update(status=AnswerStatus.TRANSCRIBED)
    return attempt


@pytest.mark.django_db
def test_scores_are_the_same_with_and_without_demographic_answers():
    domain = make_domain()
    with_answers, without = make_candidate(), make_candidate()
    demographic_answer_save(candidate=with_answers, sex="female", race_ethnicity="black")
    results = []
    for candidate in (with_answers, without):
        attempt = _transcribed_attempt(candidate, domain)
        with fairness_tables_refused():
            scores = [
                services.answer_grade(answer=a)
                for a in Answer.objects.filter(question__attempt=attempt)
                .select_related("question__attempt__domain")
                .order_by("question__position")
            ]
        results.append(
            [
                (s.fluency, s.technical_accuracy, s.coherence, s.conciseness, s.overall, s.evidence)
                for s in scores
            ]
        )
    assert results[0] == results[1]
    assert DemographicAnswer.objects.count() == 1


@pytest.mark.django_db
def test_matching_never_reads_demographic_answers():
    matching = pytest.importorskip("matching.services")
    domain = make_domain()
    candidate = make_candidate()
    demographic_answer_save(candidate=candidate, sex="another", race_ethnicity="asian")
    make_attempt(candidate, domain, tier="expert", score=80)
    with fairness_tables_refused():
        matching.match_profile_refresh(candidate_id=candidate.pk, domain_id=domain.pk)


def _org_urls(org_slug: str) -> list[str]:
    """Every client-portal page that needs nothing but the organization."""
    resolver = get_resolver()
    urls = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith("o/<slug:org_slug>/") and route.count("<") == 1:
                    urls.append("/" + route.replace("<slug:org_slug>", org_slug))

    walk(resolver.url_patterns)
    return urls


@pytest.mark.django_db
def test_client_pages_and_api_never_show_or_read_demographic_answers(owner_a):
    # Another surface's page failing is that surface's test to catch; here only what a
    # response contains, and what the request read, matters.
    client = Client(raise_request_exception=False)
    client.force_login(owner_a.user)
    domain = make_domain()
    candidate = make_candidate()
    demographic_answer_save(
        candidate=candidate, sex="another", race_ethnicity="native_hawaiian_pacific"
    )
    make_attempt(candidate, domain, tier="expert", score=80)
    urls = _org_urls(owner_a.organization.slug)
    assert f"/o/{owner_a.organization.slug}/" in urls
    for url in [*urls, "/api/v1/", "/api/v1/schema/"]:
        with fairness_tables_refused():
            response = client.get(url)
        body = response.content.decode(errors="replace")
        assert not any(label in body for label in LABELS), url


def test_staff_admin_lists_no_individual_answers():
    assert DemographicAnswer not in admin.site._registry
