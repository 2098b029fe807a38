"""Writes for the interview side: resumes, attempts, answers, scoring, release, expiry.

Each service guards first (a ``DomainError`` in plain words), then locks, then acts, and
sends side effects (tasks, e-mails) only after the transaction commits.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import random
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import DomainError
from accounts.models import Candidate
from interviews import selectors
from interviews.engine.types import (
    AnswerInput,
    AskedQuestion,
    InterviewPlan,
    PlannedSlot,
    ResumeFacts,
    Role,
    ScoreResult,
    SubScore,
)
from interviews.models import (
    OPEN_ATTEMPT_STATES,
    Answer,
    AnswerDraft,
    AnswerStatus,
    Attempt,
    AttemptState,
    AuditEntry,
    Contest,
    ContestStatus,
    Credential,
    CredentialStatus,
    Domain,
    DomainPolicy,
    IntegrityEvent,
    Question,
    ReleaseMode,
    Resume,
    Score,
    Tier,
)
from interviews.policies import contest_closes_at, policy_for, start_eligibility

log = logging.getLogger(__name__)

# A recording in progress untouched this long is dead (see drafts_discard_stale).
DRAFT_STALE_MIN = 10

# Seconds after the clock runs out in which an answer that was being uploaded still counts.
UPLOAD_GRACE_S = 20


# --- resumes ---------------------------------------------------------------------------


def resume_upload(*, candidate: Candidate, data: bytes, filename: str) -> Resume:
    """Parse ``data`` in a bounded child process, then store it as the current version.

    Anything the parser refuses raises ``DomainError`` with its one-sentence reason, and
    nothing is stored.
    """
    from interviews.engine.resume import ResumeRejected, parse_resume_bytes

    try:
        parsed = parse_resume_bytes(
            data,
            taxonomy=selectors.taxonomy_current(),
            max_bytes=settings.VETTA_RESUME_MAX_BYTES,
            max_pages=settings.VETTA_RESUME_MAX_PAGES,
            timeout_s=settings.VETTA_RESUME_PARSE_TIMEOUT_S,
            memory_mb=settings.VETTA_RESUME_PARSE_MEMORY_MB,
        )
    except ResumeRejected as rejection:
        raise DomainError(rejection.message, code=rejection.code) from None
    parse = parsed.to_dict()
    with transaction.atomic():
        Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
        last = Resume.objects.filter(candidate=candidate).order_by("-version").first()
        version = (last.version if last else 0) + 1
        Resume.objects.filter(candidate=candidate, is_current=True).update(is_current=False)
        resume = Resume(
            candidate=candidate,
            version=version,
            original_name=filename[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            size_bytes=len(data),
            page_count=parse.get("page_count", 0),
            parsed=parse,
            parser_version=str(parse.get("parser_version", "")),
            is_current=True,
        )
        resume.file.save(f"v{version}.pdf", ContentFile(data), save=False)
        resume.save()
        transaction.on_commit(lambda: _matching_refresh(candidate.pk))
    return resume


def resume_facts(resume: Resume) -> ResumeFacts:
    """What the interviewer needs to know of a parsed resume."""
    return resume_facts_from_parse(resume.parsed or {})


def resume_facts_from_parse(parsed: dict) -> ResumeFacts:
    bullets_by_section: dict[str, list[str]] = {}
    for bullet in parsed.get("bullets", []):
        bullets_by_section.setdefault(bullet.get("section", ""), []).append(bullet.get("text", ""))
    roles = tuple(
        Role(
            title=r.get("title") or "",
            employer=r.get("employer") or "",
            bullets=tuple(r.get("bullets") or ()),
            skills=tuple(r.get("skills") or ()),
        )
        for r in parsed.get("roles", [])
    )
    return ResumeFacts(
        roles=roles,
        skills=tuple(s["slug"] for s in parsed.get("skills", []) if "slug" in s),
        projects=tuple(bullets_by_section.get("projects", [])),
    )


# --- attempts ---------------------------------------------------------------------------


def attempt_start(*, candidate: Candidate, domain: Domain, now: datetime | None = None) -> Attempt:
    """Create the attempt (it counts from here). Two simultaneous starts get one attempt."""
    resume = selectors.current_resume(candidate=candidate)
    if resume is None:
        raise DomainError("Upload your resume before you start an interview.", code="no_resume")
    if not domain.active:
        raise DomainError("Interviews in this domain are closed for now.", code="domain_inactive")
    with transaction.atomic():
        # Serialises every start of this candidate: the checks below see committed state.
        Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
        now = now or timezone.now()
        eligibility = start_eligibility(candidate=candidate, domain=domain, now=now)
        if eligibility.open_attempt_id is not None:
            existing = Attempt.objects.get(pk=eligibility.open_attempt_id)
            if existing.domain_id == domain.pk:
                return existing  # the other tab's attempt: resume it, don't start a second
        if not eligibility.allowed:
            raise DomainError(eligibility.reason, code="not_eligible")
        seed = random.SystemRandom().randrange(1, 2**31)
        plan = _make_plan(domain=domain, resume=resume, seed=seed)
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    candidate=candidate,
                    domain=domain,
                    resume=resume,
                    cycle=eligibility.cycle,
                    seed=seed,
                    plan=dataclasses.asdict(plan),
                    created_at=now,
                )
        except IntegrityError:
            # The partial unique index caught a concurrent start the lock did not (SQLite).
            concurrent = Attempt.objects.filter(
                candidate=candidate, state__in=OPEN_ATTEMPT_STATES
            ).first()
            if concurrent and concurrent.domain_id == domain.pk:
                return concurrent
            raise DomainError(
                "You already have an interview in progress.", code="open_attempt"
            ) from None
    return attempt


def _make_plan(*, domain: Domain, resume: Resume, seed: int) -> InterviewPlan:
    from interviews.engine.plan import make_plan

    return make_plan(domain=domain.slug, resume=resume_facts(resume), seed=seed)


def plan_of(attempt: Attempt) -> InterviewPlan:
    data = dict(attempt.plan)
    slots = tuple(PlannedSlot(**slot) for slot in data.pop("slots", []))
    return InterviewPlan(slots=slots, **data)


def attempt_begin(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """After the countdown: the 20-minute clock starts and the first question is chosen."""
    now = now or timezone.now()
    plan = plan_of(attempt)
    updated = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.NOT_STARTED).update(
        state=AttemptState.IN_PROGRESS,
        started_at=now,
        deadline_at=now + timedelta(seconds=plan.total_seconds),
    )
    attempt.refresh_from_db()
    if not updated and attempt.state != AttemptState.IN_PROGRESS:
        raise DomainError("This interview has already ended.", code="attempt_closed")
    return attempt


def _history(attempt: Attempt) -> list[tuple[AskedQuestion, ScoreResult | None]]:
    history: list[tuple[AskedQuestion, ScoreResult | None]] = []
    for q in selectors.attempt_questions(attempt=attempt):
        asked = AskedQuestion(
            qid=q.key,
            text=q.text,
            category=q.category,
            difficulty=q.difficulty,
            skills=tuple(q.skills),
            expected_concepts=tuple(q.expected_concepts),
            backend=q.backend,
            reason=q.reason,
            segment=q.segment,
            resume_claims=tuple(q.resume_claims),
        )
        answer = getattr(q, "answer", None)
        score = getattr(answer, "score", None) if answer else None
        history.append((asked, score_result_of(score, answer) if (score or answer) else None))
    return history


def score_result_of(score: Score | None, answer: Answer | None) -> ScoreResult | None:
    """The engine's view of a stored score (with the transcript the interviewer reads)."""
    if score is None:
        return None
    result = ScoreResult(
        fluency=SubScore(score.fluency),
        technical_accuracy=SubScore(score.technical_accuracy),
        coherence=SubScore(score.coherence),
        conciseness=SubScore(score.conciseness),
        overall=score.overall,
        evidence={**score.evidence, "transcript": answer.transcript if answer else ""},
        rubric_version=score.rubric_version,
        backend=score.backend,
    )
    return result


