"""JSON request bodies with bounded nesting: too deep is a 400 `json_too_deep`, never a RecursionError.

`JSONParser` is the API's default parser; `loads(raw)` is for views that read the body themselves.
The depth (objects and arrays) is measured on the raw text before the body is decoded.
"""
import json
import re

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

DEFAULT_MAX_DEPTH = 64
_STRING = re.compile(rb'"[^"]*"')
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'"[]{}')
_STEP = np.zeros(256, dtype=np.int8)
_STEP[[ord("["), ord("{")]], _STEP[[ord("]"), ord("}")]] = 1, -1


def max_depth():
    return int(getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH))


def nesting_exceeds(raw: bytes, limit: int) -> bool:
    """True if the JSON text `raw` nests objects/arrays deeper than `limit` (strings are skipped).

    At C speed: escapes and strings are cut out, the brackets left are summed as +1 / -1 and the
    running sum's maximum is the depth (unbalanced text is then rejected by the decoder).
    """
    if b"\\" in raw:  # an escaped backslash or quote is string content
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    shape = raw.translate(None, _NOT_STRUCTURE).replace(b'""', b"")  # quotes alternate open/close
    if b'"' in shape:
        shape = _STRING.sub(b"", shape)
    if shape.count(b"[") + shape.count(b"{") <= limit:  # the common small body
        return False
    return _deepest(shape) > limit


def _deepest(brackets: bytes) -> int:
    """The deepest nesting in a text of brackets only (a running sum of +1 / -1)."""
    steps = _STEP[np.frombuffer(brackets, dtype=np.uint8)]
    return int(np.cumsum(steps, dtype=np.int32).max()) if len(steps) else 0


def too_deep(limit):
    from maas.api.errors import ApiError  # errors imports DRF views, which import this parser

    return ApiError(_("The JSON body is nested too deeply (more than %(max)d levels).") % {"max": limit},
                    code="json_too_deep", details={"max_depth": limit}, status_code=400)


def loads(raw):
    """json.loads after the depth check; ApiError 400 json_too_deep when nested too deeply."""
    limit = max_depth()
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    if nesting_exceeds(data, limit):
        raise too_deep(limit)
    try:
        return json.loads(data)
    except RecursionError:  # a decoder limit below ours (a small recursion limit)
        raise too_deep(limit) from None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the depth bound."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        limit = max_depth()
        if nesting_exceeds(raw, limit):
            raise too_deep(limit)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = raw.decode(encoding)
            return drf_json.loads(text, parse_constant=drf_json.strict_constant if self.strict else None)
        except RecursionError:
            raise too_deep(limit) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
