"""Serializer fields that accept exactly the JSON types the OpenAPI schema promises."""
from collections.abc import Mapping

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers (DRF's turns 0 into "0"): the schema says string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictStringsMixin:
    """A Serializer whose CharFields take JSON strings only (DRF's turn 0 into "0"), as the schema says;
    a number there is the field's "Not a valid string." error. Form bodies (all strings) are unaffected."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            message = str(serializers.CharField.default_error_messages["invalid"])  # not RegexField's
            errors = {name: [serializers.ErrorDetail(message, code="invalid")]
                      for name, field in self.fields.items()
                      if isinstance(field, serializers.CharField) and not field.read_only
                      and data.get(name) is not None and not isinstance(data.get(name), str)}
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
