"""The API's foundation: what every endpoint shares, in a module that never imports DRF's views.

DRF reads its settings (authentication, throttles, pagination, the exception handler) when `rest_framework.views`
is first imported, so the classes those settings name must be importable before any view exists: they live here,
and the base views in `accounts.api.views`.

- Authentication: personal API tokens (`Authorization: Bearer <secret>`, or `Token <secret>`) and, for the browser,
  the session with its CSRF check (settings: REST_FRAMEWORK).
- One error body for every refusal: `{"status", "title", "detail", "errors": {"field": ["message"]}}`. A service's
  `DomainError` becomes 400 with its field (409 for the state conflicts an app registers with `register_conflicts`).
- Pagination by page number (25 a page, `page_size` up to 100), ordering through `apply_ordering`, throttles per
  token (or signed-in user) and per IP address for anonymous callers, with rates in settings.API_THROTTLE_RATES.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from foundation.errors import DomainError

from ..models import ApiToken
from ..tokens import token_authenticate

# Authentication -----------------------------------------------------------------------------------------------


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer cvc_...` (or `Token cvc_...`). Unknown or revoked secrets answer 401."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None  # no token: the session (or anonymity) decides
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the token as “Authorization: Bearer <token>”.")
        try:
            secret = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid. It may have been revoked.")
        return token.user, token

    def authenticate_header(self, request):
        # Makes unauthenticated requests answer 401 (with this challenge) rather than 403.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.foundation.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on your account page: `Authorization: Bearer cvc_...`.",
        }


# Errors -------------------------------------------------------------------------------------------------------

TITLES = {
    400: "Invalid input",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    415: "Unsupported media type",
    429: "Too many requests",
}

# DomainError subclasses that mean "not in this state" (a frozen version, a closed consultation): 409, not 400.
_CONFLICTS: set[type[DomainError]] = set()


def register_conflicts(*error_classes: type[DomainError]) -> None:
    """Apps name their state-conflict errors here (accounts cannot import the apps that build on it)."""
    _CONFLICTS.update(error_classes)


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    title = serializers.CharField(help_text="A short, fixed summary of the kind of error.")
    detail = serializers.CharField(help_text="What went wrong, in words fit to show a person.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages for each input field that was refused, by field name. Empty when no field is to blame.",
    )


def error_body(status_code: int, detail: str, errors: dict | None = None) -> dict:
    return {
        "status": status_code,
        "title": TITLES.get(status_code, "Error"),
        "detail": detail,
        "errors": errors or {},
    }


def _flatten(detail, prefix="") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field": [...], "parent.0.child": [...]}."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            flat |= _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return flat
    if isinstance(detail, list) and detail and all(not isinstance(item, dict | list) for item in detail):
        return {prefix or "non_field_errors": [str(item) for item in detail]}
    if isinstance(detail, list):
        flat = {}
        for index, value in enumerate(detail):
            flat |= _flatten(value, f"{prefix}.{index}" if prefix else str(index))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def exception_handler(exc, context):
    """Every error the API answers, in one shape. Unexpected exceptions are left to Django (500, logged)."""
    view = context.get("view")
    field_map = getattr(view, "domain_field_map", {}) or {}
    if isinstance(exc, DomainError):
        status_code = 409 if isinstance(exc, tuple(_CONFLICTS)) else 400
        errors = {field_map.get(exc.field, exc.field): [exc.message]} if exc.field else {}
        return Response(error_body(status_code, exc.message, errors), status=status_code)
    if isinstance(exc, DjangoValidationError):
        errors = (
            {field_map.get(k, k): list(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {}
        )
        return Response(error_body(400, " ".join(exc.messages), errors), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if str(exc) else None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        general = errors.get("non_field_errors")
        detail = general[0] if general else "Check the fields named in “errors”."
        body = error_body(400, detail, errors)
    else:
        body = error_body(exc.status_code, str(exc.detail))
    return Response(body, status=exc.status_code, headers=headers)


ERROR_DESCRIPTIONS = {
    400: "The input was refused: `errors` names each field with its messages.",
    401: "No valid credentials: sign in, or send a live token as `Authorization: Bearer <token>`.",
    403: "Your roles in this authority do not allow this.",
    404: "No such object here, or it is not visible to you (another authority's objects always answer 404).",
    405: "This method is not allowed on this address.",
    409: "The object is not in a state that allows this (for example, an adopted charter version is frozen).",
    429: "Too many requests: wait for the number of seconds in `Retry-After`.",
}


def error_responses(*codes: int) -> dict:
    """The error responses of an endpoint, for `extend_schema(responses=...)`. 429 is always possible."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in sorted({*codes, 429})
    }


