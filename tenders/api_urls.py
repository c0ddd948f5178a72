"""The tenders API's routes (tenders/api.py): `authority_urlpatterns` under /api/v1/authorities/<authority_slug>/,
`platform_urlpatterns` under /api/v1/ (both in the "api" namespace). Staff reads of offers mirror the staff pages'
addresses (`tenders/<id>/offers/`, `offers/<id>/`, `offer-documents/<id>/`); a bidder's own offer is at
`my-offers/<id>/`."""

from django.urls import path

from . import api

authority_urlpatterns = [
    path("tenders/", api.TenderList.as_view(), name="tender-list"),
    path("tenders/<int:tender_id>/", api.TenderDetail.as_view(), name="tender-detail"),
    path("tenders/<int:tender_id>/weightings/", api.TenderWeightings.as_view(), name="tender-weightings"),
    path("tenders/<int:tender_id>/lots/", api.LotCreate.as_view(), name="tender-lot-create"),
    path(
        "tenders/<int:tender_id>/relevant-measures/",
        api.RelevantMeasureCreate.as_view(),
        name="tender-relevant-measure-create",
    ),
    path("tenders/<int:tender_id>/questions/", api.QuestionCreate.as_view(), name="tender-question-create"),
    path("tenders/<int:tender_id>/publish/", api.TenderPublish.as_view(), name="tender-publish"),
    path("tenders/<int:tender_id>/amendments/", api.TenderAmend.as_view(), name="tender-amend"),
    path("tenders/<int:tender_id>/cancel/", api.TenderCancel.as_view(), name="tender-cancel"),
    path("tender-lots/<int:lot_id>/", api.LotDetail.as_view(), name="tender-lot-detail"),
    path(
        "relevant-measures/<int:relevant_measure_id>/",
        api.RelevantMeasureDetail.as_view(),
        name="tender-relevant-measure-detail",
    ),
    path("tender-questions/<int:question_id>/", api.QuestionDetail.as_view(), name="tender-question-detail"),
    path("tenders/<int:tender_id>/clarifications/", api.ClarificationList.as_view(), name="clarification-list"),
    path(
        "clarifications/<int:clarification_id>/answer/",
        api.ClarificationAnswer.as_view(),
        name="clarification-answer",
    ),
    path("tenders/<int:tender_id>/my-offers/", api.OfferStart.as_view(), name="offer-start"),
    path("my-offers/<int:offer_id>/", api.MyOffer.as_view(), name="offer-mine"),
    path("my-offers/<int:offer_id>/submit/", api.MyOfferSubmit.as_view(), name="offer-mine-submit"),
    path("my-offers/<int:offer_id>/withdraw/", api.MyOfferWithdraw.as_view(), name="offer-mine-withdraw"),
    path("tenders/<int:tender_id>/open-offers/", api.OffersOpen.as_view(), name="offer-open"),
    path("tenders/<int:tender_id>/offers/", api.StaffOfferList.as_view(), name="offer-staff-list"),
    path("offers/<int:offer_id>/", api.StaffOfferDetail.as_view(), name="offer-staff-detail"),
    path("offer-documents/<int:document_id>/", api.StaffOfferDocument.as_view(), name="offer-staff-document"),
]
platform_urlpatterns = [
    path("tenders/", api.PlatformTenderList.as_view(), name="tender-public-list"),
]
