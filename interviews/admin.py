"""Staff views of the interview side. Scores and evidence are read-only: they are evidence."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from accounts.errors import DomainError
from interviews import services
from interviews.models import (
    Answer,
    Attempt,
    AuditEntry,
    BankQuestion,
    Contest,
    ContestStatus,
    Credential,
    Domain,
    DomainPolicy,
    IntegrityEvent,
    Question,
    Resume,
    Score,
    Skill,
    Tier,
)
from interviews.selectors import taxonomy_changed


class DomainPolicyForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="Reason for change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required for any change. Kept in the audit trail with who, when, before, after.",
    )

    class Meta:
        model = DomainPolicy
        fields = list(services.POLICY_FIELDS)

    def policy_changed(self) -> list[str]:
        return [name for name in self.changed_data if name != "change_reason"]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if self.policy_changed() and not (cleaned.get("change_reason") or "").strip():
            self.add_error("change_reason", "Say why the policy changes.")
        return cleaned


class DomainPolicyInline(admin.StackedInline):
    model = DomainPolicy
    form = DomainPolicyForm
    can_delete = False


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [DomainPolicyInline]

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not DomainPolicy:
            super().save_formset(request, form, formset, change)
            return
        # Every policy edit goes through the service, which writes the audit entry.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for policy_form in formset.forms:
            if not policy_form.has_changed() or not policy_form.policy_changed():
                continue
            created = policy_form.instance.pk is None
            policy = policy_form.save(commit=False)
            policy.domain = form.instance
            services.domain_policy_save(
                policy=policy, actor=request.user, reason=policy_form.cleaned_data["change_reason"]
            )
            if created:
                formset.new_objects.append(policy)
            else:
                formset.changed_objects.append((policy, policy_form.policy_changed()))


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


class EvidenceAdmin(admin.ModelAdmin):
    """Rows the interview produces (resumes, attempts, answers, credentials, events): staff
    read them and act through the review page; nobody makes one up by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Resume)
class ResumeAdmin(EvidenceAdmin):
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
    fields = ("position", "category", "difficulty", "text", "backend", "reason")
    readonly_fields = ("position", "category", "difficulty", "text", "backend", "reason")


@admin.register(Attempt)
class AttemptAdmin(EvidenceAdmin):
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
        "review_link",
    ]
    list_filter = ["state", "tier", "domain"]
    search_fields = ["candidate__user__email"]
    list_select_related = ["candidate__user", "domain"]
    readonly_fields = [f.name for f in Attempt._meta.fields if f.name != "typed_answers"]
    inlines = [QuestionInline]
    # The staff review page, the review queue and the recordings: see interviews/review.py.
    change_form_template = "admin/interviews/attempt/change_form.html"
    change_list_template = "admin/interviews/attempt/change_list.html"

    def get_urls(self):
        from interviews.review import review_urls

        return [*review_urls(self), *super().get_urls()]

    @admin.display(description="Review")
    def review_link(self, obj: Attempt) -> str:
        from django.urls import reverse
        from django.utils.html import format_html

        url = reverse("admin:interviews_attempt_review", args=[obj.pk])
        return format_html('<a href="{}">Review</a>', url)


class ScoreInline(admin.StackedInline):
    model = Score
    can_delete = False
    readonly_fields = [f.name for f in Score._meta.fields]


@admin.register(Answer)
class AnswerAdmin(EvidenceAdmin):
    list_display = ["pk", "question", "status", "duration_s", "typed", "submitted_at"]
    list_filter = ["status", "typed"]
    readonly_fields = [f.name for f in Answer._meta.fields]
    inlines = [ScoreInline]


@admin.register(Credential)
class CredentialAdmin(EvidenceAdmin):
    list_display = ["candidate", "domain", "tier", "score", "status", "released_at", "valid_until"]
    list_filter = ["status", "tier", "domain"]
    search_fields = ["candidate__user__email"]
    list_select_related = ["candidate__user", "domain"]
    readonly_fields = [f.name for f in Credential._meta.fields]


