from django.urls import path

from accounts import data_views

# Candidate-portal pages of data rights; config/urls.py puts them under /me/ ("candidate").
candidate_patterns = [
    path("data/", data_views.data_overview, name="data"),
    path("data/export.json", data_views.data_export, name="data_export"),
    path("data/delete/", data_views.account_delete, name="account_delete"),
]
