from django.urls import path

from marketplace import views

# Client-portal pages (namespace "org", under /o/<org_slug>/, scoped to that organization).
org_patterns = [
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path("projects/<int:project_id>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:project_id>/publish/", views.project_publish, name="project_publish"),
    path("projects/<int:project_id>/close/", views.project_close, name="project_close"),
    path("projects/<int:project_id>/offers/", views.offer_send, name="offer_send"),
    path("offers/", views.offer_list, name="offers"),
    path("offers/<int:offer_id>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
]

# Candidate-portal pages (namespace "candidate", under /me/).
candidate_patterns = [
    path("offers/", views.my_offers, name="offers"),
    path("offers/<int:offer_id>/accept/", views.my_offer_accept, name="offer_accept"),
    path("offers/<int:offer_id>/decline/", views.my_offer_decline, name="offer_decline"),
]
