"""Background jobs over the API (accounts/api/jobs.py), under /api/v1/authorities/<authority_slug>/jobs/: start a
job, read its status, download its file. No platform-wide routes."""

from django.urls import path

from . import jobs

authority_urlpatterns = [
    path("jobs/", jobs.JobStart.as_view(), name="job-start"),
    path("jobs/<int:job_id>/", jobs.JobDetail.as_view(), name="job-detail"),
    path("jobs/<int:job_id>/download/", jobs.JobDownload.as_view(), name="job-download"),
]
platform_urlpatterns = []
