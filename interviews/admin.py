"""Staff views of the interview side. Scores and evidence are read-only: they are evidence."""

from __future__ import annotations

from django.contrib import admin

from interviews.models import (
    Answer,
    Attempt,
    AuditEntry,
    BankQuestion,
    Credential,
    Domain,
    DomainPolicy,
    IntegrityEvent,
    Question,
    Resume,
    Score,
    Skill,
)
from interviews.selectors import taxonomy_changed


class DomainPolicyInline(admin.StackedInline):
    model = DomainPolicy
    can_delete = False


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [DomainPolicyInline]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    list_filter = ["kind", "domains"]
    search_fields = ["name", "slug", "aliases"]
    filter_horizontal = ["parents", "domains"]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        taxonomy_changed()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        taxonomy_changed()


@admin.register(BankQuestion)
class BankQuestionAdmin(admin.ModelAdmin):
    list_display = ["key", "domain", "category", "difficulty", "short_text", "active"]
    list_filter = ["domain", "category", "difficulty", "active"]
    search_fields = ["key", "text"]

    @admin.display(description="Question")
    def short_text(self, obj: BankQuestion) -> str:
        return obj.text[:90]


@admin.register(Resume)
class ResumeAdmin(admin.ModelAdmin):
    list_display = [
        "candidate",
        "version",
        "original_name",
        "page_count",
        "is_current",
        "uploaded_at",
    ]
    list_filter = ["is_current"]
    search_fields = ["candidate__user__email", "original_name"]
    readonly_fields = [f.name for f in Resume._meta.fields]
    list_select_related = ["candidate__user"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    can_delete = False
    fields = ["position", "category", "difficulty", "text", "backend", "reason"]
    readonly_fields = fields


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "candidate",
        "domain",
        "state",
        "cycle",
        "score",
        "tier",
        "max_difficulty",
        "created_at",
    ]
    list_filter = ["state", "tier", "domain"]
    search_fields = ["candidate__user__email"]
    list_select_related = ["candidate__user", "domain"]
    readonly_fields = [f.name for f in Attempt._meta.fields if f.name != "typed_answers"]
    inlines = [QuestionInline]


class ScoreInline(admin.StackedInline):
    model = Score
    can_delete = False
    readonly_fields = [f.name for f in Score._meta.fields]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["pk", "question", "status", "duration_s", "typed", "submitted_at"]
    list_filter = ["status", "typed"]
    readonly_fields = [f.name for f in Answer._meta.fields]
    inlines = [ScoreInline]


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["candidate", "domain", "tier", "score", "status", "released_at", "valid_until"]
    list_filter = ["status", "tier", "domain"]
    search_fields = ["candidate__user__email"]
    list_select_related = ["candidate__user", "domain"]
    readonly_fields = [f.name for f in Credential._meta.fields]


@admin.register(IntegrityEvent)
class IntegrityEventAdmin(admin.ModelAdmin):
    list_display = ["attempt", "kind", "question_position", "at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in IntegrityEvent._meta.fields]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail is append-only: staff read it, nobody edits or deletes it here."""

    list_display = ["at", "actor", "action", "object_type", "object_id", "reason"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "reason", "actor__email"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