class ContestDecisionForm(forms.ModelForm):
    DECISIONS = [("confirm", "Confirm the tier"), ("change", "Change the tier")]

    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect)
    new_tier = forms.ChoiceField(
        choices=[("", "—"), *Tier.choices],
        required=False,
        help_text="Only when you change the tier.",
    )
    decision_reason = forms.CharField(
        label="Reason for the decision",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The candidate receives this by e-mail; it is kept in the audit trail.",
    )

    class Meta:
        model = Contest
        fields = ["decision", "new_tier", "decision_reason"]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        decision, new_tier = cleaned.get("decision"), cleaned.get("new_tier")
        if decision == "change":
            if not new_tier:
                self.add_error("new_tier", "Choose the tier the credential changes to.")
            elif new_tier == self.instance.credential.tier:
                self.add_error("new_tier", "That is the current tier: confirm it instead.")
        return cleaned


class ContestStatusFilter(admin.SimpleListFilter):
    """The review queue: open contests unless staff ask for the decided ones."""

    title = "status"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("decided", "Decided"), ("all", "All")]

    def choices(self, changelist):
        value = self.value() or "open"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(status=ContestStatus.OPEN)
        if value == "decided":
            return queryset.exclude(status=ContestStatus.OPEN)
        return queryset


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    """Staff review queue of contested tiers; a decision is made once, with a reason."""

    list_display = ["created_at", "candidate", "domain", "tier_at_contest", "status", "decided_by"]
    list_filter = [ContestStatusFilter, "credential__domain"]
    search_fields = ["credential__candidate__user__email"]
    list_select_related = ["credential__candidate__user", "credential__domain", "decided_by"]
    ordering = ["created_at"]
    form = ContestDecisionForm
    info_fields = [
        "candidate",
        "domain",
        "credential_link",
        "attempt_link",
        "tier_at_contest",
        "current_tier",
        "reason",
        "created_at",
    ]

    @admin.display(description="Candidate")
    def candidate(self, obj: Contest) -> str:
        return str(obj.credential.candidate)

    @admin.display(description="Domain")
    def domain(self, obj: Contest) -> str:
        return str(obj.credential.domain)

    @admin.display(description="Current tier")
    def current_tier(self, obj: Contest) -> str:
        return obj.credential.get_tier_display()

    @admin.display(description="Credential")
    def credential_link(self, obj: Contest) -> str:
        url = reverse("admin:interviews_credential_change", args=[obj.credential_id])
        return format_html('<a href="{}">{}</a>', url, obj.credential)

    @admin.display(description="Interview (scores, evidence, audio)")
    def attempt_link(self, obj: Contest) -> str:
        url = reverse("admin:interviews_attempt_change", args=[obj.credential.attempt_id])
        return format_html('<a href="{}">Attempt {}</a>', url, obj.credential.attempt_id)

    def get_fields(self, request, obj=None):
        if obj is not None and obj.status == ContestStatus.OPEN:
            return [*self.info_fields, "decision", "new_tier", "decision_reason"]
        return [
            *self.info_fields,
            "status",
            "new_tier",
            "decided_by",
            "decision_reason",
            "decided_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == ContestStatus.OPEN:
            return self.info_fields
        return self.get_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.status != ContestStatus.OPEN:
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if obj.status != ContestStatus.OPEN or "decision" not in form.cleaned_data:
            return
        confirm = form.cleaned_data["decision"] == "confirm"
        services.contest_decide(
            contest_id=obj.pk,
            actor=request.user,
            confirm=confirm,
            new_tier="" if confirm else form.cleaned_data["new_tier"],
            reason=form.cleaned_data["decision_reason"],
        )

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            # Another staff member decided it a moment ago: say so instead of failing.
            self.message_user(request, error.message, level="error")
            return HttpResponseRedirect(request.path)


@admin.register(IntegrityEvent)
class IntegrityEventAdmin(EvidenceAdmin):
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
