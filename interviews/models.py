"""Resumes, domains and their policies, attempts, questions, answers, scores, credentials.

Candidates are global, so nothing here is organization-owned. Policy numbers live in
``DomainPolicy`` rows so staff can change them without a deploy.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Candidate


class Tier(models.TextChoices):
    DECLINED = "declined", "Declined"
    QUALIFIED = "qualified", "Qualified"
    EXPERT = "expert", "Expert"
    VERIFIED_EXPERT = "verified_expert", "Verified Expert"


# Tiers that matching and offers read.
MATCHABLE_TIERS = (Tier.EXPERT, Tier.VERIFIED_EXPERT)
TIER_RANK = {Tier.DECLINED: 0, Tier.QUALIFIED: 1, Tier.EXPERT: 2, Tier.VERIFIED_EXPERT: 3}


class Domain(models.Model):
    """An interview field. Carries its question bank and its policy."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReleaseMode(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately after scoring"
    REVIEW_WINDOW = "review_window", "After a staff review window"


class DomainPolicy(models.Model):
    """Every policy number of PRODUCT.md §4 for one domain, editable by staff."""

    domain = models.OneToOneField(Domain, on_delete=models.CASCADE, related_name="policy")
    attempts_per_cycle = models.PositiveSmallIntegerField(default=3)
    wait_days = models.PositiveSmallIntegerField(
        default=30, help_text="Wait after any finished attempt."
    )
    validity_days = models.PositiveSmallIntegerField(
        default=180, help_text="How long a tier is valid."
    )
    reminder_days = models.PositiveSmallIntegerField(
        default=14, help_text="Expiry reminder, days before."
    )
    release_mode = models.CharField(
        max_length=20, choices=ReleaseMode.choices, default=ReleaseMode.IMMEDIATE
    )
    review_window_hours = models.PositiveSmallIntegerField(default=24)
    qualified_threshold = models.FloatField(default=50.0)
    expert_threshold = models.FloatField(default=70.0)
    verified_threshold = models.FloatField(default=85.0)
    verified_min_difficulty = models.PositiveSmallIntegerField(default=4)
    foundational_cap = models.PositiveSmallIntegerField(
        default=2, help_text="A candidate who never goes above this difficulty cannot reach Expert."
    )
    audio_retention_days = models.PositiveSmallIntegerField(
        default=180, help_text="Audio is purged this many days after release."
    )
    contest_window_days = models.PositiveSmallIntegerField(
        default=30, help_text="A released tier can be contested this many days after release."
    )

    class Meta:
        verbose_name_plural = "domain policies"

    def __str__(self) -> str:
        return f"Policy of {self.domain}"

    @property
    def wait(self) -> timedelta:
        return timedelta(days=self.wait_days)

    @property
    def validity(self) -> timedelta:
        return timedelta(days=self.validity_days)


class SkillKind(models.TextChoices):
    TOOL = "tool", "Tool"
    FRAMEWORK = "framework", "Framework"
    METHOD = "method", "Method"
    PLATFORM = "platform", "Platform"
    LANGUAGE = "language", "Language"
    CONCEPT = "concept", "Concept"


