"""Staff review of an interview: the review page, recordings, the queue and tier overrides.

Served inside the admin site (``AttemptAdmin.get_urls``), so only active staff reach it and
tenant scopes are off, as everywhere in the admin. Each view also checks a permission:

* reading an attempt and hearing its recordings: ``interviews.view_attempt`` /
  ``interviews.view_answer`` (the "Staff viewer" group has both);
* overriding a tier or marking an attempt reviewed: ``interviews.override_tier``
  ("Staff reviewer" and superusers).

Recordings are streamed by ``answer_audio`` after that check; media files are never
served from a public URL.
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.errors import DomainError, PermissionDeniedError
from accounts.models import User
from interviews import models as interview_models
from interviews.models import (
    Answer,
    AnswerStatus,
    Attempt,
    AttemptState,
    AuditEntry,
    Credential,
    CredentialStatus,
    IntegrityEvent,
    Question,
    Tier,
)
from interviews.notifications import credential_overridden

OVERRIDE_TIER = "interviews.override_tier"
TIER_OVERRIDE_ACTION = "tier_override"
ATTEMPT_REVIEWED_ACTION = "attempt_reviewed"
# A gap between two words this long is shown on the transcript (the grader counts them).
LONG_PAUSE_S = 2.0
MIN_REASON_CHARS = 10


# --- services ---------------------------------------------------------------------------


def credential_override(
    *, credential: Credential, new_tier: str, actor: User, reason: str
) -> Credential:
    """Change a standing credential's tier, keeping who, when, before, after and why.

    The attempt keeps the tier the interview decided (``Attempt.tier``); the credential,
    which is what the candidate sees and matching reads, carries the override.
    """
    reason = (reason or "").strip()
    if not actor.has_perm(OVERRIDE_TIER):
        raise PermissionDeniedError("Your staff role cannot override tiers.")
    if new_tier not in Tier.values:
        raise DomainError("Choose one of the tiers.", code="unknown_tier")
    if len(reason) < MIN_REASON_CHARS:
        raise DomainError(
            f"Write the reason for the override (at least {MIN_REASON_CHARS} characters).",
            code="reason_required",
        )
    with transaction.atomic():
        locked = (
            Credential.objects.select_for_update(of=("self",))
            .filter(pk=credential.pk)
            .select_related("attempt")
            .first()
        )
        if locked is None:
            raise DomainError("This credential no longer exists.", code="gone")
        if locked.status not in (CredentialStatus.PENDING, CredentialStatus.ACTIVE):
            raise DomainError(
                "Only a standing tier (awaiting release or active) can be overridden.",
                code="not_standing",
            )
        if locked.tier == new_tier:
            raise DomainError("The credential already has this tier.", code="unchanged")
        before = {"tier": locked.tier, "status": locked.status, "attempt": locked.attempt_id}
        locked.tier = new_tier
        locked.save(update_fields=["tier"])
        AuditEntry.objects.create(
            actor=actor,
            action=TIER_OVERRIDE_ACTION,
            object_type="credential",
            object_id=str(locked.pk),
            before=before,
            after={"tier": new_tier, "status": locked.status, "attempt": locked.attempt_id},
            reason=reason,
        )
        candidate_id, domain_id = locked.candidate_id, locked.domain_id
        transaction.on_commit(lambda: _matching_refresh(candidate_id, domain_id))
        if locked.status == CredentialStatus.ACTIVE:  # a pending tier is told at release
            previous = str(before["tier"])
            transaction.on_commit(
                lambda: credential_overridden(credential_id=locked.pk, previous_tier=previous),
                robust=True,
            )
    return locked


def _matching_refresh(candidate_id: int, domain_id: int) -> None:
    from interviews.services import _matching_refresh as refresh

    refresh(candidate_id, domain_id)


def attempt_mark_reviewed(*, attempt: Attempt, actor: User, note: str) -> AuditEntry:
    """Staff looked at a queued attempt: it leaves the review queue until something new."""
    if not actor.has_perm(OVERRIDE_TIER):
        raise PermissionDeniedError("Your staff role cannot clear the review queue.")
    note = (note or "").strip()
    if not note:
        raise DomainError("Write what you found.", code="reason_required")
    return AuditEntry.objects.create(
        actor=actor,
        action=ATTEMPT_REVIEWED_ACTION,
        object_type="attempt",
        object_id=str(attempt.pk),
        before={"state": attempt.state, "tier": attempt.tier},
        after={"reviewed": True},
        reason=note,
    )


# --- selectors --------------------------------------------------------------------------


@dataclass
class QueueItem:
    attempt: Attempt
    why: str
    since: datetime | None


def _last_reviewed(attempt_ids: list[int]) -> dict[int, datetime]:
    rows = (
        AuditEntry.objects.filter(
            action=ATTEMPT_REVIEWED_ACTION,
            object_type="attempt",
            object_id__in=[str(i) for i in attempt_ids],
        )
        .values("object_id")
        .annotate(last=Max("at"))
    )
    return {int(r["object_id"]): r["last"] for r in rows}


def review_queue(*, limit: int = 100) -> dict[str, list[Any]]:
    """Contests, attempts with integrity events, scoring failures; newest work first."""
    queue: dict[str, list[Any]] = {"contests": [], "integrity": [], "failures": []}
    contest_model = getattr(interview_models, "Contest", None)
    if contest_model is not None:
        queue["contests"] = list(
            contest_model.objects.filter(status="open")
            .select_related("credential__attempt", "credential__candidate__user")
            .order_by("created_at")[:limit]
        )
    flagged = list(
        Attempt.objects.annotate(
            events=Count("integrity_events"), last_event=Max("integrity_events__at")
        )
        .filter(events__gt=0)
        .select_related("candidate__user", "domain")
        .order_by("-last_event")[: limit * 2]
    )
    failed_answers = Answer.objects.filter(
        question__attempt=OuterRef("pk"), status=AnswerStatus.FAILED
    )
    failures = list(
        Attempt.objects.annotate(has_failed_answer=Exists(failed_answers))
        .filter(Q(state=AttemptState.FAILED) | Q(has_failed_answer=True))
        .select_related("candidate__user", "domain")
        .order_by("-created_at")[: limit * 2]
    )
    reviewed = _last_reviewed([a.pk for a in flagged + failures])
    for attempt in flagged:
        last = reviewed.get(attempt.pk)
        if last is None or last < attempt.last_event:
            queue["integrity"].append(
                QueueItem(attempt, f"{attempt.events} integrity event(s)", attempt.last_event)
            )
    for failed in failures:
        since = failed.finished_at or failed.created_at
        last = reviewed.get(failed.pk)
        if last is None or last < since:
            why = failed.failure_reason or "an answer could not be transcribed or scored"
            queue["failures"].append(QueueItem(failed, why, since))
    queue["integrity"] = queue["integrity"][:limit]
    queue["failures"] = queue["failures"][:limit]
    return queue


def _evidence_lines(evidence: Any) -> list[str]:
    if isinstance(evidence, list):
        return [line for item in evidence for line in _evidence_lines(item)]
    if isinstance(evidence, dict):
        return [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in evidence.items()]
    return [] if evidence in (None, "") else [str(evidence)]


def _word_rows(words: list) -> list[dict[str, Any]]:
    rows, previous_end = [], None
    for item in words or []:
        try:
            word, start, end = item[0], float(item[1]), float(item[2])
        except (IndexError, TypeError, ValueError):
            continue
        pause = start - previous_end if previous_end is not None else 0.0
        rows.append(
            {
                "word": word,
                "start": start,
                "end": end,
                "pause": round(pause, 1) if pause >= LONG_PAUSE_S else None,
            }
        )
        previous_end = end
    return rows


SUB_SCORES = [
    ("fluency", "Fluency"),
    ("technical_accuracy", "Technical accuracy"),
    ("coherence", "Coherence"),
    ("conciseness", "Conciseness"),
]


def review_rows(*, attempt: Attempt) -> list[dict[str, Any]]:
    questions = (
        Question.objects.filter(attempt=attempt)
        .select_related("answer", "answer__score")
        .order_by("position")
    )
    rows = []
    for question in questions:
        answer = getattr(question, "answer", None)
        score = getattr(answer, "score", None) if answer else None
        rows.append(
            {
                "question": question,
                "answer": answer,
                "score": score,
                "words": _word_rows(answer.words) if answer else [],
                "sub_scores": [
                    {
                        "label": label,
                        "value": getattr(score, key),
                        "evidence": _evidence_lines(score.evidence.get(key)),
                    }
                    for key, label in SUB_SCORES
                ]
                if score
                else [],
                "overall_evidence": _evidence_lines(score.evidence.get("overall")) if score else [],
            }
        )
    return rows


# --- views ------------------------------------------------------------------------------


class OverrideForm(forms.Form):
    tier = forms.ChoiceField(choices=Tier.choices)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        min_length=MIN_REASON_CHARS,
        help_text="Kept in the audit trail: your name, the time, the tiers before and after.",
    )


class ReviewedForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def attempt_review(
    request: HttpRequest, model_admin: admin.ModelAdmin, attempt_id: int
) -> HttpResponse:
    _require(request, "interviews.view_attempt")
    attempt = get_object_or_404(
        Attempt.objects.select_related("candidate__user", "domain", "resume"), pk=attempt_id
    )
    credential = Credential.objects.filter(attempt=attempt).first()
    audit = AuditEntry.objects.filter(
        Q(object_type="attempt", object_id=str(attempt.pk))
        | (
            Q(object_type="credential", object_id=str(credential.pk))
            if credential
            else Q(pk__in=[])
        )
    ).select_related("actor")
    contest_model = getattr(interview_models, "Contest", None)
    contests = (
        list(contest_model.objects.filter(credential=credential))
        if contest_model and credential
        else []
    )
    can_override = request.user.has_perm(OVERRIDE_TIER)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Review of attempt {attempt.pk}",
        "opts": Attempt._meta,
        "attempt": attempt,
        "credential": credential,
        "rows": review_rows(attempt=attempt),
        "events": IntegrityEvent.objects.filter(attempt=attempt).order_by("at"),
        "audit": audit,
        "contests": contests,
        "can_override": can_override,
        "can_hear": request.user.has_perm("interviews.view_answer"),
        "override_form": OverrideForm(initial={"tier": credential.tier if credential else ""}),
        "reviewed_form": ReviewedForm(),
        "standing": credential is not None
        and credential.status in (CredentialStatus.PENDING, CredentialStatus.ACTIVE),
    }
    return TemplateResponse(request, "admin/interviews/attempt/review.html", context)


def answer_audio(request: HttpRequest, answer_id: int) -> FileResponse:
    """Stream one recording to staff who may hear it; never cached, never public."""
    _require(request, "interviews.view_answer")
    answer = get_object_or_404(Answer, pk=answer_id)
    if not answer.audio or answer.audio_purged_at is not None:
        raise Http404("This recording was purged or never uploaded.")
    try:
        handle = answer.audio.open("rb")
    except FileNotFoundError:
        raise Http404("The recording file is missing.") from None
    content_type = answer.audio_type.split(";")[0] or (
        mimetypes.guess_type(answer.audio.name or "")[0] or "application/octet-stream"
    )
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def credential_override_view(request: HttpRequest, attempt_id: int) -> HttpResponse:
    _require(request, OVERRIDE_TIER)
    attempt = get_object_or_404(Attempt, pk=attempt_id)
    credential = get_object_or_404(Credential, attempt=attempt)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a tier and write the reason (at least 10 characters).")
    else:
        try:
            credential_override(
                credential=credential,
                new_tier=form.cleaned_data["tier"],
                actor=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
        except PermissionDeniedError as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"Tier changed to {Tier(form.cleaned_data['tier']).label}; audit kept."
            )
    return redirect("admin:interviews_attempt_review", attempt_id=attempt.pk)


@require_POST
def attempt_reviewed_view(request: HttpRequest, attempt_id: int) -> HttpResponse:
    _require(request, OVERRIDE_TIER)
    attempt = get_object_or_404(Attempt, pk=attempt_id)
    form = ReviewedForm(request.POST)
    if form.is_valid():
        attempt_mark_reviewed(attempt=attempt, actor=request.user, note=form.cleaned_data["note"])  # type: ignore[arg-type]
        messages.success(request, "Marked reviewed; it left the review queue.")
    else:
        messages.error(request, "Write what you found.")
    return redirect("admin:interviews_attempt_review", attempt_id=attempt.pk)


def review_queue_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    _require(request, "interviews.view_attempt")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Review queue",
        "opts": Attempt._meta,
        "queue": review_queue(),
        "has_contests": getattr(interview_models, "Contest", None) is not None,
        "now": timezone.now(),
    }
    for contest in context["queue"]["contests"]:
        try:
            contest.admin_url = reverse("admin:interviews_contest_change", args=[contest.pk])
        except NoReverseMatch:
            contest.admin_url = ""
    return TemplateResponse(request, "admin/interviews/attempt/review_queue.html", context)


def review_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """URLs that ``AttemptAdmin.get_urls`` puts in front of the admin's own."""
    site = model_admin.admin_site
    return [
        path(
            "review-queue/",
            site.admin_view(lambda request: review_queue_view(request, model_admin)),
            name="interviews_attempt_review_queue",
        ),
        path(
            "<int:attempt_id>/review/",
            site.admin_view(
                lambda request, attempt_id: attempt_review(request, model_admin, attempt_id)
            ),
            name="interviews_attempt_review",
        ),
        path(
            "<int:attempt_id>/review/override/",
            site.admin_view(credential_override_view),
            name="interviews_attempt_override",
        ),
        path(
            "<int:attempt_id>/review/reviewed/",
            site.admin_view(attempt_reviewed_view),
            name="interviews_attempt_reviewed",
        ),
        path(
            "audio/<int:answer_id>/",
            site.admin_view(answer_audio),
            name="interviews_answer_audio",
        ),
    ]
