"""Declarative endpoint bases: a resource names its selector, service, serializers and the texts of its operations
once, and the base answers the HTTP method and documents it.

    class LotDetail(DestroyMixin, ObjectEndpoint):
        method_permissions = {"DELETE": "tenders.manage"}
        tags = ["tenders"]
        selector, lookup, not_found = selectors.lot_for_staff, "lot_id", "No such lot."
        object_argument, destroy_service = "lot", services.lot_remove
        docs = {"delete": Doc("tenders_lots_destroy", "Remove a lot from a draft", "...", errors=(400, 401, 403))}

- `Endpoint` (under an authority) and `PlatformEndpoint` (under /api/v1/ itself) share `Documented`, whose
  `__init_subclass__` turns `docs` (one `Doc` per method name) into drf-spectacular's `extend_schema_view`,
  with the request and success response each mixin implies (the input serializer, the output serializer, 201 or
  204) and `error_responses(*doc.errors)`; a `Doc` may name its own `request`, `responses` or `parameters`.
- `ObjectEndpoint.get_object()` reads the URL's object through `selector(authority, pk, **selector_options())`;
  None answers 404.
- The mixins: `ListMixin` (GET a page, ordered), `RetrieveMixin` (GET), `CreateMixin` (POST a new child of the
  object), `UpdateMixin` (PATCH, partial), `ReplaceMixin` (PUT), `DestroyMixin` (DELETE), `ActionMixin` (POST a
  transition), `CollectionMixin` (GET every item of a short list, unpaged). Each validates with its serializer,
  calls its service as `service(<object_argument>=obj, acting_user=user, **data)` (or the `create`, `update`,
  `replace`, `destroy`, `act` hook, to override) and answers `present(result)`; `ListMixin` pages `items()`.
- Filters: `filter_serializer(FilterSet)` validates and documents a FilterSet's query parameters, `filtered(...)`
  applies them (the FilterSet, in `<app>/filters.py`, is shared with the page's filter form).

Endpoints whose behaviour is special (staff reads of offers through the seal, file downloads and uploads) keep
explicit method bodies, but declare their schema through `docs` like every other: no endpoint carries a
per-method `extend_schema`.
"""

import inspect
from dataclasses import dataclass
from typing import Any

from django import forms
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from .foundation import (
    PAGE_PARAMETERS,
    apply_ordering,
    error_responses,
    ordering_parameter,
    paginate,
    paginated,
    validated,
)
from .views import ApiView, AuthorityApiView

UNSET: Any = object()


@dataclass(frozen=True)
class Doc:
    """One operation's text in the schema. `errors`: the error statuses it may answer (429 is always added)."""

    operation_id: str
    summary: str
    description: str = ""
    errors: tuple[int, ...] = ()
    parameters: tuple = ()
    request: Any = UNSET  # default: the mixin's input serializer (or no body)
    responses: dict | None = None  # the success responses; default: the mixin's


# The attributes that hold plain functions (selectors, services): they must not bind to the view as methods.
_CALLABLES = ("selector", "create_service", "update_service", "replace_service", "destroy_service", "action_service")


class Documented:
    """What every endpoint declares, whatever its base view: `docs` (see the module's docstring), `present`, `call`."""

    tags: list[str] = []
    docs: dict[str, Doc] = {}
    output_serializer: Any = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in _CALLABLES:
            value = cls.__dict__.get(name)
            if inspect.isfunction(value):
                setattr(cls, name, staticmethod(value))
        if "docs" in cls.__dict__:
            extend_schema_view(**{method: cls._schema(method, doc) for method, doc in cls.docs.items()})(cls)

    @classmethod
    def _schema(cls, method: str, doc: Doc):
        implied = cls._implied(method)
        options = {
            "operation_id": doc.operation_id,
            "summary": doc.summary,
            "description": doc.description,  # never a base class's docstring
            "responses": {**(doc.responses or implied["responses"]), **error_responses(*doc.errors)},
            "tags": cls.tags,
        }
        request = implied.get("request", UNSET) if doc.request is UNSET else doc.request
        if request is not UNSET:
            options["request"] = request
        if parameters := [*doc.parameters, *implied.get("parameters", ())]:
            options["parameters"] = parameters
        return extend_schema(**options)

    @classmethod
    def _implied(cls, method: str) -> dict:
        """The request, success responses and parameters a method implies, from the mixin that answers it."""
        implied = getattr(cls, f"_{method}_schema", None)
        return implied() if implied else {"responses": {200: cls.output_serializer}}

    def present(self, result) -> Any:
        """The response body for a result: the output serializer's data (override to decorate the result)."""
        return self.output_serializer(result, context={"request": self.request}).data

    def call(self, service, obj, data: dict):
        return service(**{self.object_argument: obj}, acting_user=self.request.user, **data)

    object_argument = "object"


