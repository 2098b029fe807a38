"""Client-portal and candidate-portal pages of the marketplace. Thin: services do the work.

Client pages run inside the organization's scope (``TenantScopeMiddleware``), so another
organization's project or offer id is simply not found (404).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import formset_factory
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.errors import DomainError, PermissionDeniedError
from accounts.http import AuthenticatedRequest, OrganizationRequest
from accounts.models import Candidate, Role
from marketplace import selectors, services
from marketplace.forms import BaseRequirementFormSet, OfferForm, ProjectForm, RequirementForm
from marketplace.models import Offer, OfferStatus, Project, ProjectStatus
from matching.engine import MAX_REQUIREMENTS
from matching.services import project_matches

MATCHES_SHOWN = 50


def _run(request, action: Callable[[], object], success: str) -> bool:
    try:
        action()
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def _requirement_formset(data=None, initial=None):
    initial = initial or []
    blank = max(0, min(MAX_REQUIREMENTS - len(initial), 3 if initial else 4))
    formset_class = formset_factory(
        RequirementForm,
        formset=BaseRequirementFormSet,
        extra=blank,
        max_num=MAX_REQUIREMENTS,
        validate_max=True,
    )
    return formset_class(data, initial=initial, prefix="req")


def _can_edit(request: OrganizationRequest) -> bool:
    return request.membership.has_role(Role.RECRUITER)


def project_list(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    return render(
        request,
        "marketplace/project_list.html",
        {
            "organization": request.organization,
            "projects": selectors.projects_of(organization=request.organization),
            "can_edit": _can_edit(request),
        },
    )


def _project_form_page(request: OrganizationRequest, project: Project | None) -> HttpResponse:
    if not _can_edit(request):
        raise PermissionDenied("Only recruiters and above can create or edit projects.")
    if project is not None and project.status in (ProjectStatus.CLOSED, ProjectStatus.FILLED):
        messages.error(request, "A closed or filled project can no longer be edited.")
        return redirect("org:project_detail", request.organization.slug, project.pk)
    initial_project = None
    initial_reqs = None
    if project is not None:
        initial_project = {f: getattr(project, f) for f in services.PROJECT_FIELDS}
        initial_reqs = [
            {"skill": r.skill, "weight": r.weight, "must_have": r.must_have}
            for r in selectors.project_requirements(project=project)
        ]
    data = request.POST if request.method == "POST" else None
    form = ProjectForm(data, initial=initial_project)
    formset = _requirement_formset(data, initial_reqs)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            if project is None:
                project = services.project_create(
                    actor=request.membership, data=form.to_input(), requirements=formset.to_inputs()
                )
                messages.success(request, "Project saved as a draft. Publish it to send offers.")
            else:
                services.project_update(
                    actor=request.membership,
                    project=project,
                    data=form.to_input(),
                    requirements=formset.to_inputs(),
                )
                messages.success(request, "Project saved.")
        except PermissionDeniedError as error:
            raise PermissionDenied(error.message) from error
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("org:project_detail", request.organization.slug, project.pk)
    return render(
        request,
        "marketplace/project_form.html",
        {
            "organization": request.organization,
            "project": project,
            "form": form,
            "formset": formset,
        },
    )


def project_create(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    return _project_form_page(request, None)


def project_edit(request: OrganizationRequest, org_slug: str, project_id: int) -> HttpResponse:
    return _project_form_page(request, get_object_or_404(Project, pk=project_id))


def project_detail(request: OrganizationRequest, org_slug: str, project_id: int) -> HttpResponse:
    project: Project = get_object_or_404(Project.objects.select_related("domain"), pk=project_id)
    offers = list(selectors.offers_of_project(project=project))
    offer_by_candidate = {o.candidate_id: o for o in offers}
    active = project.status in (ProjectStatus.DRAFT, ProjectStatus.OPEN)
    matches = project_matches(project, limit=MATCHES_SHOWN) if active else []
    rows = [(m, offer_by_candidate.get(m.candidate_id)) for m in matches]
    accepted = sum(1 for o in offers if o.status == OfferStatus.ACCEPTED)
    return render(
        request,
        "marketplace/project_detail.html",
        {
            "organization": request.organization,
            "project": project,
            "requirements": selectors.project_requirements(project=project),
            "rows": rows,
            "offers": offers,
            "accepted": accepted,
            "can_edit": _can_edit(request),
            "can_close": request.membership.has_role(Role.ADMIN),
        },
    )


@require_POST
def project_publish(request: OrganizationRequest, org_slug: str, project_id: int) -> HttpResponse:
    project = get_object_or_404(Project, pk=project_id)
    result: dict[str, int] = {}

    def publish() -> None:
        _, result["sent"] = services.project_publish(actor=request.membership, project=project)

    if _run(request, publish, "Project published.") and result.get("sent"):
        messages.info(request, f"{result['sent']} instant offer(s) sent to the top matches.")
    return redirect("org:project_detail", org_slug, project.pk)


@require_POST
def project_close(request: OrganizationRequest, org_slug: str, project_id: int) -> HttpResponse:
    project = get_object_or_404(Project, pk=project_id)
    _run(
        request,
        lambda: services.project_close(actor=request.membership, project=project),
        "Project closed; its open offers were withdrawn.",
    )
    return redirect("org:project_detail", org_slug, project.pk)


@require_POST
def offer_send(request: OrganizationRequest, org_slug: str, project_id: int) -> HttpResponse:
    project = get_object_or_404(Project, pk=project_id)
    form = OfferForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a candidate from the matches.")
        return redirect("org:project_detail", org_slug, project.pk)
    candidate = Candidate.objects.filter(pk=form.cleaned_data["candidate"]).first()
    if candidate is None:
        raise Http404("No such candidate.")
    _run(
        request,
        lambda: services.offer_send(
            actor=request.membership,
            project=project,
            candidate=candidate,
            message=form.cleaned_data["message"],
        ),
        "Offer sent. The candidate has been e-mailed.",
    )
    return redirect("org:project_detail", org_slug, project.pk)


def offer_list(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    status = request.GET.get("status", "")
    return render(
        request,
        "marketplace/offer_list.html",
        {
            "organization": request.organization,
            "offers": selectors.offers_of(organization=request.organization, status=status),
            "status": status if status in OfferStatus.values else "",
            "statuses": OfferStatus.choices,
            "can_edit": _can_edit(request),
        },
    )


@require_POST
def offer_withdraw(request: OrganizationRequest, org_slug: str, offer_id: int) -> HttpResponse:
    offer = get_object_or_404(Offer, pk=offer_id)
    _run(
        request,
        lambda: services.offer_withdraw(actor=request.membership, offer=offer),
        "Offer withdrawn.",
    )
    next_url = request.POST.get("next", "")
    if next_url == "project":
        return redirect("org:project_detail", org_slug, offer.project_id)
    return redirect("org:offers", org_slug)


# --- candidate portal ----------------------------------------------------------------------


def _candidate(request: AuthenticatedRequest) -> Candidate:
    candidate = Candidate.objects.filter(user=request.user).first()
    if candidate is None:
        raise Http404("Not a candidate.")
    return candidate


@login_required
def my_offers(request: AuthenticatedRequest) -> HttpResponse:
    candidate = _candidate(request)
    offers = list(selectors.offers_for_candidate(candidate=candidate))
    return render(
        request,
        "marketplace/my_offers.html",
        {
            "open_offers": [o for o in offers if o.is_open],
            "past_offers": [o for o in offers if not o.is_open],
        },
    )


@login_required
@require_POST
def my_offer_accept(request: AuthenticatedRequest, offer_id: int) -> HttpResponse:
    candidate = _candidate(request)
    offer: Offer = get_object_or_404(
        Offer.objects.select_related("project"), pk=offer_id, candidate=candidate
    )
    _run(
        request,
        lambda: services.offer_accept(candidate=candidate, offer=offer),
        f"You accepted “{offer.project.title}”. The client has been told.",
    )
    return redirect("candidate:offers")


@login_required
@require_POST
def my_offer_decline(request: AuthenticatedRequest, offer_id: int) -> HttpResponse:
    candidate = _candidate(request)
    offer: Offer = get_object_or_404(
        Offer.objects.select_related("project"), pk=offer_id, candidate=candidate
    )
    _run(
        request,
        lambda: services.offer_decline(candidate=candidate, offer=offer),
        f"You declined “{offer.project.title}”.",
    )
    return redirect("candidate:offers")