def seen_question_keys(*, candidate: Candidate, domain: Domain, exclude: Attempt) -> set[str]:
    return set(
        Question.objects.filter(attempt__candidate=candidate, attempt__domain=domain)
        .exclude(attempt=exclude)
        .values_list("key", flat=True)
    )


class Waiting:
    """The previous answer is still being scored; ask again in a moment."""

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = retry_after_s


def question_next(*, attempt: Attempt, now: datetime | None = None) -> Question | Waiting | None:
    """The question the candidate should answer now; ``None`` when the interview is over.

    Idempotent: asking again returns the same unanswered question (a reconnecting tab
    resumes where it was). Adaptivity needs the previous answer's score, so this waits
    for it, but never longer than ``VETTA_NEXT_QUESTION_WAIT_S`` after its upload.
    """
    now = now or timezone.now()
    attempt.refresh_from_db()
    if attempt.state != AttemptState.IN_PROGRESS:
        return None
    if attempt.deadline_at and now >= attempt.deadline_at:
        attempt_submit(attempt=attempt, now=now)
        return None
    current = selectors.current_question(attempt=attempt)
    if current is not None:
        return current
    plan = plan_of(attempt)
    questions = selectors.attempt_questions(attempt=attempt)
    if len(questions) >= plan.planned_count:
        attempt_submit(attempt=attempt, now=now)
        return None
    waited_out = False
    if questions:
        previous = getattr(questions[-1], "answer", None)
        if previous is not None and previous.status in (
            AnswerStatus.UPLOADED,
            AnswerStatus.TRANSCRIBED,
        ):
            bound = settings.VETTA_NEXT_QUESTION_WAIT_S
            waited = (now - previous.submitted_at).total_seconds()
            if waited < bound:
                return Waiting(retry_after_s=min(0.5, bound - waited))
            waited_out = True
    return _ask(
        attempt=attempt, plan=plan, position=len(questions) + 1, waited_out=waited_out, now=now
    )


