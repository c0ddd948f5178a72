"""PLACEHOLDER docstring: replaced by the helper that owns this module."""

staff_urlpatterns = []
public_urlpatterns = []
platform_urlpatterns = []
