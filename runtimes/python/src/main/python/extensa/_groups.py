"""Units by key: the rows of an END_OF_INPUT with group_by, cut into one unit per distinct key.

The engine deals rows to satellites by a hash of their key without sorting the input, so a
satellite's share arrives in any order. Two keys are equal when their wire values are: the same
bytes, or both NULL (NULL is a key of its own, as in GROUP BY). Units are numbered in the order
their keys first appear; each unit's rows keep the order in which they arrived.
"""

import numpy as np
import pandas as pd

from . import _columns as C

# numpy types whose values compare exactly as their wire bytes do (little-endian, as on the wire)
_BY_WIDTH = {1: np.uint8, 2: np.dtype("<u2"), 4: np.dtype("<u4"), 8: np.dtype("<u8")}


class KeyGroups:
    """Where each unit's rows are in a share, and each unit's key for error messages.

    order: None when the rows already come grouped (every key's rows together, keys in order of
    first appearance), else the row positions that group them (a stable sort by unit).
    ends: the end (exclusive) of each unit in the grouped rows.
    """

    def __init__(self, batches, key_indexes, schema):
        if not key_indexes:
            raise ValueError("group_by names no column")
        for index in key_indexes:
            if index >= len(schema):
                raise ValueError(f"group_by names column {index}, the input has {len(schema)}")
        self._types = [schema[i]["type"] for i in key_indexes]
        self._keys = [_key_column([b[1][i] for b in batches], schema[i]["type"]) for i in key_indexes]
        codes = None
        for values, nulls in self._keys:
            column_codes = _codes(values, nulls)
            if codes is None:
                codes = column_codes
            else:
                codes = codes * (int(column_codes.max(initial=0)) + 1) + column_codes
                codes = pd.factorize(codes)[0]
        # numbered by first appearance (a NULL key's code was made last)
        codes = pd.factorize(codes)[0] if len(codes) else codes.astype(np.int64)
        if len(codes) < 2 or bool((codes[1:] >= codes[:-1]).all()):
            self.order = None
        else:
            self.order = np.argsort(codes, kind="stable")
        counts = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
        self.ends = np.cumsum(counts).tolist()
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64) if len(counts) else counts
        self._first = starts if self.order is None else self.order[starts]

    def __len__(self):
        return len(self.ends)

    def key(self, unit):
        """The unit's key as a one-row batch in the wire's form (ERROR unit_key)."""
        row = int(self._first[unit])
        columns = []
        for type_code, (values, nulls) in zip(self._types, self._keys):
            columns.append(_one_row(type_code, values, nulls, row).fields())
        return {"row_count": 1, "column": columns}


def _key_column(parts, type_code):
    """(values, NULL mask or None) of one key column over the share's batches. Fixed-width
    columns are still raw here (their bytes as unsigned integers); the others were converted to
    Python objects on arrival (str, bytes, UUID), whose equality is that of their wire bytes."""
    if not parts:
        return np.zeros(0, dtype=np.uint8), None
    if isinstance(parts[0], C.RawColumn):
        width = C.WIDTH.get(type_code)
        if width is None:
            # variable width and not converted early: compare the values' bytes
            values = np.array([v for p in parts for v in C.split_bytes(p)], dtype=object)
            return values, None
        values = np.concatenate([_fixed_values(p, width) for p in parts]) if len(parts) > 1 \
            else _fixed_values(parts[0], width)
        masks = [p.null_mask() for p in parts]
        if all(m is None for m in masks):
            return values, None
        return values, np.concatenate([np.zeros(p.rows, dtype=bool) if m is None else m
                                       for p, m in zip(parts, masks)])
    values = np.concatenate([np.asarray(p, dtype=object) for p in parts]) if len(parts) > 1 \
        else np.asarray(parts[0], dtype=object)
    return values, None


def _fixed_values(raw, width):
    data = raw.data
    if width in _BY_WIDTH:
        return data.view(_BY_WIDTH[width])
    # wider values (UUID, INTERVAL): their bytes, one bytes object per row
    return np.array([data[i * width:(i + 1) * width].tobytes() for i in range(raw.rows)], dtype=object)


def _codes(values, nulls):
    """A code per row: equal values share one, NULL gets its own (the last code)."""
    codes, uniques = pd.factorize(values)
    codes = codes.astype(np.int64, copy=False)
    if nulls is not None:
        codes[nulls] = len(uniques)
    # objects: None is NULL, and factorize marks it -1
    codes[codes < 0] = len(uniques)
    return codes


def _one_row(type_code, values, nulls, row):
    """A one-row RawColumn holding the key value at row."""
    is_null = (nulls is not None and bool(nulls[row])) or values[row] is None
    validity = np.zeros(1, dtype=np.uint8)
    width = C.WIDTH.get(type_code)
    if width is not None:
        if is_null:
            return C.RawColumn(type_code, 1, 1, validity, data=np.zeros(width, dtype=np.uint8))
        value = values[row]
        raw = value if isinstance(value, bytes) else _value_bytes(type_code, value, width)
        return C.RawColumn(type_code, 1, data=np.frombuffer(raw, dtype=np.uint8).copy())
    if is_null:
        return C.RawColumn(type_code, 1, 1, validity, offsets=np.zeros(2, dtype=np.int32))
    raw = _value_bytes(type_code, values[row], None)
    return C.RawColumn(type_code, 1, offsets=np.array([0, len(raw)], dtype=np.int32),
                       data=np.frombuffer(raw, dtype=np.uint8).copy())


def _value_bytes(type_code, value, width):
    if isinstance(value, np.generic):
        return value.tobytes()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if type_code == C.UUID:
        return value.bytes
    return str(value).encode("utf-8")
