"""Contract follow-up routes: staff pages under /a/<authority_slug>/, public ones under /p/<authority_slug>/, and
platform-wide pages at the root."""

from django.urls import include, path

from .views import (
    compact_home,
    contracts,
    decommissioning,
    impact,
    local_compact,
    register,
    reports,
    supplier,
    tracker,
)

app_name = "compact"

_modules = (
    contracts,
    supplier,
    reports,
    impact,
    tracker,
    decommissioning,
    register,
    local_compact,
    compact_home,
)
staff_urlpatterns = [pattern for module in _modules for pattern in module.staff_urlpatterns]
public_urlpatterns = [pattern for module in _modules for pattern in module.public_urlpatterns]

urlpatterns = [
    path("a/<slug:authority_slug>/", include(staff_urlpatterns)),
    path("p/<slug:authority_slug>/", include(public_urlpatterns)),
    *[pattern for module in _modules for pattern in module.platform_urlpatterns],
]
