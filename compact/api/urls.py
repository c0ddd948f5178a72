"""The compact API's routes (compact/api/), all under /api/v1/authorities/<authority_slug>/: staff contracts,
delivery reports and verification, the supplier's contracts and reports (`my-contracts/`), the impact figures and the
public tracker, and the local Compact page (`compact/`: the consultation register, the checklist, case examples,
Compact partners and decommissioning assessments). No platform-wide routes."""

from django.urls import path

from . import (
    assessments,
    case_examples,
    checklist,
    contracts,
    impact,
    my_contracts,
    partners,
    register,
    reports,
    tracker,
)

authority_urlpatterns = [
    path("contracts/", contracts.ContractList.as_view(), name="contract-list"),
    path("contracts/<int:contract_id>/", contracts.ContractDetail.as_view(), name="contract-detail"),
    path("contracts/<int:contract_id>/kpis/", contracts.KpiCreate.as_view(), name="contract-kpi-create"),
    path("contracts/<int:contract_id>/end/", contracts.ContractEnd.as_view(), name="contract-end"),
    path("awards/<int:award_id>/contract/", contracts.ContractFromAward.as_view(), name="contract-from-award"),
    path("reports/", reports.ReportList.as_view(), name="contract-report-list"),
    path("reports/<int:report_id>/", reports.ReportDetail.as_view(), name="contract-report-detail"),
    path("lines/<int:line_id>/verification/", reports.LineVerify.as_view(), name="contract-line-verify"),
    path("my-contracts/", my_contracts.SupplierContractList.as_view(), name="contract-supplier-list"),
    path(
        "my-contracts/<int:contract_id>/",
        my_contracts.SupplierContractDetail.as_view(),
        name="contract-supplier-detail",
    ),
    path(
        "my-contracts/<int:contract_id>/reports/<int:report_id>/",
        my_contracts.SupplierReportDetail.as_view(),
        name="contract-supplier-report",
    ),
    path(
        "my-contracts/<int:contract_id>/reports/<int:report_id>/submission/",
        my_contracts.ReportSubmit.as_view(),
        name="contract-supplier-report-submit",
    ),
    path(
        "my-contracts/<int:contract_id>/reports/<int:report_id>/evidence/",
        my_contracts.EvidenceUpload.as_view(),
        name="contract-supplier-evidence-create",
    ),
    path(
        "my-contracts/<int:contract_id>/reports/<int:report_id>/evidence/<int:evidence_id>/",
        my_contracts.EvidenceRemove.as_view(),
        name="contract-supplier-evidence-remove",
    ),
    path(
        "my-contracts/<int:contract_id>/lines/<int:line_id>/answer/",
        my_contracts.QueryAnswer.as_view(),
        name="contract-supplier-query-answer",
    ),
    path("impact/", impact.ImpactView.as_view(), name="impact"),
    path("tracker/", tracker.TrackerList.as_view(), name="tracker-list"),
    path("tracker/<int:contract_id>/", tracker.TrackerDetail.as_view(), name="tracker-detail"),
    path("compact/register/", register.RegisterList.as_view(), name="compact-register-list"),
    path("compact/register/compliance/", register.RegisterCompliance.as_view(), name="compact-register-compliance"),
    path("compact/register/<int:entry_id>/", register.RegisterDetail.as_view(), name="compact-register-detail"),
    path(
        "compact/register/<int:entry_id>/feedback/",
        register.RegisterFeedback.as_view(),
        name="compact-register-feedback",
    ),
    path("compact/checklist/", checklist.ChecklistList.as_view(), name="compact-checklist"),
    path(
        "compact/checklist/<int:action_number>/", checklist.ChecklistAction.as_view(), name="compact-checklist-action"
    ),
    path(
        "compact/checklist/<int:action_number>/evidence/",
        checklist.ChecklistEvidenceAdd.as_view(),
        name="compact-checklist-evidence-add",
    ),
    path(
        "compact/checklist/evidence/<int:checklist_evidence_id>/",
        checklist.ChecklistEvidenceDetail.as_view(),
        name="compact-checklist-evidence-detail",
    ),
    path("compact/case-examples/", case_examples.CaseExampleList.as_view(), name="compact-case-example-list"),
    path(
        "compact/case-examples/<int:example_id>/",
        case_examples.CaseExampleDetail.as_view(),
        name="compact-case-example-detail",
    ),
    path(
        "compact/case-examples/<int:example_id>/approval/",
        case_examples.CaseExampleApproval.as_view(),
        name="compact-case-example-approval",
    ),
    path(
        "compact/case-examples/<int:example_id>/publish/",
        case_examples.CaseExamplePublish.as_view(),
        name="compact-case-example-publish",
    ),
    path(
        "compact/case-examples/<int:example_id>/unpublish/",
        case_examples.CaseExampleUnpublish.as_view(),
        name="compact-case-example-unpublish",
    ),
    path("compact/partners/", partners.PartnerList.as_view(), name="compact-partner-list"),
    path("compact/partners/<int:partner_id>/", partners.PartnerDetail.as_view(), name="compact-partner-detail"),
    path("compact/assessments/", assessments.AssessmentList.as_view(), name="compact-assessment-list"),
    path(
        "compact/assessments/<int:assessment_id>/",
        assessments.AssessmentDetail.as_view(),
        name="compact-assessment-detail",
    ),
    path(
        "compact/assessments/<int:assessment_id>/responses/",
        assessments.AssessmentRespond.as_view(),
        name="compact-assessment-respond",
    ),
    path(
        "compact/assessments/<int:assessment_id>/responses/<int:response_id>/answer/",
        assessments.AssessmentAnswer.as_view(),
        name="compact-assessment-answer",
    ),
    path(
        "compact/assessments/<int:assessment_id>/decision/",
        assessments.AssessmentDecide.as_view(),
        name="compact-assessment-decision",
    ),
]
platform_urlpatterns = []
