"""The REST API's foundation (`foundation`: authentication, errors, pagination, throttles) and base views
(`views`: `ApiView`, `AuthorityApiView`, the authority endpoints). Each app's endpoints live in `<app>/api.py`."""
