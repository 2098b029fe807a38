"""Pages for accounts and organizations. Thin: forms in, services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.errors import DomainError, PermissionDeniedError
from accounts.forms import CandidateProfileForm, InvitationForm, OrganizationForm, RoleForm
from accounts.http import AuthenticatedRequest, OrganizationRequest
from accounts.models import Invitation, Membership, Role


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "home.html")
    if hasattr(request.user, "candidate"):
        return redirect("candidate:dashboard")
    memberships = list(selectors.memberships_for_user(user=request.user))
    if len(memberships) == 1:
        return redirect("org:dashboard", org_slug=memberships[0].organization.slug)
    if memberships:
        return redirect("organization_list")
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("welcome")


@login_required
def welcome(request: AuthenticatedRequest) -> HttpResponse:
    """First sign-in: a person says whether they are here to be hired or to hire."""
    if request.method == "POST" and request.POST.get("as") == "candidate":
        services.candidate_profile_ensure(user=request.user)
        messages.success(request, "Welcome to Vetta. Start by uploading your resume.")
        return redirect("candidate:dashboard")
    return render(request, "accounts/welcome.html", {"form": OrganizationForm()})


@login_required
def organization_list(request: AuthenticatedRequest) -> HttpResponse:
    memberships = selectors.memberships_for_user(user=request.user)
    return render(request, "accounts/organization_list.html", {"memberships": memberships})


@login_required
def organization_create(request: AuthenticatedRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(
                name=form.cleaned_data["name"], owner=request.user
            )
        except DomainError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, f"{organization.name} is ready. Invite your team.")
            return redirect("org:dashboard", org_slug=organization.slug)
    return render(request, "accounts/organization_form.html", {"form": form})


@login_required
def invitation_accept(request: AuthenticatedRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if request.method == "POST":
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"You joined {membership.organization.name}.")
            return redirect("org:dashboard", org_slug=membership.organization.slug)
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation})


@login_required
def candidate_profile(request: AuthenticatedRequest) -> HttpResponse:
    candidate = services.candidate_profile_ensure(user=request.user)
    form = CandidateProfileForm(request.POST or None, instance=candidate)
    if request.method == "POST" and form.is_valid():
        # The form validates against a copy: the service compares with the saved values.
        services.candidate_profile_update(
            candidate=services.candidate_profile_ensure(user=request.user), **form.cleaned_data
        )
        messages.success(request, "Profile saved.")
        return redirect("candidate:profile")
    return render(request, "accounts/candidate_profile.html", {"form": form})


# --- client portal: request.organization and request.membership come from the middleware ---


def org_dashboard(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    return render(request, "accounts/org_dashboard.html", {"organization": request.organization})


def member_list(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    membership: Membership = request.membership
    context = {
        "organization": request.organization,
        "members": selectors.members_of(organization=request.organization),
        "invitations": selectors.open_invitations_of(organization=request.organization),
        "can_manage": membership.has_role(Role.ADMIN),
        "invite_form": InvitationForm(),
        "roles": Role.choices,
    }
    return render(request, "accounts/member_list.html", context)


def _run(request: OrganizationRequest, action, success: str) -> HttpResponse:
    try:
        action()
    except PermissionDeniedError as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("org:members", org_slug=request.organization.slug)


@require_POST
def member_invite(request: OrganizationRequest, org_slug: str) -> HttpResponse:
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid e-mail address and role.")
        return redirect("org:members", org_slug=org_slug)
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    return _run(
        request,
        lambda: services.invitation_create(actor=request.membership, email=email, role=role),
        f"Invitation sent to {email}.",
    )


@require_POST
def member_role(request: OrganizationRequest, org_slug: str, membership_id: int) -> HttpResponse:
    target = get_object_or_404(Membership, pk=membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role.")
        return redirect("org:members", org_slug=org_slug)
    role = form.cleaned_data["role"]
    return _run(
        request,
        lambda: services.membership_role_change(
            actor=request.membership, membership=target, role=role
        ),
        f"{target.user.email} is now {Role(role).label.lower()}.",
    )


@require_POST
def member_remove(request: OrganizationRequest, org_slug: str, membership_id: int) -> HttpResponse:
    target = get_object_or_404(Membership, pk=membership_id)
    response = _run(
        request,
        lambda: services.membership_remove(actor=request.membership, membership=target),
        f"{target.user.email} was removed.",
    )
    if target.pk == request.membership.pk and response.status_code == 302:
        return redirect("home")
    return response


@require_POST
def invitation_revoke(
    request: OrganizationRequest, org_slug: str, invitation_id: int
) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    return _run(
        request,
        lambda: services.invitation_revoke(actor=request.membership, invitation=invitation),
        f"Invitation to {invitation.email} revoked.",
    )