def _ask(
    *, attempt: Attempt, plan: InterviewPlan, position: int, waited_out: bool, now: datetime
) -> Question:
    resume = attempt.resume
    asked = _interviewer(attempt.candidate).next_question(
        plan=plan,
        bank=selectors.bank_for(attempt.domain),
        resume=resume_facts(resume),
        history=_history(attempt),
        seen_question_ids=seen_question_keys(
            candidate=attempt.candidate, domain=attempt.domain, exclude=attempt
        ),
        seed=attempt.seed,
        # Follow-ups on skills the candidate named work even before that answer is scored.
        answer_texts=list(
            Answer.objects.filter(question__attempt=attempt)
            .order_by("question__position")
            .values_list("transcript", flat=True)
        ),
    )
    reason = asked.reason
    if waited_out:
        reason = (
            f"{reason}; chosen without the previous answer's score (scoring took too long)".lstrip(
                "; "
            )
        )
    try:
        with transaction.atomic():
            return Question.objects.create(
                attempt=attempt,
                position=position,
                key=asked.qid,
                category=asked.category,
                segment=asked.segment,
                difficulty=asked.difficulty,
                text=asked.text,
                expected_concepts=list(asked.expected_concepts),
                skills=list(asked.skills),
                resume_claims=list(asked.resume_claims),
                backend=asked.backend,
                reason=reason[:255],
                asked_at=now,
            )
    except IntegrityError:
        # Another request asked this position first: both get the same question.
        return Question.objects.get(attempt=attempt, position=position)


def attempt_submit(*, attempt: Attempt, now: datetime | None = None) -> None:
    """The interview is over (last answer in, or the clock ran out): scoring can finish."""
    now = now or timezone.now()
    updated = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.IN_PROGRESS).update(
        state=AttemptState.SUBMITTED, finished_at=now
    )
    if updated:
        from interviews.tasks import finalize_attempt

        finalize_attempt.delay_on_commit(attempt.pk)


def attempt_abandon(*, attempt: Attempt, now: datetime | None = None) -> None:
    """Left before it began: the attempt counts, and there is nothing to score."""
    now = now or timezone.now()
    Attempt.objects.filter(pk=attempt.pk, state=AttemptState.NOT_STARTED).update(
        state=AttemptState.ABANDONED, finished_at=now
    )


def integrity_event_record(
    *, attempt: Attempt, kind: str, question_position: int | None, detail: dict
) -> None:
    if attempt.state not in OPEN_ATTEMPT_STATES:
        return
    IntegrityEvent.objects.create(
        attempt=attempt, kind=kind[:40], question_position=question_position, detail=detail
    )


# --- answers ----------------------------------------------------------------------------


def _guard_answer(*, attempt: Attempt, question_id: int, now: datetime) -> Question:
    if attempt.state != AttemptState.IN_PROGRESS:
        raise DomainError(
            "This interview has ended; the answer was not recorded.", code="attempt_closed"
        )
    if attempt.deadline_at and now > attempt.deadline_at + timedelta(seconds=UPLOAD_GRACE_S):
        raise DomainError(
            "The 20 minutes are over; the answer was not recorded.", code="clock_over"
        )
    question = Question.objects.filter(attempt=attempt, pk=question_id).first()
    if question is None:
        raise DomainError("That question is not part of this interview.", code="unknown_question")
    if Answer.objects.filter(question=question).exists():
        raise DomainError("This question has already been answered.", code="already_answered")
    current = selectors.current_question(attempt=attempt)
    if current is None or current.pk != question.pk:
        raise DomainError("That is not the current question.", code="not_current")
    return question


def answer_submit_audio(
    *,
    attempt: Attempt,
    question_id: int,
    data: bytes,
    declared_type: str,
    now: datetime | None = None,
) -> Answer:
    """Check the recording, store it, then enqueue transcription (after commit).

    Bad files are refused with a clear sentence and change nothing (the question stays
    current, so the browser can retry). A silent recording is an unanswered question.
    """
    from interviews.engine.audio import AudioRejected, inspect_audio

    now = now or timezone.now()
    question = _guard_answer(attempt=attempt, question_id=question_id, now=now)
    try:
        info = inspect_audio(
            data,
            declared_type=declared_type,
            max_bytes=settings.VETTA_AUDIO_MAX_BYTES,
            max_duration_s=settings.VETTA_ANSWER_CAP_S + settings.VETTA_ANSWER_CAP_SLACK_S,
        )
    except AudioRejected as rejection:
        raise DomainError(rejection.message, code=rejection.code) from None
    with transaction.atomic():
        answer = Answer(
            question=question,
            audio_type=declared_type[:80],
            audio_bytes=len(data),
            duration_s=round(info.duration_s, 2),
            submitted_at=now,
            status=AnswerStatus.UNANSWERED if info.is_silent else AnswerStatus.UPLOADED,
        )
        answer.audio.save(f"answer.{info.container}", ContentFile(data), save=False)
        try:
            with transaction.atomic():
                answer.save()
        except IntegrityError:
            raise DomainError(
                "This question has already been answered.", code="already_answered"
            ) from None
        if info.is_silent:
            _score_unanswered(answer, reason="silence: no speech in the recording")
            draft_discard(question_id=question.pk)
        else:
            from interviews.tasks import transcribe_answer

            transcribe_answer.delay_on_commit(answer.pk)
        _submit_if_last(attempt=attempt, question=question, now=now)
    return answer


