"""PostgreSQL binary COPY rows built with numpy (no per-row Python), for the bulk tables.

`encode(columns, n)` returns the bytes of one COPY BINARY stream (header, rows, trailer) for n rows.
columns: list of (pg_type, values, null_mask) with pg_type in int2/int4/int8/float8/bool/text/jsonb;
values are numpy arrays (text: a sequence of str; jsonb: of JSON-serializable values), null_mask a bool
array or None.
"""
from __future__ import annotations

import json

import numpy as np

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
FIXED = {"int2": ">i2", "int4": ">i4", "int8": ">i8", "float8": ">f8", "bool": "u1"}


def pg_type(field) -> str:
    """The binary COPY type of a Django model field's column."""
    internal = field.get_internal_type()
    if internal == "ForeignKey":
        return pg_type(field.target_field)
    return {"SmallIntegerField": "int2", "PositiveSmallIntegerField": "int2", "IntegerField": "int4",
            "PositiveIntegerField": "int4", "BigIntegerField": "int8", "BigAutoField": "int8",
            "AutoField": "int4", "FloatField": "float8", "BooleanField": "bool", "CharField": "text",
            "TextField": "text", "JSONField": "jsonb"}[internal]


def encode(columns: list[tuple[str, object, np.ndarray | None]], n: int, header: bool = True,
           trailer: bool = True) -> bytes:
    """One binary COPY payload for n rows."""
    fast = _encode_uniform(columns, n)
    if fast is not None:
        return (HEADER if header else b"") + fast + (TRAILER if trailer else b"")
    parts = []  # per column: (field lengths incl. the 4-byte length word, data bytes, data lengths, nulls)
    for kind, values, nulls in columns:
        nulls = np.zeros(n, dtype=bool) if nulls is None else np.asarray(nulls, dtype=bool)
        if kind == "jsonb":  # binary jsonb: format version 1, then the JSON text
            encoded = [b"" if isnull else b"\x01" + json.dumps(v, ensure_ascii=False).encode("utf-8")
                       for v, isnull in zip(values, nulls)]
            data_len = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
            data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        elif kind == "text":
            as_array = np.asarray(values, dtype=object)
            if n and (nulls | (as_array == "")).all():  # e.g. a stop_headsign column nobody fills
                data_len, data = np.zeros(n, dtype=np.int64), np.zeros(0, dtype=np.uint8)
            else:
                encoded = [b"" if isnull else str(v).encode("utf-8") for v, isnull in zip(values, nulls)]
                data_len = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
                data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        else:
            dtype = np.dtype(FIXED[kind])
            raw = np.asarray(values)
            if kind in ("int2", "int4", "int8", "bool"):
                raw = np.where(nulls, 0, raw)
            else:
                raw = np.where(nulls, 0.0, raw)
            data = np.ascontiguousarray(raw.astype(dtype)).view(np.uint8).reshape(n, dtype.itemsize)
            data_len = np.where(nulls, 0, dtype.itemsize).astype(np.int64)
        parts.append((kind, data, data_len, nulls))

    field_len = [4 + p[2] for p in parts]
    row_len = 2 + np.sum(field_len, axis=0) if parts else np.full(n, 2)
    start = len(HEADER) if header else 0
    row_off = start + np.concatenate([[0], np.cumsum(row_len)[:-1]]).astype(np.int64)
    total = start + int(row_len.sum()) + (len(TRAILER) if trailer else 0)
    buf = np.zeros(total, dtype=np.uint8)
    if header:
        buf[:len(HEADER)] = np.frombuffer(HEADER, dtype=np.uint8)
    ncols = np.frombuffer(np.array(len(parts), dtype=">i2").tobytes(), dtype=np.uint8)
    buf[row_off] = ncols[0]
    buf[row_off + 1] = ncols[1]
    offset = row_off + 2
    four = np.arange(4)
    for kind, data, data_len, nulls in parts:
        length_word = np.where(nulls, -1, data_len).astype(">i4").view(np.uint8).reshape(n, 4)
        buf[offset[:, None] + four] = length_word
        body = offset + 4
        if kind in ("text", "jsonb"):
            total_bytes = int(data_len.sum())
            if total_bytes:
                starts = np.repeat(body, data_len)
                within = np.arange(total_bytes) - np.repeat(np.cumsum(data_len) - data_len, data_len)
                buf[starts + within] = data
        else:
            keep = ~nulls
            width = data.shape[1]
            buf[body[keep][:, None] + np.arange(width)] = data[keep]
        offset = body + data_len
    if trailer:
        buf[-2:] = 0xFF
    return buf.tobytes()


def _encode_uniform(columns, n: int) -> bytes | None:
    """Rows of one fixed layout (each column all NULL or all set, text columns all empty) as a numpy
    structured array, without per-field scatter; None when the chunk doesn't qualify."""
    if n == 0:
        return None
    fields, values = [("ncols", ">i2")], []
    for i, (kind, vals, nulls) in enumerate(columns):
        nulls = np.zeros(n, dtype=bool) if nulls is None else np.asarray(nulls, dtype=bool)
        if nulls.all():
            fields.append((f"l{i}", ">i4"))
            values.append((f"l{i}", -1, None))
            continue
        if nulls.any() or kind == "jsonb":
            return None
        if kind == "text":
            if not (np.asarray(vals, dtype=object) == "").all():
                return None
            fields.append((f"l{i}", ">i4"))
            values.append((f"l{i}", 0, None))
            continue
        fields += [(f"l{i}", ">i4"), (f"v{i}", FIXED[kind])]
        values.append((f"l{i}", np.dtype(FIXED[kind]).itemsize, (f"v{i}", np.asarray(vals))))
    rows = np.empty(n, dtype=np.dtype(fields))  # packed: numpy adds no padding without align=True
    rows["ncols"] = len(columns)
    for length_field, length, value in values:
        rows[length_field] = length
        if value is not None:
            rows[value[0]] = value[1]
    return rows.tobytes()
