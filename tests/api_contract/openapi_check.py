"""Check real response bodies against the project's generated OpenAPI document (OpenAPI 3.0 -> JSON Schema)."""
import json

import jsonschema
from drf_spectacular.generators import SchemaGenerator


def openapi_document() -> dict:
    """The schema /api/v1/schema/ serves, generated in-process, as plain JSON types."""
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


# Operations whose 200 answers are checked closed: an object with named properties may hold no other key.
# (Others still answer keys their schema does not name, e.g. POST /plans: realtime, leg alerts/delay_s.)
CLOSED_OPERATIONS = {("GET", "/api/v1/alerts"), ("GET", "/api/v1/stops"), ("GET", "/api/v1/stops/{stop_id}/departures"),
                     ("GET", "/api/v1/transit/vehicles"), ("GET", "/api/v1/me/export")}


def _json_schema(node, components, seen=(), closed=False):
    """OpenAPI 3.0 schema -> JSON Schema: $refs inlined, `nullable` as a null alternative, readOnly/writeOnly
    dropped (responses carry read-only fields); `closed`: objects with named properties allow no other key."""
    if isinstance(node, list):
        return [_json_schema(item, components, seen, closed) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        assert name not in seen, f"recursive schema {name}"
        return _json_schema(components[name], components, (*seen, name), closed)
    out = {key: _json_schema(value, components, seen, closed) for key, value in node.items()
           if key not in ("nullable", "readOnly", "writeOnly", "example", "examples", "discriminator")}
    if "properties" in out:
        out["properties"] = {k: _json_schema(v, components, seen, closed) for k, v in node["properties"].items()}
        write_only = {k for k, v in node["properties"].items() if isinstance(v, dict) and v.get("writeOnly")}
        if "required" in out:  # write-only properties are required in requests only
            out["required"] = [k for k in out["required"] if k not in write_only]
    if closed and "properties" in out:
        out.setdefault("additionalProperties", False)
    if node.get("nullable"):
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return {"anyOf": [out, {"type": "null"}]}
    return out


class Contract:
    """The operations of the document, and which (method, path template) were checked with real answers."""

    def __init__(self):
        self.document = openapi_document()
        self.components = self.document["components"]["schemas"]
        self.checked = set()

    def operations(self):
        return {(method.upper(), path) for path, item in self.document["paths"].items()
                for method in item if method in ("get", "post", "put", "patch", "delete")}

    def response_schema(self, method, path, status):
        responses = self.document["paths"][path][method.lower()]["responses"]
        spec = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        assert spec is not None, f"{method} {path}: status {status} is not documented ({sorted(responses)})"
        content = spec.get("content", {})
        if not content:
            return None
        assert "application/json" in content, f"{method} {path} {status}: no application/json response"
        return _json_schema(content["application/json"]["schema"], self.components,
                            closed=(method.upper(), path) in CLOSED_OPERATIONS and str(status).startswith("2"))

    def check(self, method, path, response, status=None):
        """Assert `response` (a DRF test response) has `status` and a body matching the documented schema."""
        body = response.json() if response.content else None
        if status is not None:
            assert response.status_code == status, (method, path, response.status_code, body)
        schema = self.response_schema(method, path, response.status_code)
        if schema is not None:
            errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(body), key=lambda e: list(e.path))
            assert not errors, f"{method} {path} {response.status_code}: " + "; ".join(
                f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:5])
        self.checked.add((method.upper(), path))
        return body
