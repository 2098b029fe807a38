from django.urls import path

from accounts import views as account_views
from interviews import views, views_room

# Candidate-portal pages of this app; config/urls.py puts them under /me/ (namespace "candidate").
candidate_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("profile/", account_views.candidate_profile, name="profile"),
    path("resume/", views.resume_upload, name="resume"),
    path("resume/<int:version>/", views.resume_feedback, name="resume_feedback"),
    path("tiers/<int:credential_id>/contest/", views.contest_create, name="contest"),
    # The interview room (views_room.py): pages, then the JSON API its script talks to.
    path("interview/", views_room.domain_choice, name="interview"),
    path("interview/start/<slug:slug>/", views_room.attempt_start, name="interview_start"),
    path("interview/<int:attempt_id>/notice/", views_room.consent, name="interview_consent"),
    path(
        "interview/<int:attempt_id>/device-check/",
        views_room.device_check,
        name="interview_device_check",
    ),
    path("interview/<int:attempt_id>/room/", views_room.room, name="interview_room"),
    path("interview/<int:attempt_id>/finished/", views_room.finished, name="interview_finished"),
    path("interview/<int:attempt_id>/api/state", views_room.api_state, name="interview_api_state"),
    path("interview/<int:attempt_id>/api/begin", views_room.api_begin, name="interview_api_begin"),
    path("interview/<int:attempt_id>/api/next", views_room.api_next, name="interview_api_next"),
    path(
        "interview/<int:attempt_id>/api/questions/<int:question_id>/answer",
        views_room.api_answer,
        name="interview_api_answer",
    ),
    path(
        "interview/<int:attempt_id>/api/questions/<int:question_id>/draft",
        views_room.api_draft,
        name="interview_api_draft",
    ),
    path(
        "interview/<int:attempt_id>/api/questions/<int:question_id>/skip",
        views_room.api_skip,
        name="interview_api_skip",
    ),
    path(
        "interview/<int:attempt_id>/api/events", views_room.api_events, name="interview_api_events"
    ),
]
