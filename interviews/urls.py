from django.urls import path

from accounts import views as account_views
from interviews import views

# The candidate portal (namespace "candidate").
candidate_urlpatterns = (
    [
        path("", views.dashboard, name="dashboard"),
        path("profile/", account_views.candidate_profile, name="profile"),
    ],
    "candidate",
)
