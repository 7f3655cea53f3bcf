"""Model rows as JSON-able dicts (the export's building block, shared by every app's privacy module)."""
import json

from django.core.serializers.json import DjangoJSONEncoder


def row(obj, exclude=()):
    """Every concrete field of `obj` (foreign keys as ids), JSON-safe."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.attname] = getattr(obj, field.attname)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def rows(queryset, exclude=()):
    return [row(obj, exclude) for obj in queryset]
