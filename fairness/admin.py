"""The fairness report in the staff admin: an HTML page and its CSV export.

The report is registered on ``FairnessRecord`` only to get a place in the admin index;
its changelist *is* the report. Individual demographic answers and anonymised records are
never listed: staff see aggregates only.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from fairness.engine import METRICS
from fairness.forms import ReportForm
from fairness.models import FairnessRecord
from fairness.report import (
    GROUP_LABELS,
    METRIC_LABELS,
    Period,
    category_label,
    csv_text,
    default_period,
    fairness_report_for,
)
from fairness.roles import VIEW_FAIRNESS_REPORT
from interviews.models import Domain


@admin.register(FairnessRecord)
class FairnessReportAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_FAIRNESS_REPORT)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm(VIEW_FAIRNESS_REPORT)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "",
                self.admin_site.admin_view(self.report_view),
                name="fairness_fairnessrecord_changelist",
            ),
            path(
                "report.csv",
                self.admin_site.admin_view(self.csv_view),
                name="fairness_report_csv",
            ),
        ]

    def _form(self, request: HttpRequest) -> tuple[ReportForm, Domain | None, Period]:
        period = default_period()
        first_domain = Domain.objects.order_by("name").first()
        initial = {"start": period.start, "end": period.end, "domain": first_domain}
        form = ReportForm(request.GET or None, initial=initial)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            return form, data["domain"], Period(start=data["start"], end=data["end"])
        return form, (None if form.is_bound else first_domain), period

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form, domain, period = self._form(request)
        report = fairness_report_for(domain=domain, period=period) if domain else None
        groups = []
        if report is not None:
            for group, rows in report.groups.items():
                groups.append(
                    {
                        "label": GROUP_LABELS[group],
                        "rows": [
                            {
                                "row": row,
                                "label": category_label(row.category),
                                "metrics": [
                                    {
                                        "name": m,
                                        "count": row.counts[m],
                                        "rate": row.rates[m],
                                        "ratio": row.ratios.get(m),
                                        "flagged": m in row.flags,
                                    }
                                    for m in METRICS
                                ],
                            }
                            for row in rows
                        ],
                    }
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Fairness report",
            "opts": self.model._meta,
            "form": form,
            "domain": domain,
            "period": period,
            "report": report,
            "groups": groups,
            "metric_labels": [METRIC_LABELS[m] for m in METRICS],
            "query": request.GET.urlencode(),
            "min_share_percent": 2,
        }
        return TemplateResponse(request, "fairness/admin/report.html", context)

    def csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        _form, domain, period = self._form(request)
        if domain is None:
            return HttpResponse("Choose a domain and a valid period.", status=400)
        report = fairness_report_for(domain=domain, period=period)
        response = HttpResponse(
            csv_text(report=report, domain=domain, period=period),
            content_type="text/csv; charset=utf-8",
        )
        filename = f"fairness-{domain.slug}-{period.start}-{period.end}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