# Path parameters are named the same way on every route: describe each once, for the schema.
PATH_PARAMETER_DESCRIPTIONS = {
    "authority_slug": "The authority's slug, as listed at /api/v1/authorities/ (for example `northmoor`).",
}


def describe_path_parameters(result, generator, request, public):
    """drf-spectacular postprocessing hook: a description for every path parameter that has none."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "path" or parameter.get("description"):
                    continue
                name = parameter["name"]
                described = name.removesuffix("_id").replace("_", " ")
                parameter["description"] = PATH_PARAMETER_DESCRIPTIONS.get(name, f"The {described}'s id.")
    return result


# Pagination and ordering --------------------------------------------------------------------------------------


class ApiPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Results per page: 25 unless given, at most 100."),
]


def validated(serializer_class, data, **kwargs) -> dict:
    """The input checked by the serializer; invalid input raises, and the exception handler answers 400 with the
    fields."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def paginated(serializer_class, name: str):
    """The schema of a page of `serializer_class` results."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(help_text="How many results there are in all."),
            "next": serializers.URLField(allow_null=True, help_text="The next page, or null on the last page."),
            "previous": serializers.URLField(allow_null=True, help_text="The previous page, or null on the first."),
            "results": serializer_class(many=True),
        },
    )


def paginate(view, items, serializer_class, *, context: dict | None = None, prepare=None) -> Response:
    """One page of `items` in the common shape; `prepare` decorates each item of the page before serialising."""
    paginator = ApiPagination()
    page = paginator.paginate_queryset(items, view.request, view=view)
    if prepare is not None:
        page = [prepare(item) for item in page]
    data = serializer_class(page, many=True, context={"request": view.request, **(context or {})}).data
    return paginator.get_paginated_response(data)


def ordering_parameter(allowed: tuple[str, ...], default: str) -> OpenApiParameter:
    choices = [*allowed, *(f"-{name}" for name in allowed)]
    return OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        enum=choices,
        description=f"Sort by a field; a leading `-` sorts in descending order. Default `{default}`.",
    )


def apply_ordering(request, queryset, allowed: tuple[str, ...], default: str, *, tie_break: tuple[str, ...] = ("id",)):
    """`?ordering=title` or `-title`, from the allowed fields; a stable tie-break keeps pages from overlapping."""
    ordering = request.query_params.get("ordering", default)
    if ordering.removeprefix("-") not in allowed:
        raise exceptions.ValidationError({"ordering": [f"Sort by one of: {', '.join(allowed)} (or - before one)."]})
    return queryset.order_by(ordering, *tie_break)


def choice_param(request, name: str, choices) -> str:
    """A filter that must be one of `choices` (or absent)."""
    value = request.query_params.get(name, "").strip()
    if value and value not in choices:
        raise exceptions.ValidationError({name: [f"Choose one of: {', '.join(choices)}."]})
    return value


# Throttles ----------------------------------------------------------------------------------------------------


class _RateFromSettings:
    def get_rate(self):
        # Read on every request, so deployments set them by environment and tests can change them.
        return settings.API_THROTTLE_RATES.get(self.scope)


class AnonymousIpThrottle(_RateFromSettings, AnonRateThrottle):
    """Anonymous reads, counted per client IP address (REMOTE_ADDR: settings.REST_FRAMEWORK's NUM_PROXIES)."""

    scope = "anon"


class TokenOrUserThrottle(_RateFromSettings, UserRateThrottle):
    """Signed-in callers: each token is counted on its own; the browser session per user."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        ident = f"token-{request.auth.pk}" if isinstance(request.auth, ApiToken) else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
