"""Serializer fields that accept exactly the JSON types the OpenAPI schema promises."""
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers (DRF's turns 0 into "0"): the schema says string."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
