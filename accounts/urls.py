from django.urls import path

from accounts import views

# Client-portal pages of this app; config/urls.py puts them under /o/<org_slug>/ in the
# "org" namespace, where the middleware scopes every request to that organization.
org_patterns = [
    path("", views.org_dashboard, name="dashboard"),
    path("members/", views.member_list, name="members"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"
    ),
]

urlpatterns = [
    path("welcome/", views.welcome, name="welcome"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
