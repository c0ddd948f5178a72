"""The local Compact page over the API (compact/api_compact.py), under /api/v1/authorities/<authority_slug>/compact/:
the consultation register, the checklist, case examples, Compact partners and decommissioning assessments. No
platform-wide routes."""

from django.urls import path

from . import api_compact as api

authority_urlpatterns = [
    path("compact/register/", api.RegisterList.as_view(), name="compact-register-list"),
    path("compact/register/compliance/", api.RegisterCompliance.as_view(), name="compact-register-compliance"),
    path("compact/register/<int:entry_id>/", api.RegisterDetail.as_view(), name="compact-register-detail"),
    path("compact/register/<int:entry_id>/feedback/", api.RegisterFeedback.as_view(), name="compact-register-feedback"),
    path("compact/checklist/", api.ChecklistList.as_view(), name="compact-checklist"),
    path("compact/checklist/<int:action_number>/", api.ChecklistAction.as_view(), name="compact-checklist-action"),
    path(
        "compact/checklist/<int:action_number>/evidence/",
        api.ChecklistEvidenceAdd.as_view(),
        name="compact-checklist-evidence-add",
    ),
    path(
        "compact/checklist/evidence/<int:checklist_evidence_id>/",
        api.ChecklistEvidenceDetail.as_view(),
        name="compact-checklist-evidence-detail",
    ),
    path("compact/case-examples/", api.CaseExampleList.as_view(), name="compact-case-example-list"),
    path(
        "compact/case-examples/<int:example_id>/", api.CaseExampleDetail.as_view(), name="compact-case-example-detail"
    ),
    path(
        "compact/case-examples/<int:example_id>/approval/",
        api.CaseExampleApproval.as_view(),
        name="compact-case-example-approval",
    ),
    path(
        "compact/case-examples/<int:example_id>/publish/",
        api.CaseExamplePublish.as_view(),
        name="compact-case-example-publish",
    ),
    path(
        "compact/case-examples/<int:example_id>/unpublish/",
        api.CaseExampleUnpublish.as_view(),
        name="compact-case-example-unpublish",
    ),
    path("compact/partners/", api.PartnerList.as_view(), name="compact-partner-list"),
    path("compact/partners/<int:partner_id>/", api.PartnerDetail.as_view(), name="compact-partner-detail"),
    path("compact/assessments/", api.AssessmentList.as_view(), name="compact-assessment-list"),
    path("compact/assessments/<int:assessment_id>/", api.AssessmentDetail.as_view(), name="compact-assessment-detail"),
    path(
        "compact/assessments/<int:assessment_id>/responses/",
        api.AssessmentRespond.as_view(),
        name="compact-assessment-respond",
    ),
    path(
        "compact/assessments/<int:assessment_id>/responses/<int:response_id>/answer/",
        api.AssessmentAnswer.as_view(),
        name="compact-assessment-answer",
    ),
    path(
        "compact/assessments/<int:assessment_id>/decision/",
        api.AssessmentDecide.as_view(),
        name="compact-assessment-decision",
    ),
]
platform_urlpatterns = []
