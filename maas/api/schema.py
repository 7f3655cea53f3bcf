"""OpenAPI: every operation documents its 4XX/5XX responses as the project's error envelope.

Use ``schema = ErrorEnvelopeAutoSchema()`` on a view, or make it the default with
``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "maas.api.schema.ErrorEnvelopeAutoSchema"``.
"""
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.schemas.inspectors import ViewInspector
from rest_framework.views import APIView


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. validation_error.")
    message = serializers.CharField(help_text="Human-readable message in the request's language.")
    details = serializers.JSONField(allow_null=True, help_text="Structured details (field errors, limits) or null.")


class ErrorEnvelopeSerializer(serializers.Serializer):
    """{"error": {"code", "message", "details"}} — the body of every 4xx/5xx."""

    error = ErrorSerializer()


ERROR_STATUS_RANGES = ("4XX", "5XX")


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
