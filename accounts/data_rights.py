"""Candidates' rights over their data: a full JSON export, and deleting the account.

What the export holds, and why (PRODUCT.md §6; a legal data-access right):

* account, profile, every resume version with its full parse, every attempt with its
  questions, transcripts, word timings, integrity events, and the tier decided;
* per-answer sub-scores (the four numbers, the overall, backend and rubric version). The
  portal shows only tiers, but an access request covers the assessment of the person;
  the grader's evidence and the questions' expected concepts stay out: they are the
  answer key of the question bank, not data about the candidate;
* credentials, and any override of them (when, before, after, why; the staff member is
  not named);
* voluntary demographic answers; and every other row that points at the candidate
  (offers, matches, contests, …) found through the model graph, so a new app's data is
  exported without anyone remembering to add it here.

Recordings are listed (type, size, whether still kept), not embedded.

Deleting an account first writes anonymised ``FairnessRecord`` rows (the bias audit must
still count those results), then deletes the rows, then, after the transaction commits,
every file under the candidate's resume and audio folders.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone

from accounts.errors import DomainError
from accounts.models import Candidate, Membership, User
from accounts.tenancy import scopes_disabled

log = logging.getLogger(__name__)

EXPORT_FORMAT = "vetta-candidate-export/1"


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def _row(obj: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        if isinstance(field, models.FileField):
            data[field.name] = bool(getattr(obj, field.name))
        elif field.is_relation:
            data[f"{field.name}_id"] = getattr(obj, field.attname)
        else:
            data[field.name] = _value(getattr(obj, field.name))
    return data


def candidate_data_export(*, candidate: Candidate) -> dict[str, Any]:
    from fairness.services import demographic_answer_of
    from interviews.models import Attempt, AuditEntry, Credential, Resume

    user = candidate.user
    resumes = [
        _row(r, exclude=("file",)) | {"file_kept": bool(r.file)}
        for r in Resume.objects.filter(candidate=candidate).order_by("version")
    ]
    attempts = []
    for attempt in (
        Attempt.objects.filter(candidate=candidate)
        .select_related("domain")
        .prefetch_related(
            "questions__answer__score",
            "integrity_events",
        )
        .order_by("created_at")
    ):
        questions = []
        for q in attempt.questions.all():
            answer = getattr(q, "answer", None)
            score = getattr(answer, "score", None) if answer else None
            questions.append(
                {
                    "position": q.position,
                    "category": q.category,
                    "segment": q.segment,
                    "difficulty": q.difficulty,
                    "text": q.text,
                    "asked_at": _value(q.asked_at),
                    "chosen_by": q.backend,
                    "answer": None
                    if answer is None
                    else {
                        "status": answer.status,
                        "typed": answer.typed,
                        "duration_s": answer.duration_s,
                        "submitted_at": _value(answer.submitted_at),
                        "transcript": answer.transcript,
                        "words": answer.words,
                        "recording": {
                            "type": answer.audio_type,
                            "bytes": answer.audio_bytes,
                            "kept": bool(answer.audio) and answer.audio_purged_at is None,
                            "purged_at": _value(answer.audio_purged_at),
                        },
                        "score": None
                        if score is None
                        else {
                            "fluency": score.fluency,
                            "technical_accuracy": score.technical_accuracy,
                            "coherence": score.coherence,
                            "conciseness": score.conciseness,
                            "overall": score.overall,
                            "graded_by": score.backend,
                            "rubric_version": score.rubric_version,
                        },
                    },
                }
            )
        attempts.append(
            {
                "id": attempt.pk,
                "domain": attempt.domain.name,
                "state": attempt.state,
                "cycle": attempt.cycle,
                "created_at": _value(attempt.created_at),
                "started_at": _value(attempt.started_at),
                "finished_at": _value(attempt.finished_at),
                "score": attempt.score,
                "tier": attempt.tier,
                "tier_reasons": attempt.tier_reasons,
                "max_difficulty": attempt.max_difficulty,
                "typed_answers": attempt.typed_answers,
                "questions": questions,
                "integrity_events": [
                    {"kind": e.kind, "question": e.question_position, "at": _value(e.at)}
                    for e in attempt.integrity_events.all()
                ],
            }
        )
    credentials = list(
        Credential.objects.filter(candidate=candidate).select_related("domain").order_by("pk")
    )
    overrides = AuditEntry.objects.filter(
        object_type="credential", object_id__in=[str(c.pk) for c in credentials]
    ).order_by("at")
    demographic = demographic_answer_of(candidate=candidate)
    handled = {"interviews.resume", "interviews.attempt", "interviews.credential"}
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _value(timezone.now()),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _value(user.date_joined),
            "last_login": _value(user.last_login),
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user)
            ],
        },
        "profile": _row(candidate, exclude=("user",)),
        "resumes": resumes,
        "attempts": attempts,
        "credentials": [
            {
                "id": c.pk,
                "domain": c.domain.name,
                "attempt_id": c.attempt_id,
                "tier": c.tier,
                "score": c.score,
                "status": c.status,
                "released_at": _value(c.released_at),
                "valid_until": _value(c.valid_until),
            }
            for c in credentials
        ],
        "tier_changes_by_staff": [
            {
                "credential_id": int(e.object_id),
                "at": _value(e.at),
                "action": e.action,
                "before": e.before,
                "after": e.after,
                "reason": e.reason,
            }
            for e in overrides
        ],
        "demographic_answers": None
        if demographic is None
        else {
            "sex": demographic.sex,
            "race_ethnicity": demographic.race_ethnicity,
            "answered_at": _value(demographic.answered_at),
            "updated_at": _value(demographic.updated_at),
        },
        "other_records": _related_rows(candidate, credentials, skip=handled),
    }


def _related_rows(
    candidate: Candidate, credentials: list, *, skip: set[str]
) -> dict[str, list[dict[str, Any]]]:
    """Rows of any model that points at the candidate or at one of their credentials."""
    from interviews.models import Credential

    targets: list[tuple[type[models.Model], list[Any]]] = [
        (Candidate, [candidate.pk]),
        (Credential, [c.pk for c in credentials]),
    ]
    found: dict[str, list[dict[str, Any]]] = {}
    # Offers and matches belong to client organizations; the candidate is reading their own
    # rows across every organization, filtered by the candidate, never by a tenant.
    with scopes_disabled():
        for model in apps.get_models():
            label = model._meta.label_lower
            if label in skip or model._meta.app_label == "fairness" or model is Candidate:
                continue
            for field in model._meta.concrete_fields:
                for target, ids in targets:
                    if field.is_relation and field.related_model is target and ids:
                        rows = model._base_manager.filter(**{f"{field.name}__in": ids})
                        found.setdefault(label, []).extend(_row(r) for r in rows)
    return {label: rows for label, rows in found.items() if rows}


def candidate_account_delete(*, user: User) -> int:
    """Delete the account, its data and its files. Returns how many files were removed."""
    from fairness.services import fairness_records_write
    from interviews.models import Answer, AnswerDraft, Attempt, AuditEntry, Resume

    with scopes_disabled():
        # A person's memberships across organizations: checked by person, not by tenant.
        if Membership.objects.filter(user=user).exists():
            raise DomainError(
                "You are a member of a client organization. Leave it (or hand over "
                "ownership) before you delete your account.",
                code="has_memberships",
            )
    candidate = Candidate.objects.filter(user=user).first()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        folders: list[str] = []
        files: list[str] = []
        if candidate is not None:
            fairness_records_write(candidate=candidate)
            attempt_ids = list(
                Attempt.objects.filter(candidate=candidate).values_list("pk", flat=True)
            )
            files += [
                name
                for name in Answer.objects.filter(question__attempt__candidate=candidate)
                .exclude(audio="")
                .values_list("audio", flat=True)
            ]
            files += [
                name
                for parts in AnswerDraft.objects.filter(
                    question__attempt__candidate=candidate
                ).values_list("parts", flat=True)
                for name in parts
            ]
            files += [
                name
                for name in Resume.objects.filter(candidate=candidate)
                .exclude(file="")
                .values_list("file", flat=True)
            ]
            folders = [f"resumes/{candidate.pk}"] + [f"audio/{pk}" for pk in attempt_ids]
            AuditEntry.objects.create(
                actor=None,
                action="account_deleted",
                object_type="candidate",
                object_id=str(candidate.pk),
                before={"attempts": len(attempt_ids)},
                after={"deleted": True},
                reason="The candidate deleted their account (data-rights request).",
            )
        try:
            if candidate is not None:
                # Attempts protect the resume versions they used: remove them first.
                Attempt.objects.filter(candidate=candidate).delete()
            user.delete()
        except (ProtectedError, RestrictedError) as error:
            log.warning("Account %s could not be deleted: %s", user.pk, error)
            raise DomainError(
                "Your account could not be deleted automatically. Write to support and "
                "we will delete it by hand.",
                code="delete_blocked",
            ) from None
        removed: list[int] = []
        transaction.on_commit(lambda: removed.append(_files_delete(files, folders)))
    return removed[0] if removed else 0


def _files_delete(files: list[str], folders: list[str]) -> int:
    """Delete the listed files and anything else left in the candidate's folders."""
    removed = 0
    names = set(files)
    for folder in folders:
        try:
            _, listed = default_storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        names.update(f"{folder}/{name}" for name in listed)
    for name in sorted(names):
        try:
            if default_storage.exists(name):
                default_storage.delete(name)
                removed += 1
        except OSError:
            log.exception("Could not delete %s of a deleted account", name)
    for folder in folders:
        with contextlib.suppress(OSError):
            default_storage.delete(folder)  # the now empty directory, on local disk
    return removed
