from django.urls import path

from accounts import views as account_views
from interviews import views

# Candidate-portal pages of this app; config/urls.py puts them under /me/ (namespace "candidate").
candidate_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("profile/", account_views.candidate_profile, name="profile"),
    path("resume/", views.resume_upload, name="resume"),
    path("resume/<int:version>/", views.resume_feedback, name="resume_feedback"),
]
