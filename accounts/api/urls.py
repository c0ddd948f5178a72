"""The accounts API's routes (accounts/api/): `authority_urlpatterns` under /api/v1/authorities/<authority_slug>/
(the authority itself, its background jobs), `platform_urlpatterns` under /api/v1/ (the list of authorities)."""

from django.urls import path

from . import authorities, jobs

authority_urlpatterns = [
    path("", authorities.AuthorityDetail.as_view(), name="authority-detail"),
    path("jobs/", jobs.JobStart.as_view(), name="job-start"),
    path("jobs/<int:job_id>/", jobs.JobDetail.as_view(), name="job-detail"),
    path("jobs/<int:job_id>/download/", jobs.JobDownload.as_view(), name="job-download"),
]
platform_urlpatterns = [
    path("authorities/", authorities.AuthorityList.as_view(), name="authority-list"),
]
