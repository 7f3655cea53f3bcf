"""OpenAPI: every operation documents its 4XX/5XX responses as the project's error envelope, and request
shapes say what validation requires.

Use ``schema = ErrorEnvelopeAutoSchema()`` on a view, or make it the default with
``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "maas.api.schema.ErrorEnvelopeAutoSchema"``.

Request shapes (what drf-spectacular leaves out, so that schema-valid requests are accepted):
- a request CharField that refuses "" has ``minLength: 1`` and, unless it has a pattern of its own, a pattern
  refusing NUL (as every DRF CharField does) and, when it trims whitespace, values that are blank once trimmed;
- a serializer with ``openapi_input = True`` is an input shape everywhere (a response that echoes validated
  input, e.g. a booking's leg, shares its component), so its constraints hold in both directions;
- a serializer's ``openapi_extra`` dict (e.g. ``requires_any(["lat", "lon"], ["stop_id"])`` or
  ``{"minProperties": 1}``) is merged into its component: the rules its ``validate()`` enforces;
- a DELETE whose view declares a request serializer documents that body;
- a request body is required when its schema demands anything (required properties, a `not` rule, anyOf/oneOf,
  minProperties): a missing body is then schema-invalid, as the view answers.
"""
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.drainage import get_override
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.schemas.inspectors import ViewInspector
from rest_framework.views import APIView

from maas.api import query


class ResidentJWTScheme(SimpleJWTScheme):
    """The project's JWTAuthentication (maas.accounts.auth) documented as simplejwt's bearer scheme."""

    target_class = "maas.accounts.auth.JWTAuthentication"


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. validation_error.")
    message = serializers.CharField(help_text="Human-readable message in the request's language.")
    details = serializers.JSONField(allow_null=True, help_text="Structured details (field errors, limits) or null.")


class ErrorEnvelopeSerializer(serializers.Serializer):
    """{"error": {"code", "message", "details"}} — the body of every 4xx/5xx."""

    error = ErrorSerializer()


ERROR_STATUS_RANGES = ("4XX", "5XX")
_DEMANDS = ("required", "not", "anyOf", "oneOf", "minProperties")
NO_NUL_PATTERN = r"^[^\x00]*$"


def refusals(description):
    """A documented 400 (the error envelope): what a schema-valid request can still be refused for."""
    from drf_spectacular.utils import OpenApiResponse

    return OpenApiResponse(ErrorEnvelopeSerializer, description=description)


def _none_of(groups):
    return {"allOf": [{"not": {"required": list(group)}} for group in groups]}


def requires_any(*groups):
    """openapi_extra: at least one group of properties is present. Said with `not`, which generated clients
    ignore (openapi-python-client drops the model of an object with anyOf/oneOf: it becomes Any)."""
    return {"not": _none_of(groups)}


def requires_one(first, second):
    """openapi_extra: exactly one of two properties is present (with `not`, as requires_any)."""
    return {"not": {"anyOf": [{"required": [first, second]}, _none_of([[first], [second]])]}}


def _is_input(serializer, direction):
    return direction == "request" or getattr(serializer, "openapi_input", False)


class ErrorEnvelopeAutoSchema(AutoSchema):
    """drf-spectacular AutoSchema adding the error envelope for 4XX and 5XX (explicit codes stay)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response":
            for status_range in ERROR_STATUS_RANGES:
                responses.setdefault(
                    status_range,
                    self._get_response_for_code(ErrorEnvelopeSerializer, status_range, direction=direction),
                )
        return responses

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        parent = field.parent.parent if isinstance(field.parent, serializers.ListField) else field.parent
        if (_is_input(parent, direction) and isinstance(field, serializers.CharField) and not field.allow_blank
                and not field.read_only and get_override(field, "field") is None):
            meta["minLength"] = 1  # a longer min_length wins (drf-spectacular keeps the larger)
        if (_is_input(parent, direction) and not field.read_only and get_override(field, "field") is None
                and any(isinstance(v, ProhibitNullCharactersValidator) for v in field.validators)
                and not any(isinstance(v, RegexValidator) for v in field.validators)):
            blank_once_trimmed = not field.allow_blank and field.trim_whitespace  # "\x1d" is "" then
            meta["pattern"] = query.TRIMMED_NONBLANK_PATTERN if blank_once_trimmed else NO_NUL_PATTERN
        return meta

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # drf-spectacular offers "" beside a pattern when blank is allowed; NO_NUL_PATTERN allows "" itself
        # (and oneOf would then refuse "", matching both)
        one_of = schema.get("oneOf")
        if one_of and one_of[0].get("pattern") == NO_NUL_PATTERN and one_of[1:] == [{"type": "string", "maxLength": 0}]:
            schema.update(schema.pop("oneOf")[0])

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        extra = getattr(serializer, "openapi_extra", None)
        return {**schema, **extra} if extra and _is_input(serializer, direction) else schema

    def _get_request_body(self, direction="request"):
        method = self.method
        if method == "DELETE" and self.get_request_serializer() is not None:
            self.method = "POST"  # drf-spectacular documents bodies of PUT/PATCH/POST only
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = method

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        if schema is not None and not required:
            target = schema
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[1]
                target = self.registry[(name, ResolvedComponent.SCHEMA)].schema
            required = any(target.get(key) for key in _DEMANDS)
        return schema, required


class ErrorEnvelopeSchema(ViewInspector):
    """Class attribute ``schema = ErrorEnvelopeSchema()``: a fresh ErrorEnvelopeAutoSchema per view
    (what DRF's DefaultSchema does for DEFAULT_SCHEMA_CLASS)."""

    def __get__(self, instance, owner):
        result = super().__get__(instance, owner)  # a schema the generator set on this view instance wins
        if not isinstance(result, ErrorEnvelopeSchema):
            return result
        inspector = ErrorEnvelopeAutoSchema()
        inspector.view = instance
        return inspector


class EnvelopeAPIView(APIView):
    """APIView whose OpenAPI operations document the 4XX/5XX error envelope."""

    schema = ErrorEnvelopeSchema()
