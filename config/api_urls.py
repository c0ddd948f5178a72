"""PLACEHOLDER docstring: replaced by the helper that owns the API."""

app_name = "api"

urlpatterns = []
