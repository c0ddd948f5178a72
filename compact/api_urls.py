"""The contracts API's routes (compact/api.py): staff contracts, delivery reports and verification, the supplier's
contracts and reports (`my-contracts/`), the impact figures and the public tracker, all under
/api/v1/authorities/<authority_slug>/."""

from django.urls import path

from . import api

authority_urlpatterns = [
    path("contracts/", api.ContractList.as_view(), name="contract-list"),
    path("contracts/<int:contract_id>/", api.ContractDetail.as_view(), name="contract-detail"),
    path("contracts/<int:contract_id>/kpis/", api.KpiCreate.as_view(), name="contract-kpi-create"),
    path("contracts/<int:contract_id>/end/", api.ContractEnd.as_view(), name="contract-end"),
    path("awards/<int:award_id>/contract/", api.ContractFromAward.as_view(), name="contract-from-award"),
    path("reports/", api.ReportList.as_view(), name="contract-report-list"),
    path("reports/<int:report_id>/", api.ReportDetail.as_view(), name="contract-report-detail"),
    path("lines/<int:line_id>/verification/", api.LineVerify.as_view(), name="contract-line-verify"),
    path("my-contracts/", api.SupplierContractList.as_view(), name="contract-supplier-list"),
    path("my-contracts/<int:contract_id>/", api.SupplierContractDetail.as_view(), name="contract-supplier-detail"),
    path(
        "my-contracts/<int:contract_id>/reports/<int:report_id>/",
        api.SupplierReportDetail.as_view(),
        name="contract-supplier-report",
    ),
    path(
        "my-contracts/<int:contract_id>/reports/<int:report_id>/submission/",
        api.ReportSubmit.as_view(),
        name="contract-supplier-report-submit",
    ),
    path(
        "my-contracts/<int:contract_id>/reports/<int:report_id>/evidence/",
        api.EvidenceUpload.as_view(),
        name="contract-supplier-evidence-create",
    ),
    path(
        "my-contracts/<int:contract_id>/reports/<int:report_id>/evidence/<int:evidence_id>/",
        api.EvidenceRemove.as_view(),
        name="contract-supplier-evidence-remove",
    ),
    path(
        "my-contracts/<int:contract_id>/lines/<int:line_id>/answer/",
        api.QueryAnswer.as_view(),
        name="contract-supplier-query-answer",
    ),
    path("impact/", api.ImpactView.as_view(), name="impact"),
    path("tracker/", api.TrackerList.as_view(), name="tracker-list"),
    path("tracker/<int:contract_id>/", api.TrackerDetail.as_view(), name="tracker-detail"),
]
platform_urlpatterns = []