class Skill(models.Model):
    """A taxonomy entry, loaded from ``interviews/data/taxonomy.yaml`` and editable by staff."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=SkillKind.choices, default=SkillKind.TOOL)
    aliases = models.JSONField(default=list, blank=True)
    parents = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="children")
    domains = models.ManyToManyField(Domain, blank=True, related_name="skills")
    concepts = models.JSONField(
        default=list, blank=True, help_text="What a correct explanation mentions."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BankQuestion(models.Model):
    """A question of a domain's bank, loaded from ``interviews/data/question_banks/``."""

    class Category(models.TextChoices):
        RESUME = "resume", "Resume verification"
        TECHNICAL = "technical", "Technical"
        BEHAVIORAL = "behavioral", "Behavioral"

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="bank_questions")
    key = models.CharField(max_length=80, unique=True, help_text="Stable id used in the YAML bank.")
    category = models.CharField(max_length=16, choices=Category.choices)
    difficulty = models.PositiveSmallIntegerField()
    text = models.TextField()
    expected_concepts = models.JSONField(default=list, blank=True)
    skills = models.JSONField(
        default=list, blank=True, help_text="Taxonomy slugs the question probes."
    )
    theme = models.CharField(max_length=80, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["domain", "category", "difficulty", "key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=5),
                name="bank_question_difficulty_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text[:60]}"


def resume_upload_to(instance: Resume, filename: str) -> str:
    return f"resumes/{instance.candidate_id}/v{instance.version}.pdf"


class Resume(models.Model):
    """One uploaded PDF and its parse. Versioned: attempts keep the version they used."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="resumes")
    version = models.PositiveIntegerField()
    file = models.FileField(upload_to=resume_upload_to)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    page_count = models.PositiveSmallIntegerField()
    parsed = models.JSONField(default=dict)
    parser_version = models.CharField(max_length=40, blank=True)
    is_current = models.BooleanField(default=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "version"], name="resume_version_unique"),
            models.UniqueConstraint(
                fields=["candidate"],
                condition=Q(is_current=True),
                name="one_current_resume_per_candidate",
            ),
        ]

    def __str__(self) -> str:
        return f"Resume v{self.version} of {self.candidate}"

    @property
    def skill_slugs(self) -> list[str]:
        return [s["slug"] for s in self.parsed.get("skills", [])]


class AttemptState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    SCORING = "scoring", "Scoring"
    SCORED = "scored", "Scored"
    RELEASED = "released", "Released"
    ABANDONED = "abandoned", "Abandoned"
    FAILED = "failed", "Failed"


# States in which the candidate is inside an interview (at most one at a time).
OPEN_ATTEMPT_STATES = (AttemptState.NOT_STARTED, AttemptState.IN_PROGRESS)
# States that count as a finished attempt for the attempt limit and the waiting period.
FINISHED_ATTEMPT_STATES = (
    AttemptState.SUBMITTED,
    AttemptState.SCORING,
    AttemptState.SCORED,
    AttemptState.RELEASED,
    AttemptState.ABANDONED,
    AttemptState.FAILED,
)


class Attempt(models.Model):
    """One interview in one domain: a state machine with a 20-minute clock."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="attempts")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="attempts")
    resume = models.ForeignKey(Resume, on_delete=models.PROTECT, related_name="attempts")
    state = models.CharField(
        max_length=16, choices=AttemptState.choices, default=AttemptState.NOT_STARTED
    )
    cycle = models.PositiveSmallIntegerField(
        default=1, help_text="Certification cycle this attempt counts in."
    )
    seed = models.BigIntegerField(default=0)
    plan = models.JSONField(default=dict)
    typed_answers = models.BooleanField(
        default=False, help_text="Accommodation granted by staff: answers are typed, not spoken."
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    max_difficulty = models.PositiveSmallIntegerField(default=0)
    tier_reasons = models.JSONField(default=list, blank=True)
    failure_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate"],
                condition=Q(state__in=[s.value for s in OPEN_ATTEMPT_STATES]),
                name="one_open_attempt_per_candidate",
            )
        ]
        indexes = [models.Index(fields=["candidate", "domain", "cycle"])]

    def __str__(self) -> str:
        return f"Attempt {self.pk} of {self.candidate} in {self.domain}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ATTEMPT_STATES

    def seconds_left(self, now=None) -> float:
        if self.deadline_at is None:
            return 0.0
        return max(0.0, (self.deadline_at - (now or timezone.now())).total_seconds())


class Question(models.Model):
    """One asked question of an attempt, with who chose it and why."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=120, help_text="Bank key or template id.")
    category = models.CharField(max_length=16, choices=BankQuestion.Category.choices)
    segment = models.CharField(max_length=16, blank=True)
    difficulty = models.PositiveSmallIntegerField()
    text = models.TextField()
    expected_concepts = models.JSONField(default=list, blank=True)
    skills = models.JSONField(default=list, blank=True)
    resume_claims = models.JSONField(default=list, blank=True)
    backend = models.CharField(max_length=80, default="builtin")
    reason = models.CharField(max_length=255, blank=True)
    asked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="question_position_unique")
        ]

    def __str__(self) -> str:
        return f"Q{self.position} of attempt {self.attempt_id}"


class AnswerStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    TRANSCRIBED = "transcribed", "Transcribed"
    SCORED = "scored", "Scored"
    UNANSWERED = "unanswered", "Unanswered"
    FAILED = "failed", "Failed"


def answer_upload_to(instance: Answer, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"audio/{instance.question.attempt_id}/q{instance.question.position}.{extension}"


class Answer(models.Model):
    """The candidate's reply to one question: audio (or typed text), transcript, timings."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="answer")
    status = models.CharField(
        max_length=16, choices=AnswerStatus.choices, default=AnswerStatus.UPLOADED
    )
    audio = models.FileField(upload_to=answer_upload_to, blank=True)
    audio_type = models.CharField(max_length=80, blank=True)
    audio_bytes = models.PositiveIntegerField(default=0)
    duration_s = models.FloatField(default=0.0)
    typed = models.BooleanField(default=False)
    transcript = models.TextField(blank=True)
    words = models.JSONField(default=list, blank=True, help_text="[[word, start_s, end_s], …]")
    transcription = models.JSONField(
        default=dict, blank=True, help_text="Passes, fallbacks, model."
    )
    error = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    transcribed_at = models.DateTimeField(null=True, blank=True)
    audio_purged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Answer to {self.question}"


class AnswerDraft(models.Model):
    """The recording of the current question so far, sent in parts while the candidate speaks.

    The browser appends what MediaRecorder produced every few seconds; a worker transcribes
    the finished stretches of speech as they arrive, so that when the answer is uploaded
    only its last seconds remain to be transcribed. The final upload stays the authority: the
    draft's words are used only if the bytes they came from are a prefix of the uploaded
    file. A draft is thrown away once its answer is transcribed or the question is over.
    """

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="draft")
    size = models.PositiveIntegerField(default=0, help_text="Bytes received so far.")
    parts = models.JSONField(default=list, blank=True, help_text="Storage names, in order.")
    covered_bytes = models.PositiveIntegerField(
        default=0, help_text="Length of the prefix the words below were transcribed from."
    )
    covered_sha256 = models.CharField(max_length=64, blank=True)
    covered_s = models.FloatField(default=0.0, help_text="Audio transcribed, from the start.")
    words = models.JSONField(
        default=list, blank=True, help_text="[[word, start_s, end_s, probability], …]"
    )
    passes = models.JSONField(default=list, blank=True)
    elapsed_s = models.FloatField(default=0.0, help_text="Transcription time spent so far.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Draft of the answer to {self.question}"

    def part_name(self, offset: int) -> str:
        question = self.question
        # Beside the answers' audio, so whatever removes an attempt's folder removes these.
        return f"audio/{question.attempt_id}/q{question.position}-draft-{offset:010d}.part"

    def read_bytes(self) -> bytes:
        from django.core.files.storage import default_storage

        data = bytearray()
        for name in self.parts:
            with default_storage.open(name, "rb") as handle:
                data += handle.read()
        return bytes(data)

    def delete_files(self) -> None:
        from django.core.files.storage import default_storage

        for name in self.parts:
            default_storage.delete(name)


class Score(models.Model):
    """The grading of one answer: four sub-scores with their evidence."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="score")
    fluency = models.FloatField()
    technical_accuracy = models.FloatField()
    coherence = models.FloatField()
    conciseness = models.FloatField()
    overall = models.FloatField()
    evidence = models.JSONField(default=dict)
    rubric_version = models.CharField(max_length=40)
    backend = models.CharField(max_length=80, default="builtin")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Score {self.overall:.0f} for {self.answer}"


class CredentialStatus(models.TextChoices):
    PENDING = "pending", "Awaiting release"
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Replaced by a later attempt"
    EXPIRED = "expired", "Expired"


class Credential(models.Model):
    """The tier an attempt earned. What matching reads once released and unexpired."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="credentials")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="credentials")
    attempt = models.OneToOneField(Attempt, on_delete=models.CASCADE, related_name="credential")
    tier = models.CharField(max_length=16, choices=Tier.choices)
    score = models.FloatField()
    status = models.CharField(
        max_length=16, choices=CredentialStatus.choices, default=CredentialStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    release_at = models.DateTimeField(
        help_text="When the tier is shown to the candidate and to matching."
    )
    released_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    expired_notice_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A retake's result waits for release while the earlier tier still stands, so
            # there is at most one active and at most one pending credential per domain.
            models.UniqueConstraint(
                fields=["candidate", "domain"],
                condition=Q(status="active"),
                name="one_active_credential_per_domain",
            ),
            models.UniqueConstraint(
                fields=["candidate", "domain"],
                condition=Q(status="pending"),
                name="one_pending_credential_per_domain",
            ),
        ]
        indexes = [models.Index(fields=["status", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} in {self.domain} for {self.candidate}"


class IntegrityEvent(models.Model):
    """Focus loss, tab switches and the like during an attempt: for staff, never for scoring."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="integrity_events")
    kind = models.CharField(max_length=40)
    question_position = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.kind} in attempt {self.attempt_id}"


class AuditEntry(models.Model):
    """Who changed what, when, from what to what, and why. Never edited, only added."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} on {self.object_type} {self.object_id}"


class ContestStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONFIRMED = "confirmed", "Tier confirmed"
    CHANGED = "changed", "Tier changed"


class Contest(models.Model):
    """A candidate's challenge of a released credential, decided by staff. One per credential."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="contests")
    reason = models.TextField(help_text="The candidate's written reason.")
    status = models.CharField(
        max_length=16, choices=ContestStatus.choices, default=ContestStatus.OPEN
    )
    tier_at_contest = models.CharField(max_length=16, choices=Tier.choices)
    new_tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["credential"], name="one_contest_per_credential")
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="contest_queue")]

    def __str__(self) -> str:
        return f"Contest of {self.credential}"