class Endpoint(Documented, AuthorityApiView):
    """An endpoint under an authority whose operations are documented by `docs` (see the module's docstring)."""


class PlatformEndpoint(Documented, ApiView):
    """An endpoint under /api/v1/ itself, not under an authority (the lists across authorities): the same `docs`
    and mixins, for what needs no authority (`ListMixin`, `RetrieveMixin` with its own `get_object`)."""


class ObjectEndpoint(Endpoint):
    """An endpoint about the object the URL names (`lookup`), read through `selector(authority, pk)`."""

    selector: Any = None
    lookup = ""
    not_found = "No such object."

    def selector_options(self) -> dict:
        """More keyword arguments for the selector, for reads that depend on the caller (drafts for staff)."""
        return {}

    def get_object(self):
        obj = self.selector(self.authority, self.kwargs[self.lookup], **self.selector_options())
        if obj is None:
            raise exceptions.NotFound(self.not_found)
        return obj


class ListMixin:
    """GET: a page of `items()`, sorted by `?ordering=` among `ordering_fields` (default `default_ordering`, then
    `ordering_tie_break`), each decorated by `prepare_item` (if any) and presented by `output_serializer`; the schema
    calls the page `page_name` and adds the ordering and page parameters to the Doc's."""

    ordering_fields: tuple[str, ...] = ()
    default_ordering = ""
    ordering_tie_break: tuple[str, ...] = ("id",)
    page_name = ""
    prepare_item = None

    @classmethod
    def _get_schema(cls):
        ordering = [ordering_parameter(cls.ordering_fields, cls.default_ordering)] if cls.ordering_fields else []
        return {
            "responses": {200: paginated(cls.output_serializer, cls.page_name)},
            "parameters": [*ordering, *PAGE_PARAMETERS],
        }

    def get(self, request, *args, **kwargs):
        items = self.items()
        if self.ordering_fields:
            items = apply_ordering(
                request, items, self.ordering_fields, self.default_ordering, tie_break=self.ordering_tie_break
            )
        return paginate(self, items, self.output_serializer, context=self.page_context(), prepare=self.prepare_item)

    def page_context(self) -> dict | None:
        """More context for the page's serializer (called after `items()`), e.g. the instant the list was read at."""
        return None

    def items(self):
        raise NotImplementedError


class RetrieveMixin:
    """GET: the object, presented."""

    def get(self, request, *args, **kwargs):
        return Response(self.present(self.get_object()))


class CreateMixin:
    """POST: a new child of the object (of the authority, for an endpoint with no `selector`), from
    `create_serializer`, through `create_service`: 201."""

    create_serializer: Any = None
    create_service: Any = None

    @classmethod
    def _post_schema(cls):
        return {"request": cls.create_serializer, "responses": {201: cls.output_serializer}}

    def post(self, request, *args, **kwargs):
        parent = self.get_object() if getattr(self, "selector", None) else self.authority
        created = self.create(parent, dict(validated(self.create_serializer, request.data)))
        return Response(self.present(created), status=status.HTTP_201_CREATED)

    def create(self, obj, data: dict):
        return self.call(self.create_service, obj, data)


class UpdateMixin:
    """PATCH: the fields sent, from `update_serializer` (partial), through `update_service`."""

    update_serializer: Any = None
    update_service: Any = None

    @classmethod
    def _patch_schema(cls):
        return {"request": cls.update_serializer(partial=True), "responses": {200: cls.output_serializer}}

    def patch(self, request, *args, **kwargs):
        obj = self.get_object()
        data = dict(validated(self.update_serializer, request.data, partial=True))
        return Response(self.present(self.update(obj, data)))

    def update(self, obj, data: dict):
        return self.call(self.update_service, obj, data)