def answer_draft_append(
    *,
    attempt: Attempt,
    question_id: int,
    offset: int,
    data: bytes,
    now: datetime | None = None,
) -> AnswerDraft:
    """Append part of the recording in progress, so the worker can transcribe as it grows.

    The browser sends what MediaRecorder has produced since the last confirmed byte. A retry
    of bytes already here stores nothing; a gap is refused with how much was received, so the
    browser resends from there. Drafts are an optimisation: the final upload is the authority.
    """
    from interviews.engine.audio import MESSAGES as AUDIO_MESSAGES
    from interviews.engine.audio import sniff_container

    now = now or timezone.now()
    if attempt.typed_answers:
        raise DomainError("This interview takes typed answers.", code="typed_only")
    question = _guard_answer(attempt=attempt, question_id=question_id, now=now)
    if not data:
        raise DomainError("The part was empty.", code="empty")
    if offset + len(data) > settings.VETTA_AUDIO_MAX_BYTES:
        raise DomainError(AUDIO_MESSAGES["too_large"], code="too_large")
    if offset == 0 and sniff_container(data) is None:
        raise DomainError(AUDIO_MESSAGES["not_audio"], code="not_audio")
    try:
        with transaction.atomic():
            AnswerDraft.objects.get_or_create(question=question)
    except IntegrityError:
        pass  # created meanwhile by a concurrent request
    with transaction.atomic():
        draft = (
            AnswerDraft.objects.select_for_update(of=("self",))
            .select_related("question")
            .get(question=question)
        )
        if offset == 0 and draft.size and not _draft_starts_with(draft, data):
            _draft_restart(draft)  # a new recording of this question: record again, a reload
        if offset > draft.size:
            raise DraftGapError(received=draft.size)
        if offset < draft.size:
            return draft  # a retry of bytes already received
        name = default_storage.save(draft.part_name(offset), ContentFile(data))
        try:
            draft.parts = [*draft.parts, name]
            draft.size += len(data)
            draft.save(update_fields=["parts", "size", "updated_at"])
        except Exception:
            default_storage.delete(name)
            raise
        from interviews.tasks import transcribe_draft

        transcribe_draft.delay_on_commit(draft.pk)
    return draft


class DraftGapError(DomainError):
    """A part that doesn't start where the received bytes end."""

    code = "draft_gap"

    def __init__(self, *, received: int) -> None:
        super().__init__(f"Parts must follow each other: {received} bytes received so far.")
        self.received = received


def _draft_starts_with(draft: AnswerDraft, data: bytes) -> bool:
    """Whether `data` begins the recording the draft holds (compared over its first part)."""
    with default_storage.open(draft.parts[0], "rb") as handle:
        first = handle.read(len(data))
    return data[: len(first)] == first


def _draft_restart(draft: AnswerDraft) -> None:
    names = list(draft.parts)
    draft.parts, draft.size, draft.words, draft.passes = [], 0, [], []
    draft.covered_bytes, draft.covered_sha256, draft.covered_s, draft.elapsed_s = 0, "", 0.0, 0.0
    draft.save()
    transaction.on_commit(lambda: _delete_files(names))


def draft_discard(*, question_id: int) -> None:
    """Forget the recording in progress of a question: the row now, its files after commit."""
    with transaction.atomic():
        draft = (
            AnswerDraft.objects.select_for_update(of=("self",))
            .filter(question_id=question_id)
            .first()
        )
        if draft is None:
            return
        names = list(draft.parts)
        draft.delete()
        transaction.on_commit(lambda: _delete_files(names))


def drafts_discard_stale(*, now: datetime | None = None) -> int:
    """Drafts nobody will use: the room sends a part every few seconds while recording and
    the upload's transcription takes seconds, so a draft untouched for 10 minutes is dead
    (a question skipped by a closed tab, an attempt that timed out, a worker that was down)."""
    now = now or timezone.now()
    stale = AnswerDraft.objects.filter(updated_at__lt=now - timedelta(minutes=DRAFT_STALE_MIN))
    count = 0
    for question_id in stale.values_list("question_id", flat=True):
        with transaction.atomic():
            draft_discard(question_id=question_id)
        count += 1
    return count


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            log.exception("Could not delete draft part %s; drafts_discard_stale retries", name)


def answer_submit_text(
    *, attempt: Attempt, question_id: int, text: str, now: datetime | None = None
) -> Answer:
    """A typed answer, for candidates granted that accommodation by staff."""
    now = now or timezone.now()
    if not attempt.typed_answers:
        raise DomainError("This interview takes spoken answers.", code="typed_not_allowed")
    question = _guard_answer(attempt=attempt, question_id=question_id, now=now)
    text = text.strip()[:20000]
    with transaction.atomic():
        try:
            with transaction.atomic():
                answer = Answer.objects.create(
                    question=question,
                    typed=True,
                    transcript=text,
                    submitted_at=now,
                    transcribed_at=now,
                    status=AnswerStatus.TRANSCRIBED if text else AnswerStatus.UNANSWERED,
                )
        except IntegrityError:
            raise DomainError(
                "This question has already been answered.", code="already_answered"
            ) from None
        if text:
            from interviews.tasks import grade_answer

            grade_answer.delay_on_commit(answer.pk)
        else:
            _score_unanswered(answer, reason="empty typed answer")
        draft_discard(question_id=question.pk)
        _submit_if_last(attempt=attempt, question=question, now=now)
    return answer


