from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from accounts.candidate_urls import candidate_patterns as data_rights_candidate_patterns
from accounts.urls import org_patterns as account_org_patterns
from api.urls import docs_patterns as api_docs_patterns
from api.urls import org_patterns as api_org_patterns
from fairness.urls import candidate_patterns as fairness_candidate_patterns
from interviews.urls import candidate_patterns as interview_candidate_patterns
from marketplace.urls import candidate_patterns as marketplace_candidate_patterns
from marketplace.urls import org_patterns as marketplace_org_patterns

# Staff sign in through allauth (rate limits, MFA), never through the admin's own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Vetta staff"
admin.site.site_title = "Vetta staff"

# Each portal is one namespace assembled from the apps that contribute pages to it.
org_patterns = [*account_org_patterns, *marketplace_org_patterns, *api_org_patterns]
candidate_patterns = [
    *interview_candidate_patterns,
    *marketplace_candidate_patterns,
    *data_rights_candidate_patterns,
    *fairness_candidate_patterns,
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("o/<slug:org_slug>/", include((org_patterns, "org"))),
    path("me/", include((candidate_patterns, "candidate"))),
    path("api/v1/", include(("api.urls", "api"))),
    path("api/", include(api_docs_patterns)),
]

handler404 = "config.views.page_not_found"
handler403 = "config.views.permission_denied"
handler500 = "config.views.server_error"
