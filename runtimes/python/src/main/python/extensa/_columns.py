"""The columnar batch layer: raw columns as numpy arrays, checked on arrival.

A RawColumn holds exactly what a batch column carries on the wire (docs/protocol.md,
"Columns"): validity bytes, int offsets, the data bytes, an ARRAY's child and shapes. Decoding
validates every length and offset, so later conversions never index out of bounds. Columns of
several batches are concatenated once per unit; output columns are cut into batches by size.
"""

import re

import numpy as np

from ._wire import ProtocolError

BOOL = 1
INT16 = 2
INT32 = 3
INT64 = 4
FLOAT32 = 5
FLOAT64 = 6
DECIMAL = 7
TEXT = 8
BYTES = 9
DATE = 10
TIMESTAMP = 11
TIMESTAMPTZ = 12
TIME = 13
INTERVAL = 14
UUID = 15
JSON = 16
ARRAY = 17

TYPE_NAMES = {
    BOOL: "BOOL", INT16: "INT16", INT32: "INT32", INT64: "INT64", FLOAT32: "FLOAT32", FLOAT64: "FLOAT64",
    DECIMAL: "DECIMAL", TEXT: "TEXT", BYTES: "BYTES", DATE: "DATE", TIMESTAMP: "TIMESTAMP",
    TIMESTAMPTZ: "TIMESTAMPTZ", TIME: "TIME", INTERVAL: "INTERVAL", UUID: "UUID", JSON: "JSON", ARRAY: "ARRAY",
}
TYPE_CODES = {name: code for code, name in TYPE_NAMES.items()}

WIDTH = {BOOL: 1, INT16: 2, INT32: 4, INT64: 8, FLOAT32: 4, FLOAT64: 8, DATE: 4, TIMESTAMP: 8, TIMESTAMPTZ: 8,
         TIME: 8, INTERVAL: 16, UUID: 16}
VARIABLE = frozenset((DECIMAL, TEXT, BYTES, JSON))
TEXT_TYPES = frozenset((DECIMAL, TEXT, JSON))

DTYPE = {
    BOOL: np.dtype(np.bool_), INT16: np.dtype("<i2"), INT32: np.dtype("<i4"), INT64: np.dtype("<i8"),
    FLOAT32: np.dtype("<f4"), FLOAT64: np.dtype("<f8"), DATE: np.dtype("<i4"), TIMESTAMP: np.dtype("<i8"),
    TIMESTAMPTZ: np.dtype("<i8"), TIME: np.dtype("<i8"),
    INTERVAL: np.dtype([("micros", "<i8"), ("days", "<i4"), ("months", "<i4")]),
    UUID: np.dtype((np.void, 16)),
}

DATE_INFINITY = 2**31 - 1
DATE_NEG_INFINITY = -2**31
TIMESTAMP_INFINITY = 2**63 - 1
TIMESTAMP_NEG_INFINITY = -2**63

PG_TYPES = {
    BOOL: "boolean", INT16: "smallint", INT32: "integer", INT64: "bigint", FLOAT32: "real",
    FLOAT64: "double precision", DECIMAL: "numeric", TEXT: "text", BYTES: "bytea", DATE: "date",
    TIMESTAMP: "timestamp", TIMESTAMPTZ: "timestamptz", TIME: "time", INTERVAL: "interval", UUID: "uuid",
    JSON: "jsonb",
}

_DECIMAL_DIGITS = np.zeros(256, dtype=bool)
_DECIMAL_DIGITS[np.frombuffer(b"0123456789.eE+-", dtype=np.uint8)] = True
_DECIMAL_LETTERS = np.zeros(256, dtype=bool)
_DECIMAL_LETTERS[np.frombuffer(b"NaIfnity", dtype=np.uint8)] = True
_DECIMAL_TEXT = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)|NaN")
_EMPTY = np.zeros(0, dtype=np.uint8)
_INT32_MAX = 2**31 - 1


