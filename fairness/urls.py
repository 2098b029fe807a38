from django.urls import path

from fairness import views

# Candidate-portal pages of this app; config/urls.py puts them under /me/ ("candidate").
candidate_patterns = [
    path("data/demographics/", views.demographics, name="demographics"),
    path("how-tiers-work/", views.assessment_explanation, name="assessment"),
]
