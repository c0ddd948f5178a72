"""The tenders API's routes (tenders/api/): `authority_urlpatterns` under /api/v1/authorities/<authority_slug>/,
`platform_urlpatterns` under /api/v1/ (both in the "api" namespace). Staff reads of offers mirror the staff pages'
addresses (`tenders/<id>/offers/`, `offers/<id>/`, `offer-documents/<id>/`); a bidder's own offer is at
`my-offers/<id>/`."""

from django.urls import path

from . import clarifications, offers, staff_offers, tender_parts, tenders

authority_urlpatterns = [
    path("tenders/", tenders.TenderList.as_view(), name="tender-list"),
    path("tenders/<int:tender_id>/", tenders.TenderDetail.as_view(), name="tender-detail"),
    path("tenders/<int:tender_id>/weightings/", tenders.TenderWeightings.as_view(), name="tender-weightings"),
    path("tenders/<int:tender_id>/lots/", tender_parts.LotCreate.as_view(), name="tender-lot-create"),
    path(
        "tenders/<int:tender_id>/relevant-measures/",
        tender_parts.RelevantMeasureCreate.as_view(),
        name="tender-relevant-measure-create",
    ),
    path("tenders/<int:tender_id>/questions/", tender_parts.QuestionCreate.as_view(), name="tender-question-create"),
    path("tenders/<int:tender_id>/publish/", tenders.TenderPublish.as_view(), name="tender-publish"),
    path("tenders/<int:tender_id>/amendments/", tenders.TenderAmend.as_view(), name="tender-amend"),
    path("tenders/<int:tender_id>/cancel/", tenders.TenderCancel.as_view(), name="tender-cancel"),
    path("tender-lots/<int:lot_id>/", tender_parts.LotDetail.as_view(), name="tender-lot-detail"),
    path(
        "relevant-measures/<int:relevant_measure_id>/",
        tender_parts.RelevantMeasureDetail.as_view(),
        name="tender-relevant-measure-detail",
    ),
    path("tender-questions/<int:question_id>/", tender_parts.QuestionDetail.as_view(), name="tender-question-detail"),
    path(
        "tenders/<int:tender_id>/clarifications/", clarifications.ClarificationList.as_view(), name="clarification-list"
    ),
    path(
        "clarifications/<int:clarification_id>/answer/",
        clarifications.ClarificationAnswer.as_view(),
        name="clarification-answer",
    ),
    path("tenders/<int:tender_id>/my-offers/", offers.OfferStart.as_view(), name="offer-start"),
    path("my-offers/<int:offer_id>/", offers.MyOffer.as_view(), name="offer-mine"),
    path("my-offers/<int:offer_id>/submit/", offers.MyOfferSubmit.as_view(), name="offer-mine-submit"),
    path("my-offers/<int:offer_id>/withdraw/", offers.MyOfferWithdraw.as_view(), name="offer-mine-withdraw"),
    path("tenders/<int:tender_id>/open-offers/", staff_offers.OffersOpen.as_view(), name="offer-open"),
    path("tenders/<int:tender_id>/offers/", staff_offers.StaffOfferList.as_view(), name="offer-staff-list"),
    path("offers/<int:offer_id>/", staff_offers.StaffOfferDetail.as_view(), name="offer-staff-detail"),
    path("offer-documents/<int:document_id>/", staff_offers.StaffOfferDocument.as_view(), name="offer-staff-document"),
]
platform_urlpatterns = [
    path("tenders/", tenders.PlatformTenderList.as_view(), name="tender-public-list"),
]