class RawColumn:
    """One column's wire buffers as numpy arrays.

    validity: uint8 per row (1 value, 0 NULL) or None when no row is NULL.
    offsets: int32 (as received) or int64 (after concatenation) with rows + 1 entries, for
    variable-length types and ARRAY. data: uint8 bytes (fixed-width values or concatenated
    values; empty for ARRAY). child: the ARRAY elements. shape_offsets/shapes: int arrays or None.
    """

    __slots__ = ("type", "rows", "null_count", "validity", "offsets", "data", "child", "shape_offsets",
                 "shapes", "text_cache")

    def __init__(self, type_code, rows, null_count=0, validity=None, offsets=None, data=_EMPTY, child=None,
                 shape_offsets=None, shapes=None):
        self.type = type_code
        self.rows = rows
        self.null_count = null_count
        self.validity = validity if null_count else None
        self.offsets = offsets
        self.data = data
        self.child = child
        self.shape_offsets = shape_offsets
        self.shapes = shapes
        self.text_cache = None

    def null_mask(self):
        """A bool array, True where the row is NULL; None when no row is NULL."""
        if not self.null_count:
            return None
        return self.validity == 0

    def values(self):
        """The fixed-width values as a typed numpy view (no copy)."""
        return self.data.view(DTYPE[self.type])

    def lengths(self):
        return np.diff(self.offsets)

    def fields(self):
        """The column's fields for encoding, in canonical form."""
        out = {"type": self.type, "null_count": int(self.null_count)}
        if self.null_count:
            out["validity"] = _contiguous(self.validity, np.uint8)
        if self.offsets is not None:
            out["offsets"] = _contiguous(self.offsets, "<i4")
        if self.type == ARRAY:
            out["child"] = self.child.fields()
            if self.shapes is not None:
                out["shape_offsets"] = _contiguous(self.shape_offsets, "<i4")
                out["shapes"] = _contiguous(self.shapes, "<i4")
        else:
            out["data"] = _contiguous(self.data, np.uint8)
        return out

    def slice(self, start, stop):
        """Rows [start, stop) as a column of their own (views where possible)."""
        validity = None
        null_count = 0
        if self.null_count:
            validity = self.validity[start:stop]
            null_count = int(np.count_nonzero(validity == 0))
        if self.type in WIDTH:
            w = WIDTH[self.type]
            return RawColumn(self.type, stop - start, null_count, validity, data=self.data[start * w:stop * w])
        offsets = self.offsets[start:stop + 1]
        base = int(offsets[0])
        rebased = offsets - base if base else offsets
        if self.type != ARRAY:
            return RawColumn(self.type, stop - start, null_count, validity, rebased,
                             self.data[base:int(offsets[-1])])
        child = self.child.slice(base, int(offsets[-1]))
        shape_offsets = shapes = None
        if self.shapes is not None:
            so = self.shape_offsets[start:stop + 1]
            if len(so) > 1 and int(np.diff(so).max()) > 1:
                shape_offsets = so - so[0]
                shapes = self.shapes[int(so[0]):int(so[-1])]
        return RawColumn(ARRAY, stop - start, null_count, validity, rebased, _EMPTY, child, shape_offsets, shapes)

    def row_bytes(self):
        """Approximate encoded bytes per row (int64 array), to cut batches by size."""
        if self.type in WIDTH:
            sizes = np.full(self.rows, WIDTH[self.type], dtype=np.int64)
        elif self.type != ARRAY:
            sizes = np.diff(self.offsets).astype(np.int64) + 4
        else:
            child = np.concatenate(([0], np.cumsum(self.child.row_bytes())))
            sizes = child[self.offsets[1:]] - child[self.offsets[:-1]] + 4
        if self.null_count:
            sizes += 1
        return sizes


def _contiguous(array, dtype):
    return np.ascontiguousarray(array, dtype=dtype)


def _fail(context, message):
    raise ProtocolError(f"{context}: {message}")


def _array(mv, dtype, context, name):
    if mv is None:
        return None
    if len(mv) % np.dtype(dtype).itemsize:
        _fail(context, f"{name} length {len(mv)} is not a multiple of {np.dtype(dtype).itemsize}")
    return np.frombuffer(mv, dtype=dtype)


