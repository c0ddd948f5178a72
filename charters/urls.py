"""Charter routes: staff pages under /a/<authority_slug>/, public ones under /p/<authority_slug>/, platform-wide
lists at the root."""

from django.urls import include, path

from .views import authoring, consultation, library, public

app_name = "charters"

staff_urlpatterns = (
    library.staff_urlpatterns + authoring.staff_urlpatterns + consultation.staff_urlpatterns + public.staff_urlpatterns
)
public_urlpatterns = public.public_urlpatterns + consultation.public_urlpatterns

urlpatterns = [
    path("a/<slug:authority_slug>/", include(staff_urlpatterns)),
    path("p/<slug:authority_slug>/", include(public_urlpatterns)),
    *public.platform_urlpatterns,
    *consultation.account_urlpatterns,
]
