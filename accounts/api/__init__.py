"""The REST API's foundation and the accounts endpoints.

- `foundation`: authentication, errors, pagination, ordering, throttles (imported by DRF's settings);
- `views`: the base views `ApiView` and `AuthorityApiView` (scope, roles, `method_permissions`);
- `generic`: the declarative endpoint bases every app's resources build on (docs/api.md, "Declaring an endpoint");
- `authorities`, `jobs`: this app's resources; `urls`: their routes.

Every app's API is a package like this one: `<app>/api/<resource>.py` with its serializers next to its views, what
the resources share in `common.py`, and `urls.py` exporting `authority_urlpatterns` and `platform_urlpatterns`."""