def decode_column(fields, rows, context="column", array_allowed=True):
    """Validates a decoded column struct (a dict from _wire.decode) and wraps its buffers."""
    type_code = fields["type"]
    if type_code not in TYPE_NAMES:
        _fail(context, f"unknown column type {type_code}")
    where = f"{context} ({TYPE_NAMES[type_code]})"
    null_count = fields.get("null_count", 0)
    if not 0 <= null_count <= rows:
        _fail(where, f"null_count {null_count} with {rows} rows")
    validity = _array(fields.get("validity"), np.uint8, where, "validity")
    if validity is None:
        if null_count:
            _fail(where, f"{null_count} NULLs but no validity")
    else:
        if len(validity) != rows:
            _fail(where, f"validity has {len(validity)} bytes for {rows} rows")
        if rows and int(validity.max()) > 1:
            _fail(where, "validity bytes must be 0 or 1")
        zeros = rows - int(np.count_nonzero(validity))
        if zeros != null_count:
            _fail(where, f"validity marks {zeros} NULLs, null_count says {null_count}")
        if not null_count:
            validity = None
    data = fields.get("data")
    data = _EMPTY if data is None else np.frombuffer(data, dtype=np.uint8)
    has = [name for name in ("offsets", "child", "shape_offsets", "shapes") if name in fields]

    if type_code in WIDTH:
        if has:
            _fail(where, f"field {has[0]} does not belong to this type")
        if len(data) != rows * WIDTH[type_code]:
            _fail(where, f"data has {len(data)} bytes, {rows} rows need {rows * WIDTH[type_code]}")
        if type_code == BOOL and rows and int(data.max()) > 1:
            _fail(where, "BOOL values must be 0 or 1")
        return RawColumn(type_code, rows, null_count, validity, data=data)

    offsets = _array(fields.get("offsets"), "<i4", where, "offsets")
    if type_code != ARRAY:
        for name in ("child", "shape_offsets", "shapes"):
            if name in fields:
                _fail(where, f"field {name} does not belong to this type")
        _check_offsets(where, offsets, rows, len(data), validity)
        column = RawColumn(type_code, rows, null_count, validity, offsets, data)
        if type_code in TEXT_TYPES:
            _check_text(where, column)
        return column

    if not array_allowed:
        _fail(where, "array elements cannot be arrays")
    if len(data):
        _fail(where, "an ARRAY column has no data field")
    if "child" not in fields:
        _fail(where, "ARRAY without a child column")
    if offsets is None:
        _fail(where, "missing offsets")
    if len(offsets) != rows + 1:
        _fail(where, f"offsets have {len(offsets) * 4} bytes, {rows} rows need {(rows + 1) * 4}")
    elements = int(offsets[-1])
    _check_offsets(where, offsets, rows, elements, validity)
    child = decode_column(fields["child"], elements, context + ".child", False)
    shape_offsets = _array(fields.get("shape_offsets"), "<i4", where, "shape_offsets")
    shapes = _array(fields.get("shapes"), "<i4", where, "shapes")
    if (shape_offsets is None) != (shapes is None):
        _fail(where, "shape_offsets and shapes must come together")
    if shapes is not None:
        _check_offsets(where + " shape", shape_offsets, rows, len(shapes), validity)
        _check_shapes(where, offsets, shape_offsets, shapes)
    return RawColumn(ARRAY, rows, null_count, validity, offsets, _EMPTY, child, shape_offsets, shapes)


def _check_offsets(where, offsets, rows, end, validity):
    if offsets is None:
        _fail(where, "missing offsets")
    if len(offsets) != rows + 1:
        _fail(where, f"offsets have {len(offsets) * 4} bytes, {rows} rows need {(rows + 1) * 4}")
    if offsets[0] != 0:
        _fail(where, f"first offset is {offsets[0]}, not 0")
    steps = np.diff(offsets)
    if rows and int(steps.min()) < 0:
        _fail(where, "offsets go backwards")
    if int(offsets[-1]) != end:
        _fail(where, f"offsets end at {offsets[-1]} but there are {end}")
    if validity is not None and np.any(steps[validity == 0]):
        _fail(where, "a NULL row has a value")