class ReplaceMixin:
    """PUT: the whole input, from `replace_serializer`, through `replace_service`."""

    replace_serializer: Any = None
    replace_service: Any = None

    @classmethod
    def _put_schema(cls):
        return {"request": cls.replace_serializer, "responses": {200: cls.output_serializer}}

    def put(self, request, *args, **kwargs):
        obj = self.get_object()
        data = dict(validated(self.replace_serializer, request.data))
        return Response(self.present(self.replace(obj, data)))

    def replace(self, obj, data: dict):
        return self.call(self.replace_service, obj, data)


class DestroyMixin:
    """DELETE: the object, through `destroy_service`: 204."""

    destroy_service: Any = None

    @classmethod
    def _delete_schema(cls):
        return {"responses": {204: OpenApiResponse(description="Removed.")}}

    def delete(self, request, *args, **kwargs):
        self.destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def destroy(self, obj) -> None:
        self.call(self.destroy_service, obj, {})


class ActionMixin:
    """POST: a transition of the object, with `action_serializer`'s input (None: no body), through `action_service`;
    answers `action_status` with `present(result)`."""

    action_serializer: Any = None
    action_service: Any = None
    action_status = status.HTTP_200_OK

    @classmethod
    def _post_schema(cls):
        return {"request": cls.action_serializer, "responses": {cls.action_status: cls.output_serializer}}

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        data = dict(validated(self.action_serializer, request.data)) if self.action_serializer else {}
        return Response(self.present(self.act(obj, data)), status=self.action_status)

    def act(self, obj, data: dict):
        return self.call(self.action_service, obj, data)


class CollectionMixin:
    """GET: all of `items()` at once, for a short list bounded by its object (a panel, a tender's awards): no pages,
    presented by `present_all` (the output serializer, many)."""

    @classmethod
    def _get_schema(cls):
        return {"responses": {200: cls.output_serializer(many=True)}}

    def get(self, request, *args, **kwargs):
        return Response(self.present_all(self.items()))

    def items(self):
        raise NotImplementedError

    def present_all(self, items) -> list:
        return self.output_serializer(items, many=True, context={"request": self.request}).data


# Filters: declared once as a django-filter FilterSet (in <app>/filters.py), shared with the page's filter form ----


def _query_field(field: forms.Field) -> serializers.Field:
    """The API's query parameter for a FilterSet's form field: DRF's validation messages and schema."""
    common = {"required": False, "help_text": str(field.help_text) or None}
    if isinstance(field, forms.RegexField):
        return serializers.RegexField(
            field.regex.pattern, error_messages={"invalid": field.error_messages["invalid"]}, **common
        )
    if isinstance(field, forms.SlugField):
        return serializers.SlugField(**common)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=[choice for choice in field.choices if choice[0] != ""], **common)
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=field.max_digits, decimal_places=field.decimal_places, min_value=field.min_value, **common
        )
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, forms.NullBooleanField):
        return serializers.BooleanField(default=False, **common)
    if isinstance(field, forms.CharField):
        return serializers.CharField(allow_blank=True, max_length=field.max_length, **common)
    raise TypeError(f"No query parameter for a {type(field).__name__}")


def filter_serializer(filterset_class, name: str) -> type[serializers.Serializer]:
    """The query parameters of a FilterSet as a serializer: it validates them (400 with the fields, as every input)
    and documents them (`extend_schema(parameters=[...])`). The FilterSet's `problems(data)`, if it has one, checks
    the values together (a range that ends before it starts)."""
    fields = {filter_name: _query_field(f.field) for filter_name, f in filterset_class.base_filters.items()}

    def validate(self, data):
        problems = getattr(filterset_class, "problems", None)
        if problems and (found := problems(data)):
            raise serializers.ValidationError({field: [message] for field, message in found.items()})
        return data

    return type(name, (serializers.Serializer,), {**fields, "validate": validate})


def filtered(filterset_class, queryset, data: dict, **kwargs):
    """`queryset` narrowed by the FilterSet, from values `filter_serializer` validated."""
    filterset = filterset_class(queryset=queryset, **kwargs)
    filterset.form.cleaned_data = {name: value for name, value in data.items() if name in filterset.filters}
    return filterset.filter_queryset(queryset)
