"""The interview room: domain choice, notice and consent, device check, the room, finished.

The pages are server-rendered; the room itself is driven by ``static/js/interview-room.js``
through the small JSON API at the bottom of this module. Every view loads the attempt
through ``_own_attempt``: another candidate's attempt answers exactly like a missing one.
Rules live in ``interviews.services``; a ``DomainError`` becomes a 4xx JSON body
``{"error": code, "message": sentence}`` the page shows as-is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from accounts.errors import DomainError
from accounts.http import AuthenticatedRequest
from accounts.services import candidate_profile_ensure
from interviews import selectors, services
from interviews.engine.audio import MESSAGES as AUDIO_MESSAGES
from interviews.models import OPEN_ATTEMPT_STATES, Attempt, AttemptState, Domain, Question
from interviews.policies import policy_for, start_eligibility

# The notice the candidate agrees to; bump when its wording changes, so staff can tell
# which text an attempt was consented under.
NOTICE_VERSION = "2026-01"
CONSENT_EVENT = "consent"
DEVICE_CHECK_EVENT = "device_check"
# What the page may report for staff. Anything else is refused, so the table stays readable.
ROOM_EVENT_KINDS = frozenset(
    {"focus_lost", "focus_back", "tab_hidden", "tab_visible", "resumed", "upload_retry"}
)
# Rejections after which recording the same question again makes sense.
RETRY_CODES = frozenset(AUDIO_MESSAGES)

# HTTP status for each refusal code; anything not listed is a plain 400.
ERROR_STATUS = {
    "login_required": 403,
    "not_found": 404,
    "already_answered": 409,
    "not_current": 409,
    "attempt_closed": 409,
    "clock_over": 409,
    "not_started": 409,
    "too_large": 413,
    "draft_gap": 409,
    "typed_not_allowed": 403,
}


def _error(code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=ERROR_STATUS.get(code, 400))


def _own_attempt(request: AuthenticatedRequest, attempt_id: int) -> Attempt:
    candidate = candidate_profile_ensure(user=request.user)
    return get_object_or_404(
        Attempt.objects.select_related("domain", "resume"), pk=attempt_id, candidate=candidate
    )


def _consented(attempt: Attempt) -> bool:
    return attempt.integrity_events.filter(kind=CONSENT_EVENT).exists()


def _is_finished(attempt: Attempt) -> bool:
    return attempt.state not in OPEN_ATTEMPT_STATES


def room_api(view: Callable[..., JsonResponse]) -> Callable[..., HttpResponse]:
    """Login, the attempt's owner, and every refusal as a JSON body (never an HTML page)."""

    @wraps(view)
    def wrapper(request: HttpRequest, attempt_id: int, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _error("login_required", "Your session has ended; sign in again to continue.")
        try:
            attempt = _own_attempt(request, attempt_id)  # type: ignore[arg-type]
            return view(request, attempt, **kwargs)
        except Http404:
            return _error("not_found", "There is no such interview.")
        except DomainError as error:
            return _error(error.code, error.message)

    return wrapper


# --- pages ----------------------------------------------------------------------------


@login_required
@require_GET
def domain_choice(request: AuthenticatedRequest) -> HttpResponse:
    candidate = candidate_profile_ensure(user=request.user)
    resume = selectors.current_resume(candidate=candidate)
    open_attempt = (
        selectors.attempts_for_candidate(candidate=candidate)
        .filter(state__in=OPEN_ATTEMPT_STATES)
        .first()
    )
    rows = [
        {"domain": domain, "eligibility": start_eligibility(candidate=candidate, domain=domain)}
        for domain in selectors.active_domains()
    ]
    context = {"resume": resume, "rows": rows, "open_attempt": open_attempt}
    return render(request, "interviews/room_domains.html", context)


@login_required
@require_POST
def attempt_start(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    candidate = candidate_profile_ensure(user=request.user)
    domain = get_object_or_404(Domain, slug=slug, active=True)
    try:
        attempt = services.attempt_start(candidate=candidate, domain=domain)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("candidate:interview")
    return redirect("candidate:interview_consent", attempt_id=attempt.pk)


def _next_page(attempt: Attempt) -> str | None:
    """Where a candidate who opens an earlier step of a finished or running attempt belongs."""
    if _is_finished(attempt):
        return reverse("candidate:interview_finished", args=[attempt.pk])
    if attempt.state == AttemptState.IN_PROGRESS:
        return reverse("candidate:interview_room", args=[attempt.pk])
    return None


@login_required
def consent(request: AuthenticatedRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if (target := _next_page(attempt)) is not None:
        return redirect(target)
    error = ""
    if request.method == "POST":
        if request.POST.get("agree") == "yes":
            if not _consented(attempt):
                services.integrity_event_record(
                    attempt=attempt,
                    kind=CONSENT_EVENT,
                    question_position=None,
                    detail={"notice": NOTICE_VERSION},
                )
            return redirect("candidate:interview_device_check", attempt_id=attempt.pk)
        error = "Tick the box to confirm you have read the notice, or leave this page."
    context = {
        "attempt": attempt,
        "policy": policy_for(attempt.domain),
        "answer_cap_s": settings.VETTA_ANSWER_CAP_S,
        "support_email": settings.VETTA_SUPPORT_EMAIL,
        "error": error,
        "plan": services.plan_of(attempt),
    }
    return render(request, "interviews/consent.html", context, status=400 if error else 200)


@login_required
@ensure_csrf_cookie
def device_check(request: AuthenticatedRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if (target := _next_page(attempt)) is not None:
        return redirect(target)
    if not _consented(attempt):
        return redirect("candidate:interview_consent", attempt_id=attempt.pk)
    if request.method == "POST":
        detail = {k: request.POST.get(k, "")[:40] for k in ("microphone", "camera", "playback")}
        services.integrity_event_record(
            attempt=attempt, kind=DEVICE_CHECK_EVENT, question_position=None, detail=detail
        )
        return redirect("candidate:interview_room", attempt_id=attempt.pk)
    return render(request, "interviews/device_check.html", {"attempt": attempt})


@login_required
@ensure_csrf_cookie
@require_GET
def room(request: AuthenticatedRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if _is_finished(attempt):
        return redirect("candidate:interview_finished", attempt_id=attempt.pk)
    if not _consented(attempt):
        return redirect("candidate:interview_consent", attempt_id=attempt.pk)
    plan = services.plan_of(attempt)
    config = {
        "attemptId": attempt.pk,
        "typed": attempt.typed_answers,
        "answerTargetS": plan.answer_target_s,
        "answerCapS": settings.VETTA_ANSWER_CAP_S,
        "totalS": plan.total_seconds,
        "questionCount": plan.planned_count,
        "urls": {
            "state": reverse("candidate:interview_api_state", args=[attempt.pk]),
            "begin": reverse("candidate:interview_api_begin", args=[attempt.pk]),
            "next": reverse("candidate:interview_api_next", args=[attempt.pk]),
            "answer": reverse("candidate:interview_api_answer", args=[attempt.pk, 0]),
            "draft": reverse("candidate:interview_api_draft", args=[attempt.pk, 0]),
            "skip": reverse("candidate:interview_api_skip", args=[attempt.pk, 0]),
            "events": reverse("candidate:interview_api_events", args=[attempt.pk]),
            "finished": reverse("candidate:interview_finished", args=[attempt.pk]),
        },
    }
    context = {"attempt": attempt, "plan": plan, "room_config": config}
    return render(request, "interviews/room.html", context)


@login_required
@require_GET
def finished(request: AuthenticatedRequest, attempt_id: int) -> HttpResponse:
    attempt = _own_attempt(request, attempt_id)
    if not _is_finished(attempt):
        return redirect("candidate:interview_room", attempt_id=attempt.pk)
    return render(request, "interviews/room_finished.html", {"attempt": attempt})


# --- the room's JSON API ------------------------------------------------------------------


def _question_json(question: Question, attempt: Attempt) -> dict[str, Any]:
    return {
        "id": question.pk,
        "position": question.position,
        "count": services.plan_of(attempt).planned_count,
        "text": question.text,
        "category": question.get_category_display(),
    }


def _clock(attempt: Attempt) -> dict[str, Any]:
    return {
        "state": attempt.state,
        "secondsLeft": round(attempt.seconds_left(), 1) if attempt.deadline_at else None,
        "deadlineAt": attempt.deadline_at.isoformat() if attempt.deadline_at else None,
    }


@require_GET
@room_api
def api_state(request: HttpRequest, attempt: Attempt) -> JsonResponse:
    current = selectors.current_question(attempt=attempt)
    return JsonResponse(
        {
            **_clock(attempt),
            "typed": attempt.typed_answers,
            "question": _question_json(current, attempt) if current else None,
        }
    )


@require_POST
@room_api
def api_begin(request: HttpRequest, attempt: Attempt) -> JsonResponse:
    if not _consented(attempt):
        raise DomainError("Read and accept the notice before you begin.", code="no_consent")
    attempt = services.attempt_begin(attempt=attempt)
    return JsonResponse(_clock(attempt))


@require_POST
@room_api
def api_next(request: HttpRequest, attempt: Attempt) -> JsonResponse:
    if attempt.state == AttemptState.NOT_STARTED:
        raise DomainError("The interview has not begun yet.", code="not_started")
    outcome = services.question_next(attempt=attempt)
    attempt.refresh_from_db()
    if outcome is None:
        finished_url = reverse("candidate:interview_finished", args=[attempt.pk])
        return JsonResponse({"status": "finished", "redirect": finished_url, **_clock(attempt)})
    if isinstance(outcome, services.Waiting):
        return JsonResponse(
            {"status": "waiting", "retryAfterS": outcome.retry_after_s, **_clock(attempt)}
        )
    return JsonResponse(
        {"status": "question", "question": _question_json(outcome, attempt), **_clock(attempt)}
    )


def _answer_ok(attempt: Attempt, answer: Any) -> JsonResponse:
    attempt.refresh_from_db()
    return JsonResponse(
        {
            "status": "received",
            "answer": {"id": answer.pk, "state": answer.status},
            **_clock(attempt),
        },
        status=201,
    )


@require_POST
@room_api
def api_answer(request: HttpRequest, attempt: Attempt, question_id: int) -> JsonResponse:
    """The recording as the request body (its MIME type in Content-Type), or typed text."""
    declared = request.content_type or ""
    if declared == "application/json":
        try:
            text = str(json.loads(request.body or b"{}").get("text", ""))
        except (ValueError, AttributeError):
            raise DomainError("The answer could not be read.", code="bad_request") from None
        answer = services.answer_submit_text(attempt=attempt, question_id=question_id, text=text)
        return _answer_ok(attempt, answer)
    if attempt.typed_answers:
        raise DomainError("This interview takes typed answers.", code="typed_only")
    try:
        data = request.body
    except RequestDataTooBig:
        raise DomainError(AUDIO_MESSAGES["too_large"], code="too_large") from None
    if not data:
        raise DomainError("The recording was empty; please record again.", code="empty")
    # Content-Type parameters (codecs=opus) matter to the audio check: pass the header whole.
    declared_type = request.headers.get("Content-Type", "")
    answer = services.answer_submit_audio(
        attempt=attempt, question_id=question_id, data=data, declared_type=declared_type
    )
    return _answer_ok(attempt, answer)


@require_POST
@room_api
def api_draft(request: HttpRequest, attempt: Attempt, question_id: int) -> JsonResponse:
    """Part of the recording in progress (bytes from ``?offset=``), for early transcription."""
    try:
        offset = int(request.GET.get("offset", ""))
    except ValueError:
        offset = -1
    if offset < 0:
        raise DomainError("Say where the part starts: ?offset=<bytes>.", code="bad_request")
    try:
        data = request.body
    except RequestDataTooBig:
        raise DomainError(AUDIO_MESSAGES["too_large"], code="too_large") from None
    try:
        draft = services.answer_draft_append(
            attempt=attempt, question_id=question_id, offset=offset, data=data
        )
    except services.DraftGapError as gap:
        return JsonResponse(
            {"error": gap.code, "message": gap.message, "received": gap.received},
            status=ERROR_STATUS[gap.code],
        )
    return JsonResponse({"received": draft.size})


@require_POST
@room_api
def api_skip(request: HttpRequest, attempt: Attempt, question_id: int) -> JsonResponse:
    answer = services.question_skip(attempt=attempt, question_id=question_id)
    return _answer_ok(attempt, answer)


@require_POST
@room_api
def api_events(request: HttpRequest, attempt: Attempt) -> JsonResponse:
    try:
        payload = json.loads(request.body or b"{}")
        kind = str(payload.get("kind", ""))
        position = payload.get("position")
        detail = payload.get("detail") or {}
    except (ValueError, AttributeError):
        raise DomainError("The event could not be read.", code="bad_request") from None
    if kind not in ROOM_EVENT_KINDS:
        raise DomainError("Unknown event.", code="unknown_event")
    if not isinstance(detail, dict) or len(json.dumps(detail)) > 2000:
        raise DomainError("The event detail is too large.", code="bad_request")
    services.integrity_event_record(
        attempt=attempt,
        kind=kind,
        question_position=position if isinstance(position, int) and position > 0 else None,
        detail={**detail, "client_at": str(payload.get("at", ""))[:40]},
    )
    return JsonResponse({"status": "recorded", "at": timezone.now().isoformat()}, status=201)