def _check_text(where, column):
    data = column.data
    try:
        text = str(data, "utf-8") if len(data) else ""
    except UnicodeDecodeError:
        _fail(where, "a value is not valid UTF-8")
    # every value must be valid on its own: no row boundary may split a character
    inner = column.offsets[(column.offsets > 0) & (column.offsets < len(data))]
    if len(inner) and np.any((data[inner] & 0xC0) == 0x80):
        _fail(where, "a row boundary splits a UTF-8 character")
    column.text_cache = text
    if column.type == DECIMAL:
        _check_decimals(where, column)


def _check_decimals(where, column):
    """Vectorized: numbers may hold only digits and . e E + -; the few rows with letters (NaN,
    Infinity) are matched exactly. Structure within the digit rows ("1..2") is left to Decimal(),
    which rejects it when the column is converted."""
    data = column.data
    if not len(data):
        return
    letters = _DECIMAL_LETTERS[data]
    bad = ~(_DECIMAL_DIGITS[data] | letters)
    if bad.any():
        row = int(np.searchsorted(column.offsets, int(np.argmax(bad)), side="right")) - 1
        _fail(where, f"row {row} is not a decimal number")
    if letters.any():
        rows = np.unique(np.searchsorted(column.offsets, np.nonzero(letters)[0], side="right") - 1)
        text = column.text_cache
        bounds = column.offsets
        for row in rows.tolist():
            if not _DECIMAL_TEXT.fullmatch(text[bounds[row]:bounds[row + 1]]):
                _fail(where, f"row {row} is not a decimal number")


def _check_shapes(where, offsets, shape_offsets, shapes):
    if len(shapes) and int(shapes.min()) < 1:
        _fail(where, "array dimensions must be at least 1")
    elements = np.diff(offsets).astype(np.int64)
    dims = np.diff(shape_offsets)
    bad = (dims == 0) & (elements != 0)
    one = np.nonzero(dims == 1)[0]
    bad[one] |= shapes[shape_offsets[one]] != elements[one]
    for row in np.nonzero(dims > 1)[0].tolist():
        product = 1
        for d in shapes[shape_offsets[row]:shape_offsets[row + 1]].tolist():
            product *= d
        bad[row] |= product != elements[row]
    if bad.any():
        row = int(np.nonzero(bad)[0][0])
        _fail(where, f"row {row} shape does not match its {elements[row]} elements")


def split_text(column):
    """The values of a DECIMAL/TEXT/JSON column as a list of str (None for NULL)."""
    rows = column.rows
    data = column.data
    if rows > 1 and len(data) and not np.any(data == 0):
        # PostgreSQL text never holds NUL: join the values with it and let str.split cut them in C,
        # several times faster than slicing a million values in a Python loop
        offsets = column.offsets
        joined = np.empty(len(data) + rows - 1, dtype=np.uint8)
        separators = offsets[1:-1].astype(np.int64) + np.arange(rows - 1, dtype=np.int64)
        keep = np.ones(len(joined), dtype=bool)
        keep[separators] = False
        joined[keep] = data
        joined[separators] = 0
        values = str(joined, "utf-8").split("\x00")
    else:
        values = _slice_text(column)
    if column.null_count:
        for row in np.nonzero(column.validity == 0)[0].tolist():
            values[row] = None
    return values