def question_skip(*, attempt: Attempt, question_id: int, now: datetime | None = None) -> Answer:
    """Skipping (or running out of time with nothing recorded) is an unanswered question."""
    now = now or timezone.now()
    question = _guard_answer(attempt=attempt, question_id=question_id, now=now)
    with transaction.atomic():
        try:
            with transaction.atomic():
                answer = Answer.objects.create(
                    question=question, status=AnswerStatus.UNANSWERED, submitted_at=now
                )
        except IntegrityError:
            raise DomainError(
                "This question has already been answered.", code="already_answered"
            ) from None
        _score_unanswered(answer, reason="skipped")
        draft_discard(question_id=question.pk)
        _submit_if_last(attempt=attempt, question=question, now=now)
    return answer


def answer_mark_unanswered(*, answer_id: int, reason: str) -> None:
    """Nothing usable was said (silence, no words recognised): the question scores zero."""
    answer = Answer.objects.get(pk=answer_id)
    Answer.objects.filter(pk=answer_id).update(status=AnswerStatus.UNANSWERED)
    _score_unanswered(answer, reason=reason)


def _submit_if_last(*, attempt: Attempt, question: Question, now: datetime) -> None:
    if question.position >= plan_of(attempt).planned_count:
        attempt_submit(attempt=attempt, now=now)


def _score_unanswered(answer: Answer, *, reason: str) -> Score:
    from interviews.engine.grader import RUBRIC_VERSION, empty_score

    result = empty_score(reason=reason)
    score, _ = Score.objects.get_or_create(
        answer=answer,
        defaults=_score_fields(result) | {"rubric_version": RUBRIC_VERSION},
    )
    return score


def _score_fields(result: ScoreResult) -> dict:
    return {
        **result.sub_scores(),
        "evidence": result.evidence_by_dimension(),
        "rubric_version": result.rubric_version,
        "backend": result.backend,
    }


def answer_input(answer: Answer) -> AnswerInput:
    question = answer.question
    return AnswerInput(
        question=question.text,
        category=question.category,
        transcript=answer.transcript,
        duration_s=answer.duration_s,
        expected_concepts=tuple(question.expected_concepts),
        words=tuple((w[0], float(w[1]), float(w[2])) for w in answer.words),
        typed=answer.typed,
        skills=tuple(question.skills),
        domain=question.attempt.domain.slug,
    )


def answer_grade(*, answer: Answer) -> Score:
    """Score one answer with the configured grader (idempotent: an existing score stands)."""
    existing = Score.objects.filter(answer=answer).first()
    if existing is not None:
        return existing
    grader = _grader(answer.question.attempt.candidate)
    result = grader.grade(answer_input(answer), taxonomy=selectors.taxonomy_current())
    with transaction.atomic():
        score, _ = Score.objects.get_or_create(answer=answer, defaults=_score_fields(result))
        Answer.objects.filter(pk=answer.pk).exclude(status=AnswerStatus.UNANSWERED).update(
            status=AnswerStatus.SCORED
        )
    return score


def _openai_config():
    """The OpenAI-compatible endpoint when ``VETTA_AI_BACKEND=openai``, else ``None``."""
    if settings.VETTA_AI_BACKEND != "openai":
        return None
    from interviews.engine.openai_backend import OpenAIConfig

    return OpenAIConfig(
        base_url=settings.OPENAI_BASE_URL,
        model=settings.OPENAI_MODEL,
        api_key=settings.OPENAI_API_KEY or "unused",
        timeout_s=settings.VETTA_OPENAI_TIMEOUT_S,
    )


def _candidate_names(candidate: Candidate) -> tuple[str, ...]:
    user = candidate.user
    return tuple(n for n in (user.first_name, user.last_name, user.get_full_name()) if n)


def _grader(candidate: Candidate | None = None):
    """The configured grader; the OpenAI one falls back to the built-in one on any failure."""
    from interviews.engine.grader import default_grader

    config = _openai_config()
    if config is None:
        return default_grader()
    from interviews.engine.openai_backend import OpenAIGrader

    names = _candidate_names(candidate) if candidate else ()
    return OpenAIGrader(config, fallback=default_grader(), candidate_names=names)


def _interviewer(candidate: Candidate):
    from interviews.engine.interviewer import BuiltinInterviewer

    builtin = BuiltinInterviewer(taxonomy=selectors.taxonomy_current())
    config = _openai_config()
    if config is None:
        return builtin
    from interviews.engine.openai_backend import OpenAIInterviewer

    return OpenAIInterviewer(config, fallback=builtin, candidate_names=_candidate_names(candidate))


