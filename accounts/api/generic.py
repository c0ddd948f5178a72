"""Declarative endpoint bases: a resource names its selector, service, serializers and the texts of its operations
once, and the base answers the HTTP method and documents it.

    class LotDetail(DestroyMixin, ObjectEndpoint):
        method_permissions = {"DELETE": "tenders.manage"}
        tags = ["tenders"]
        selector, lookup, not_found = selectors.lot_for_staff, "lot_id", "No such lot."
        object_argument, destroy_service = "lot", services.lot_remove
        docs = {"delete": Doc("tenders_lots_destroy", "Remove a lot from a draft", "...", errors=(400, 401, 403))}

- `Endpoint.__init_subclass__` turns `docs` (one `Doc` per method name) into drf-spectacular's `extend_schema_view`,
  with the request and success response each mixin implies (the input serializer, the output serializer, 201 or
  204) and `error_responses(*doc.errors)`; a `Doc` may name its own `request`, `responses` or `parameters`.
- `ObjectEndpoint.get_object()` reads the URL's object through `selector(authority, pk)`; None answers 404.
- The mixins: `RetrieveMixin` (GET), `CreateMixin` (POST a new child of the object), `UpdateMixin` (PATCH, partial),
  `ReplaceMixin` (PUT), `DestroyMixin` (DELETE), `ActionMixin` (POST a transition). Each validates with its
  serializer, calls its service as `service(<object_argument>=obj, acting_user=user, **data)` (or the `create`,
  `update`, `replace`, `destroy`, `act` hook, to override) and answers `present(result)`.

Endpoints whose behaviour is special (sealed offers, file downloads, a bidder's own offer) keep explicit methods.
"""

import inspect
from dataclasses import dataclass
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.response import Response

from .foundation import error_responses, validated
from .views import AuthorityApiView

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


class Endpoint(AuthorityApiView):
    """An endpoint under an authority whose operations are documented by `docs` (see the module's docstring)."""

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
        default_request, default_responses = cls._implied(method)
        options = {
            "operation_id": doc.operation_id,
            "summary": doc.summary,
            "responses": {**(doc.responses or default_responses), **error_responses(*doc.errors)},
            "tags": cls.tags,
            "description": doc.description,  # never a base class's docstring
        }
        request = default_request if doc.request is UNSET else doc.request
        if request is not UNSET:
            options["request"] = request
        if doc.parameters:
            options["parameters"] = list(doc.parameters)
        return extend_schema(**options)

    @classmethod
    def _implied(cls, method: str):
        """The request and success responses a method implies, from the mixin that answers it."""
        implied = getattr(cls, f"_{method}_schema", None)
        return implied() if implied else (UNSET, {200: cls.output_serializer})

    def present(self, result) -> Any:
        """The response body for a result: the output serializer's data (override to decorate the result)."""
        return self.output_serializer(result, context={"request": self.request}).data

    def call(self, service, obj, data: dict):
        return service(**{self.object_argument: obj}, acting_user=self.request.user, **data)

    object_argument = "object"


class ObjectEndpoint(Endpoint):
    """An endpoint about the object the URL names (`lookup`), read through `selector(authority, pk)`."""

    selector: Any = None
    lookup = ""
    not_found = "No such object."

    def get_object(self):
        obj = self.selector(self.authority, self.kwargs[self.lookup])
        if obj is None:
            raise exceptions.NotFound(self.not_found)
        return obj


class RetrieveMixin:
    """GET: the object, presented."""

    def get(self, request, *args, **kwargs):
        return Response(self.present(self.get_object()))


class CreateMixin:
    """POST: a new child of the object, from `create_serializer`, through `create_service`: 201."""

    create_serializer: Any = None
    create_service: Any = None

    @classmethod
    def _post_schema(cls):
        return cls.create_serializer, {201: cls.output_serializer}

    def post(self, request, *args, **kwargs):
        created = self.create(self.get_object(), dict(validated(self.create_serializer, request.data)))
        return Response(self.present(created), status=status.HTTP_201_CREATED)

    def create(self, obj, data: dict):
        return self.call(self.create_service, obj, data)


class UpdateMixin:
    """PATCH: the fields sent, from `update_serializer` (partial), through `update_service`."""

    update_serializer: Any = None
    update_service: Any = None

    @classmethod
    def _patch_schema(cls):
        return cls.update_serializer(partial=True), {200: cls.output_serializer}

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
        return cls.replace_serializer, {200: cls.output_serializer}

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
        return UNSET, {204: OpenApiResponse(description="Removed.")}

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
        return cls.action_serializer, {cls.action_status: cls.output_serializer}

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        data = dict(validated(self.action_serializer, request.data)) if self.action_serializer else {}
        return Response(self.present(self.act(obj, data)), status=self.action_status)

    def act(self, obj, data: dict):
        return self.call(self.action_service, obj, data)