def _slice_text(column):
    text = column.text_cache
    if text is None:
        text = str(column.data, "utf-8") if len(column.data) else ""
        column.text_cache = text
    offsets = column.offsets
    if len(text) != len(column.data):
        # not pure ASCII: turn byte offsets into character offsets
        continuation = (column.data & 0xC0) == 0x80
        before = np.concatenate(([0], np.cumsum(continuation, dtype=np.int64)))
        offsets = offsets - before[offsets]
    bounds = offsets.tolist()
    return [text[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def split_bytes(column):
    data = column.data.tobytes()
    bounds = column.offsets.tolist()
    values = [data[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
    if column.null_count:
        for row in np.nonzero(column.validity == 0)[0].tolist():
            values[row] = None
    return values


def decode_batch(message, context="batch"):
    rows = message["row_count"]
    if not 0 <= rows < 2**31 - 1:
        raise ProtocolError(f"{context}: row_count {rows} out of range")
    return rows, [decode_column(c, rows, f"{context}.column[{i}]") for i, c in enumerate(message.get("column", []))]


# ---------------------------------------------------------------------------------------------
# concatenation of a unit's batches

def concat(columns):
    """One column from the same column of several batches (offsets become int64)."""
    if len(columns) == 1:
        return columns[0]
    first = columns[0]
    rows = sum(c.rows for c in columns)
    null_count = sum(c.null_count for c in columns)
    validity = None
    if null_count:
        validity = np.concatenate([c.validity if c.null_count else np.ones(c.rows, np.uint8) for c in columns])
    if first.type in WIDTH:
        return RawColumn(first.type, rows, null_count, validity, data=np.concatenate([c.data for c in columns]))
    offsets = _concat_offsets([c.offsets for c in columns])
    if first.type != ARRAY:
        return RawColumn(first.type, rows, null_count, validity, offsets, np.concatenate([c.data for c in columns]))
    child = concat([c.child for c in columns])
    shape_offsets = shapes = None
    if any(c.shapes is not None for c in columns):
        parts = [_shapes_of(c) for c in columns]
        shape_offsets = _concat_offsets([p[0] for p in parts])
        shapes = np.concatenate([p[1] for p in parts])
    return RawColumn(ARRAY, rows, null_count, validity, offsets, _EMPTY, child, shape_offsets, shapes)


def _concat_offsets(parts):
    out = [np.zeros(1, dtype=np.int64)]
    base = 0
    for offsets in parts:
        out.append(offsets[1:].astype(np.int64) + base)
        base += int(offsets[-1])
    return np.concatenate(out)


def _shapes_of(column):
    if column.shapes is not None:
        return column.shape_offsets, column.shapes
    lengths = np.diff(column.offsets)
    nonempty = lengths > 0
    return (np.concatenate(([0], np.cumsum(nonempty))).astype(np.int64),
            lengths[nonempty].astype(np.int32))


# ---------------------------------------------------------------------------------------------
# cutting output into batches

MAX_BATCH_BYTES = 4 << 20
MAX_BATCH_ROWS = 65536


def batch_bounds(columns, rows, max_bytes=MAX_BATCH_BYTES, max_rows=MAX_BATCH_ROWS):
    """Row ranges [start, stop) of about max_bytes or max_rows each (at least one row each)."""
    if rows == 0:
        return [(0, 0)]
    if not columns:
        return [(start, min(start + max_rows, rows)) for start in range(0, rows, max_rows)]
    if all(c.type in WIDTH for c in columns):
        # fixed widths: the rows per batch follow from one row's size (no array per row; most outputs
        # of partitioned calls are a few rows)
        row_bytes = sum(WIDTH[c.type] + (1 if c.null_count else 0) for c in columns)
        per = max(1, min(max_rows, max_bytes // max(1, row_bytes)))
        return [(start, min(start + per, rows)) for start in range(0, rows, per)]
    sizes = np.zeros(rows, dtype=np.int64)
    for column in columns:
        sizes += column.row_bytes()
    total = np.cumsum(sizes)
    bounds = []
    start = 0
    while start < rows:
        already = int(total[start - 1]) if start else 0
        stop = int(np.searchsorted(total, already + max_bytes, side="right"))
        stop = min(max(stop, start + 1), start + max_rows, rows)
        bounds.append((start, stop))
        start = stop
    return bounds


def check_offsets_fit(column, context):
    """Output offsets are int32 on the wire: one batch may hold at most 2 GiB of values."""
    if column.offsets is not None and len(column.offsets) and int(column.offsets[-1]) > _INT32_MAX:
        raise ValueError(f"{context}: more than 2 GiB of values in one batch")


def is_decimal_text(text):
    """Whether text is a number as the DECIMAL wire type writes it."""
    return _DECIMAL_TEXT.fullmatch(text) is not None