# --- finishing, release, expiry ----------------------------------------------------------


def attempt_finalize(*, attempt: Attempt, now: datetime | None = None) -> bool:
    """Score the attempt once every answer is settled; returns whether it is scored now."""
    from interviews.engine.tiering import (
        attempt_score,
        decide_tier,
        max_difficulty_reached,
        resume_verification_agrees,
    )
    from interviews.engine.types import TierThresholds

    now = now or timezone.now()
    if attempt.state not in (AttemptState.SUBMITTED, AttemptState.SCORING):
        return attempt.state in (AttemptState.SCORED, AttemptState.RELEASED)
    questions = selectors.attempt_questions(attempt=attempt)
    pending = [
        q
        for q in questions
        if getattr(q, "answer", None) is not None
        and not hasattr(q.answer, "score")
        and q.answer.status != AnswerStatus.FAILED
    ]
    if pending:
        Attempt.objects.filter(pk=attempt.pk, state=AttemptState.SUBMITTED).update(
            state=AttemptState.SCORING
        )
        return False
    plan = plan_of(attempt)
    scores = [
        score_result_of(
            getattr(getattr(q, "answer", None), "score", None), getattr(q, "answer", None)
        )
        for q in questions
    ]
    difficulties = [q.difficulty for q in questions]
    categories = [q.category for q in questions]
    score = attempt_score(plan.planned_count, scores, difficulties, categories=categories)
    policy = policy_for(attempt.domain)
    thresholds = TierThresholds(
        qualified=policy.qualified_threshold,
        expert=policy.expert_threshold,
        verified=policy.verified_threshold,
        verified_min_difficulty=policy.verified_min_difficulty,
        foundational_cap=policy.foundational_cap,
    )
    history = _history(attempt)
    verified = resume_verification_agrees(
        resume=resume_facts(attempt.resume),
        answers=[
            (asked, sr, q.answer.transcript if hasattr(q, "answer") else "")
            for (asked, _), q, sr in zip(history, questions, scores, strict=True)
        ],
        taxonomy=selectors.taxonomy_current(),
    )
    max_difficulty = max_difficulty_reached(scores, difficulties, categories)
    result = decide_tier(
        score=score, max_difficulty=max_difficulty, resume_verified=verified, thresholds=thresholds
    )
    release_at = now
    if policy.release_mode == ReleaseMode.REVIEW_WINDOW:
        release_at = now + timedelta(hours=policy.review_window_hours)
    with transaction.atomic():
        updated = Attempt.objects.filter(
            pk=attempt.pk, state__in=[AttemptState.SUBMITTED, AttemptState.SCORING]
        ).update(
            state=AttemptState.SCORED,
            score=round(result.score, 2),
            tier=result.tier,
            max_difficulty=result.max_difficulty_reached,
            tier_reasons=result.reasons,
        )
        if not updated:
            return True
        credential = credential_stage(
            attempt_id=attempt.pk, tier=result.tier, score=result.score, release_at=release_at
        )
    if release_at <= now and credential.status == CredentialStatus.PENDING:
        credential_release(credential_id=credential.pk, now=now)
    return True


def credential_stage(
    *, attempt_id: int, tier: str, score: float, release_at: datetime
) -> Credential:
    """Create the attempt's credential, awaiting release. The latest finished attempt stands.

    The earlier tier keeps standing (and matching) until this one is released; a result that
    arrives after a later attempt's result never stands.
    """
    attempt = Attempt.objects.select_related("candidate", "domain").get(pk=attempt_id)
    # Serialise credential writes of this candidate (two results finalising at once).
    Candidate.objects.select_for_update().filter(pk=attempt.candidate_id).first()
    siblings = Credential.objects.filter(candidate=attempt.candidate, domain=attempt.domain)
    newer = siblings.filter(
        status__in=[CredentialStatus.PENDING, CredentialStatus.ACTIVE],
        attempt__created_at__gt=attempt.created_at,
    ).exists()
    if not newer:
        siblings.filter(status=CredentialStatus.PENDING).update(status=CredentialStatus.SUPERSEDED)
    return Credential.objects.create(
        candidate=attempt.candidate,
        domain=attempt.domain,
        attempt=attempt,
        tier=tier,
        score=round(score, 2),
        status=CredentialStatus.SUPERSEDED if newer else CredentialStatus.PENDING,
        release_at=release_at,
    )


def credentials_release_due(*, now: datetime | None = None) -> int:
    """Release every pending credential whose time has come (safe to run concurrently)."""
    now = now or timezone.now()
    released = 0
    due = list(
        Credential.objects.filter(status=CredentialStatus.PENDING, release_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for credential_id in due:
        if credential_release(credential_id=credential_id, now=now):
            released += 1
    return released


def credential_release(*, credential_id: int, now: datetime | None = None) -> bool:
    """Show the tier to the candidate and to matching; the earlier tier is replaced.

    Returns whether this call released it (a second call, or a concurrent one, does nothing).
    """
    now = now or timezone.now()
    with transaction.atomic():
        credential = (
            Credential.objects.select_for_update(of=("self",))
            .select_related("domain", "attempt")
            .filter(pk=credential_id, status=CredentialStatus.PENDING, release_at__lte=now)
            .first()
        )
        if credential is None:
            return False
        policy = policy_for(credential.domain)
        # The latest finished attempt stands, even when its tier is lower.
        Credential.objects.filter(
            candidate_id=credential.candidate_id,
            domain=credential.domain,
            status=CredentialStatus.ACTIVE,
        ).update(status=CredentialStatus.SUPERSEDED)
        credential.status = CredentialStatus.ACTIVE
        credential.released_at = now
        credential.valid_until = now + policy.validity
        credential.save(update_fields=["status", "released_at", "valid_until"])
        Attempt.objects.filter(pk=credential.attempt_id, state=AttemptState.SCORED).update(
            state=AttemptState.RELEASED
        )
        candidate_id, domain_id = credential.candidate_id, credential.domain_id
        transaction.on_commit(lambda: _after_release(credential_id), robust=True)
        transaction.on_commit(lambda: _matching_refresh(candidate_id, domain_id), robust=True)
    return True


def _after_release(credential_id: int) -> None:
    from interviews.notifications import credential_released

    credential_released(credential_id=credential_id)


def credentials_expire(*, now: datetime | None = None) -> int:
    """Expire tiers past their validity. A conditional update: each expires exactly once.

    Runs as a periodic task; two runs at once (or a run racing a release) cannot expire a
    tier twice, because only the update that still finds it active wins.
    """
    now = now or timezone.now()
    expired = 0
    due = list(
        Credential.objects.filter(status=CredentialStatus.ACTIVE, valid_until__lte=now).values_list(
            "pk", "candidate_id", "domain_id"
        )
    )
    for credential_id, candidate_id, domain_id in due:
        with transaction.atomic():
            won = Credential.objects.filter(
                pk=credential_id, status=CredentialStatus.ACTIVE, valid_until__lte=now
            ).update(status=CredentialStatus.EXPIRED, expired_notice_sent_at=now)
            if won:
                expired += 1
                transaction.on_commit(partial(_after_expiry, credential_id), robust=True)
                transaction.on_commit(
                    partial(_matching_refresh, candidate_id, domain_id), robust=True
                )
    return expired


def _after_expiry(credential_id: int) -> None:
    from interviews.notifications import credential_expired

    credential_expired(credential_id=credential_id)


def expiry_reminders_send(*, now: datetime | None = None) -> int:
    """Tell candidates N days before their tier expires; each reminder is claimed, sent once.

    A Declined result has nothing to lose at expiry, so it gets no reminder (the expiry
    e-mail still tells the candidate that a new cycle is open).
    """
    from interviews.notifications import credential_expiry_reminder

    now = now or timezone.now()
    sent = 0
    for domain in Domain.objects.select_related("policy"):
        policy = policy_for(domain)
        due = (
            Credential.objects.filter(
                domain=domain,
                status=CredentialStatus.ACTIVE,
                reminder_sent_at__isnull=True,
                valid_until__gt=now,
                valid_until__lte=now + timedelta(days=policy.reminder_days),
            )
            .exclude(tier=Tier.DECLINED)
            .values_list("pk", flat=True)
        )
        for credential_id in list(due):
            with transaction.atomic():
                claimed = Credential.objects.filter(
                    pk=credential_id,
                    status=CredentialStatus.ACTIVE,
                    reminder_sent_at__isnull=True,
                ).update(reminder_sent_at=now)
                if claimed:
                    sent += 1
                    transaction.on_commit(
                        partial(credential_expiry_reminder, credential_id=credential_id),
                        robust=True,
                    )
    return sent


def attempts_sweep(*, now: datetime | None = None) -> int:
    """Close attempts whose clock ran out, and abandon ones never begun (both still count)."""
    now = now or timezone.now()
    closed = 0
    overdue = Attempt.objects.filter(
        state=AttemptState.IN_PROGRESS, deadline_at__lt=now - timedelta(seconds=UPLOAD_GRACE_S)
    )
    for attempt in overdue:
        attempt_submit(attempt=attempt, now=now)
        closed += 1
    stale = now - timedelta(minutes=settings.VETTA_ATTEMPT_BEGIN_WITHIN_MIN)
    closed += Attempt.objects.filter(state=AttemptState.NOT_STARTED, created_at__lt=stale).update(
        state=AttemptState.ABANDONED, finished_at=now
    )
    drafts_discard_stale(now=now)
    return closed


def _matching_refresh(candidate_id: int, domain_id: int | None = None) -> None:
    """Keep the candidate's matching profile current (the matching app owns it)."""
    try:
        from matching.services import match_profile_refresh
    except ImportError:
        return
    match_profile_refresh(candidate_id=candidate_id, domain_id=domain_id)


# --- contests and staff decisions ------------------------------------------------------------

CONTEST_REASON_MIN_CHARS = 30


def contest_open(
    *, candidate: Candidate, credential_id: int, reason: str, now: datetime | None = None
) -> Contest:
    """The candidate contests a released tier: once per credential, with a written reason."""
    now = now or timezone.now()
    reason = reason.strip()
    if len(reason) < CONTEST_REASON_MIN_CHARS:
        raise DomainError(
            f"Tell us in at least {CONTEST_REASON_MIN_CHARS} characters why the tier is wrong.",
            code="reason_too_short",
        )
    with transaction.atomic():
        credential = (
            Credential.objects.select_for_update(of=("self",))
            .select_related("domain")
            .filter(pk=credential_id, candidate=candidate)
            .first()
        )
        if credential is None:
            raise DomainError("There is no such tier.", code="not_found")
        if Contest.objects.filter(credential=credential).exists():
            raise DomainError("You have already contested this tier.", code="already_contested")
        if credential.status != CredentialStatus.ACTIVE:
            raise DomainError(
                "Only a released tier that is still valid can be contested.", code="not_active"
            )
        closes_at = contest_closes_at(credential=credential, policy=policy_for(credential.domain))
        if closes_at is not None and closes_at <= now:
            raise DomainError(
                "The time to contest this tier has passed.", code="contest_window_closed"
            )
        try:
            with transaction.atomic():
                contest = Contest.objects.create(
                    credential=credential,
                    reason=reason[:5000],
                    tier_at_contest=credential.tier,
                    created_at=now,
                )
        except IntegrityError:
            raise DomainError(
                "You have already contested this tier.", code="already_contested"
            ) from None
        transaction.on_commit(lambda: _after_contest_opened(contest.pk), robust=True)
    return contest


def _after_contest_opened(contest_id: int) -> None:
    from interviews.notifications import contest_received

    contest_received(contest_id=contest_id)


def contest_decide(
    *,
    contest_id: int,
    actor,
    confirm: bool,
    reason: str,
    new_tier: str = "",
    now: datetime | None = None,
) -> Contest:
    """Staff confirm the tier or change it, with a written reason; audited; candidate told."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise DomainError("Write the reason for the decision.", code="reason_required")
    if not confirm and new_tier not in Tier.values:
        raise DomainError("Choose the tier the credential changes to.", code="tier_required")
    with transaction.atomic():
        contest = (
            Contest.objects.select_for_update(of=("self",))
            .filter(pk=contest_id, status=ContestStatus.OPEN)
            .first()
        )
        if contest is None:
            raise DomainError("This contest has already been decided.", code="already_decided")
        credential = Credential.objects.select_for_update(of=("self",)).get(
            pk=contest.credential_id
        )
        before_tier = credential.tier
        if not confirm and new_tier == before_tier:
            raise DomainError(
                "The new tier is the current tier: confirm it instead.", code="same_tier"
            )
        after_tier = before_tier if confirm else new_tier
        if not confirm:
            credential.tier = new_tier
            credential.save(update_fields=["tier"])
        contest.status = ContestStatus.CONFIRMED if confirm else ContestStatus.CHANGED
        contest.new_tier = "" if confirm else new_tier
        contest.decided_by = actor
        contest.decision_reason = reason
        contest.decided_at = now
        contest.save(
            update_fields=["status", "new_tier", "decided_by", "decision_reason", "decided_at"]
        )
        AuditEntry.objects.create(
            actor=actor,
            action="contest_confirmed" if confirm else "contest_tier_changed",
            object_type="Credential",
            object_id=str(credential.pk),
            before={"tier": before_tier, "contest": contest.pk, "contest_status": "open"},
            after={"tier": after_tier, "contest": contest.pk, "contest_status": contest.status},
            reason=reason,
            at=now,
        )
        transaction.on_commit(lambda: _after_contest_decided(contest_id), robust=True)
        if not confirm:
            candidate_id, domain_id = credential.candidate_id, credential.domain_id
            transaction.on_commit(lambda: _matching_refresh(candidate_id, domain_id), robust=True)
    return contest


def _after_contest_decided(contest_id: int) -> None:
    from interviews.notifications import contest_decided

    contest_decided(contest_id=contest_id)


POLICY_FIELDS = tuple(
    f.name for f in DomainPolicy._meta.concrete_fields if f.name not in ("id", "domain")
)


def domain_policy_save(*, policy: DomainPolicy, actor, reason: str) -> DomainPolicy:
    """Save a staff edit of a domain's policy and audit what changed, and why."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Say why the policy changes.", code="reason_required")
    with transaction.atomic():
        before: dict = {}
        if policy.pk:
            before = (
                DomainPolicy.objects.select_for_update()
                .filter(pk=policy.pk)
                .values(*POLICY_FIELDS)
                .first()
            ) or {}
        policy.save()
        after = {name: getattr(policy, name) for name in POLICY_FIELDS}
        changed = [name for name in POLICY_FIELDS if not before or before[name] != after[name]]
        if changed:
            AuditEntry.objects.create(
                actor=actor,
                action="policy_changed" if before else "policy_created",
                object_type="DomainPolicy",
                object_id=str(policy.pk),
                before={"domain": policy.domain.slug, **{n: before[n] for n in changed if before}},
                after={"domain": policy.domain.slug, **{n: after[n] for n in changed}},
                reason=reason,
            )
    return policy
