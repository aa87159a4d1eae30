"""Output inference: a DataFrame column or a Python value becomes a typed wire column.

Numeric, boolean, datetime and timedelta dtypes are converted with numpy, without a Python loop
per value; object columns are typed by the Python types of their values (docs/types.md).
"""

import datetime
import decimal
import json
import uuid

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from . import _columns as C
from ._columns import RawColumn
from ._convert import TypeMappingError, _objects

_EPOCH_DATE = datetime.date(1970, 1, 1)
_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_UTC = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_ONE_US = datetime.timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_INT64_MIN, _INT64_MAX = -2**63, 2**63 - 1
_NAT = np.iinfo(np.int64).min

def from_series(series, name):
    """(RawColumn, pg_type) for one output column; raises TypeMappingError naming the column."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _from_categorical(series, name)
    if isinstance(dtype, pd.BooleanDtype):
        mask = series.isna().to_numpy()
        data = series.to_numpy(dtype=np.bool_, na_value=False)
        return _fixed(C.BOOL, data.view(np.uint8), mask), C.PG_TYPES[C.BOOL]
    if pdt.is_extension_array_dtype(dtype) and (pdt.is_integer_dtype(dtype) or pdt.is_float_dtype(dtype)):
        mask = series.isna().to_numpy()
        numpy_dtype = dtype.numpy_dtype
        data = series.to_numpy(dtype=numpy_dtype, na_value=0)
        return _numeric(data, mask, name)
    if isinstance(dtype, np.dtype):
        if dtype.kind in "biuf":
            return _numeric(series.to_numpy(), None, name)
        if dtype.kind == "M":
            return _micros_column(C.TIMESTAMP, series.to_numpy().view(np.int64)), C.PG_TYPES[C.TIMESTAMP]
        if dtype.kind == "m":
            return _timedelta_column(series.to_numpy().view(np.int64)), C.PG_TYPES[C.INTERVAL]
        if dtype.kind == "O":
            return from_objects(series.to_numpy(), name)
        if dtype.kind in "SU":
            return from_objects(series.to_numpy(dtype=object), name)
        raise TypeMappingError(f"column '{name}' has dtype {dtype}, which has no PostgreSQL counterpart; "
                               f"convert it, e.g. df['{name}'] = df['{name}'].astype(str)")
    if isinstance(dtype, pd.DatetimeTZDtype):
        utc = series.dt.tz_convert("UTC").to_numpy(dtype="datetime64[ns]")
        return _micros_column(C.TIMESTAMPTZ, utc.view(np.int64)), C.PG_TYPES[C.TIMESTAMPTZ]
    if isinstance(dtype, pd.StringDtype):
        return from_objects(series.to_numpy(dtype=object), name)
    if isinstance(dtype, (pd.PeriodDtype, pd.IntervalDtype, pd.SparseDtype)):
        raise TypeMappingError(f"column '{name}' has dtype {dtype}, which has no PostgreSQL counterpart; "
                               f"convert it, e.g. df['{name}'] = df['{name}'].astype(str)")
    return from_objects(series.to_numpy(dtype=object), name)


def from_numeric_array(array, name):
    """What from_series gives for a Series of a numpy bool, integer or float dtype, from its array."""
    return _numeric(array, None, name)


def _from_categorical(series, name):
    codes = series.cat.codes.to_numpy()
    categories = series.cat.categories
    missing = codes < 0
    if not len(categories):
        return from_objects(np.full(len(series), None, dtype=object), name)
    raw, pg_type = from_series(pd.Series(categories.take(np.where(missing, 0, codes))), name)
    if not missing.any():
        return raw, pg_type
    if raw.type == C.ARRAY:
        # tuples as categories: the object path treats the missing entries (NaN) as NULL
        return from_objects(series.astype(object).to_numpy(), name)
    return _apply_nulls(raw, missing), pg_type


def _apply_nulls(raw, mask):
    """Marks more rows NULL in a column built without them, emptying their slots."""
    validity = np.ones(raw.rows, dtype=np.uint8) if raw.validity is None else raw.validity.copy()
    validity[mask] = 0
    null_count = int(raw.rows - np.count_nonzero(validity))
    if raw.type in C.WIDTH:
        data = raw.data.reshape(raw.rows, C.WIDTH[raw.type]).copy()
        data[mask] = 0
        return RawColumn(raw.type, raw.rows, null_count, validity, data=data.reshape(-1))
    lengths = np.diff(raw.offsets)
    byte_rows = np.repeat(np.arange(raw.rows), lengths)
    data = raw.data[validity[byte_rows].astype(bool)] if len(byte_rows) else raw.data
    kept = np.where(validity.astype(bool), lengths, 0)
    offsets = np.concatenate(([0], np.cumsum(kept))).astype(np.int64)
    return RawColumn(raw.type, raw.rows, null_count, validity, offsets, data)


def _numeric(data, mask, name):
    kind = data.dtype.kind
    size = data.dtype.itemsize
    if kind == "b":
        return _fixed(C.BOOL, np.ascontiguousarray(data).view(np.uint8), mask), C.PG_TYPES[C.BOOL]
    if kind == "f":
        if size <= 4:
            return _fixed(C.FLOAT32, data.astype("<f4"), mask), C.PG_TYPES[C.FLOAT32]
        return _fixed(C.FLOAT64, data.astype("<f8"), mask), C.PG_TYPES[C.FLOAT64]
    if kind == "i" and size <= 2 or kind == "u" and size == 1:
        return _fixed(C.INT16, data.astype("<i2"), mask), C.PG_TYPES[C.INT16]
    if kind == "i" and size == 4 or kind == "u" and size == 2:
        return _fixed(C.INT32, data.astype("<i4"), mask), C.PG_TYPES[C.INT32]
    if kind == "i" or kind == "u" and size == 4:
        return _fixed(C.INT64, data.astype("<i8"), mask), C.PG_TYPES[C.INT64]
    # uint64: bigint when every value fits, numeric otherwise
    present = data if mask is None else data[~mask]
    if not len(present) or int(present.max()) <= _INT64_MAX:
        return _fixed(C.INT64, data.astype("<i8"), mask), C.PG_TYPES[C.INT64]
    texts = [str(v) for v in data.tolist()]
    return _variable(C.DECIMAL, [t.encode() for t in texts], mask), C.PG_TYPES[C.DECIMAL]


def _fixed(type_code, values, mask):
    """A fixed-width column from typed values; NULL slots are zeroed."""
    values = np.ascontiguousarray(values)
    null_count = 0
    validity = None
    if mask is not None and mask.any():
        values = values.copy()
        values[mask] = 0
        validity = (~mask).view(np.uint8) if mask.dtype == np.bool_ else (~mask).astype(np.uint8)
        null_count = int(np.count_nonzero(mask))
    data = values.view(np.uint8).reshape(-1)
    return RawColumn(type_code, len(values), null_count, validity, data=data)


def _variable(type_code, encoded, mask):
    """A variable-length column from a list of bytes (b'' at NULL rows)."""
    n = len(encoded)
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8) if n else C._EMPTY
    null_count = 0
    validity = None
    if mask is not None and mask.any():
        validity = (~mask).astype(np.uint8)
        null_count = int(np.count_nonzero(mask))
    return RawColumn(type_code, n, null_count, validity, offsets, data)


def _micros_column(type_code, nanos):
    """TIMESTAMP/TIMESTAMPTZ from int64 nanoseconds (NaT = NULL), rounded to microseconds."""
    mask = nanos == _NAT
    micros = (nanos + 500) // 1000
    return _fixed(type_code, micros, mask if mask.any() else None)


def _timedelta_column(nanos):
    mask = nanos == _NAT
    micros = (nanos + 500) // 1000
    days = np.where(micros < 0, -((-micros) // _DAY_US), micros // _DAY_US)
    rest = micros - days * _DAY_US
    parts = np.zeros(len(nanos), dtype=C.DTYPE[C.INTERVAL])
    parts["micros"] = rest
    parts["days"] = days
    return _fixed(C.INTERVAL, parts, mask if mask.any() else None)


# ---------------------------------------------------------------------------------------------
# object columns: the Python types of the values decide

_CATEGORIES = (
    # order matters: bool before int, datetime before date, Tick before DateOffset
    ((bool, np.bool_), "bool"),
    ((int, np.integer), "int"),
    ((float, np.floating), "float"),
    ((decimal.Decimal,), "decimal"),
    ((str,), "str"),
    ((bytes, bytearray, memoryview, np.bytes_), "bytes"),
    ((datetime.datetime, np.datetime64), "datetime"),
    ((datetime.date,), "date"),
    ((datetime.time,), "time"),
    ((datetime.timedelta, np.timedelta64, pd.offsets.Tick), "interval"),
    ((uuid.UUID,), "uuid"),
    ((dict,), "json"),
    ((list, tuple, np.ndarray), "array"),
)


def _category(cls):
    if cls is pd.DateOffset:
        return "interval"
    for types, category in _CATEGORIES:
        if issubclass(cls, types):
            return category
    return None


def from_objects(values, name):
    """(RawColumn, pg_type) for values of any Python types.

    None, pd.NA and NaT are NULL. A float NaN is a value in a float column and NULL anywhere
    else (pandas uses it as its missing marker); Decimal('NaN') is always a value.
    """
    values = values if isinstance(values, np.ndarray) else _objects(list(values))
    n = len(values)
    loose = pd.isna(values) if n else np.zeros(0, dtype=bool)
    strict = loose.copy()
    float_nan = np.zeros(n, dtype=bool)
    for i in np.nonzero(loose)[0].tolist():
        v = values[i]
        if isinstance(v, (float, np.floating)):
            float_nan[i] = True
            strict[i] = False
        elif isinstance(v, decimal.Decimal):
            strict[i] = False
    categories = {}
    for cls in set(map(type, values[~(strict | float_nan)])):
        category = _category(cls)
        if category is None:
            raise TypeMappingError(f"column '{name}' holds {cls.__name__} values, which have no PostgreSQL "
                                   f"counterpart; convert them, e.g. df['{name}'] = df['{name}'].astype(str)")
        categories.setdefault(category, []).append(cls.__name__)
    kinds = set(categories)
    if kinds <= {"int", "float"} and ("float" in kinds or (not kinds and float_nan.any())):
        data = np.array([0.0 if m else float(v) for v, m in zip(values, strict)], dtype="<f8")
        return _fixed(C.FLOAT64, data, strict), C.PG_TYPES[C.FLOAT64]
    nulls = strict | float_nan
    if not kinds:
        return _variable(C.TEXT, [b""] * n, nulls if n else None), C.PG_TYPES[C.TEXT]
    if kinds == {"int", "decimal"}:
        kinds = {"decimal"}
    if len(kinds) > 1:
        found = ", ".join(sorted(n for names in categories.values() for n in names))
        raise TypeMappingError(f"column '{name}' mixes values of types {found}; give it one type, "
                               f"e.g. df['{name}'] = df['{name}'].astype(str)")
    return _ENCODERS[kinds.pop()](values, nulls, name)


def _encode_str(values, nulls, name):
    try:
        encoded = [b"" if m else v.encode("utf-8") for v, m in zip(values, nulls)]
    except UnicodeEncodeError as e:
        raise TypeMappingError(f"column '{name}' holds a string that is not valid Unicode ({e.reason}); "
                               f"clean it, e.g. s.encode('utf-8', 'replace').decode()") from None
    return _variable(C.TEXT, encoded, nulls), C.PG_TYPES[C.TEXT]


def _encode_bytes(values, nulls, name):
    return _variable(C.BYTES, [b"" if m else bytes(v) for v, m in zip(values, nulls)], nulls), C.PG_TYPES[C.BYTES]


def _encode_bool(values, nulls, name):
    data = np.array([False if m else bool(v) for v, m in zip(values, nulls)], dtype=np.bool_)
    return _fixed(C.BOOL, data.view(np.uint8), nulls), C.PG_TYPES[C.BOOL]


def _encode_int(values, nulls, name):
    ints = [0 if m else int(v) for v, m in zip(values, nulls)]
    if not ints or (min(ints) >= _INT64_MIN and max(ints) <= _INT64_MAX):
        return _fixed(C.INT64, np.array(ints, dtype="<i8"), nulls), C.PG_TYPES[C.INT64]
    return _variable(C.DECIMAL, [b"" if m else str(i).encode() for i, m in zip(ints, nulls)], nulls), \
        C.PG_TYPES[C.DECIMAL]


def decimal_text(value):
    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            return "NaN"
        if value.is_infinite():
            return "-Infinity" if value < 0 else "Infinity"
    return str(value)


def _encode_decimal(values, nulls, name):
    return _variable(C.DECIMAL, [b"" if m else decimal_text(v).encode() for v, m in zip(values, nulls)], nulls), \
        C.PG_TYPES[C.DECIMAL]


def datetime_micros(v):
    if isinstance(v, pd.Timestamp):
        return (v.value + 500) // 1000
    if isinstance(v, np.datetime64):
        return int(v.astype("datetime64[us]").astype(np.int64))
    if v.tzinfo is not None and v.utcoffset() is not None:
        return (v - _EPOCH_UTC) // _ONE_US
    return (v - _EPOCH) // _ONE_US


def _encode_datetime(values, nulls, name):
    aware = {(not isinstance(v, np.datetime64) and v.tzinfo is not None and v.utcoffset() is not None)
             for v, m in zip(values, nulls) if not m}
    if len(aware) > 1:
        raise TypeMappingError(f"column '{name}' mixes timezone-aware and naive datetimes; localize them, "
                               f"e.g. df['{name}'] = pd.to_datetime(df['{name}'], utc=True)")
    type_code = C.TIMESTAMPTZ if aware == {True} else C.TIMESTAMP
    data = np.array([0 if m else datetime_micros(v) for v, m in zip(values, nulls)], dtype="<i8")
    return _fixed(type_code, data, nulls), C.PG_TYPES[type_code]


def _encode_date(values, nulls, name):
    data = np.array([0 if m else (v - _EPOCH_DATE).days for v, m in zip(values, nulls)], dtype="<i4")
    return _fixed(C.DATE, data, nulls), C.PG_TYPES[C.DATE]


def _encode_time(values, nulls, name):
    out = []
    for v, m in zip(values, nulls):
        if m:
            out.append(0)
            continue
        if v.tzinfo is not None:
            raise TypeMappingError(f"column '{name}' holds times with a timezone; PostgreSQL's time has none: "
                                   f"drop it with t.replace(tzinfo=None) or send text")
        out.append(((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond)
    return _fixed(C.TIME, np.array(out, dtype="<i8"), nulls), C.PG_TYPES[C.TIME]


def _split_days(micros):
    days = int(micros / _DAY_US) if micros >= 0 else -((-micros) // _DAY_US)
    return micros - days * _DAY_US, days


def interval_parts(v, name):
    """(micros, days, months) of a timedelta-like value."""
    if isinstance(v, pd.Timedelta):
        return _split_days((v.value + 500) // 1000) + (0,)
    if isinstance(v, datetime.timedelta):
        return _split_days((v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds) + (0,)
    if isinstance(v, np.timedelta64):
        return _split_days(int(v.astype("timedelta64[us]").astype(np.int64))) + (0,)
    if isinstance(v, pd.offsets.Tick):
        return _split_days((v.nanos + 500) // 1000) + (0,)
    kw = dict(v.kwds)
    allowed = {"years", "months", "weeks", "days", "hours", "minutes", "seconds", "microseconds", "nanoseconds"}
    if set(kw) - allowed:
        raise TypeMappingError(f"column '{name}' holds a DateOffset with {sorted(set(kw) - allowed)}, which is not "
                               f"a PostgreSQL interval; use relative fields such as months=, days=")
    n = v.n
    months = n * (kw.get("years", 0) * 12 + kw.get("months", 0))
    days = n * (kw.get("weeks", 0) * 7 + kw.get("days", 0))
    micros = n * (((kw.get("hours", 0) * 60 + kw.get("minutes", 0)) * 60 + kw.get("seconds", 0)) * 1_000_000
                  + kw.get("microseconds", 0)) + n * kw.get("nanoseconds", 0) // 1000
    return int(micros), int(days), int(months)


def _encode_interval(values, nulls, name):
    parts = np.zeros(len(values), dtype=C.DTYPE[C.INTERVAL])
    for i, (v, m) in enumerate(zip(values, nulls)):
        if not m:
            micros, days, months = interval_parts(v, name)
            if not (_INT64_MIN <= micros <= _INT64_MAX and -2**31 <= days < 2**31 and -2**31 <= months < 2**31):
                raise TypeMappingError(f"column '{name}' holds an interval too large for PostgreSQL")
            parts[i] = (micros, days, months)
    return _fixed(C.INTERVAL, parts, nulls), C.PG_TYPES[C.INTERVAL]


def _encode_uuid(values, nulls, name):
    raw = b"".join(bytes(16) if m else v.bytes for v, m in zip(values, nulls))
    return _fixed(C.UUID, np.frombuffer(raw, dtype=np.uint8).reshape(-1, 16) if values.size else
                  np.zeros((0, 16), np.uint8), nulls), C.PG_TYPES[C.UUID]


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _encode_json(values, nulls, name):
    encoded = []
    for v, m in zip(values, nulls):
        if m:
            encoded.append(b"")
            continue
        try:
            encoded.append(json.dumps(v, ensure_ascii=False, allow_nan=False, default=_json_default).encode())
        except (TypeError, ValueError) as e:
            raise TypeMappingError(f"column '{name}' holds a dict that is not JSON ({e}); "
                                   f"convert it yourself with json.dumps(..., default=str)") from None
    return _variable(C.JSON, encoded, nulls), C.PG_TYPES[C.JSON]


def _flatten(value, name):
    """(dims, flat elements) of a list/tuple/ndarray, which must be rectangular."""
    if isinstance(value, np.ndarray):
        if value.dtype != object:
            flat = value.ravel().tolist()
            return (list(value.shape) if flat else []), flat
        value = value.tolist()
    dims = [len(value)]
    level = list(value)
    nested = (list, tuple, np.ndarray)
    while level and all(isinstance(x, nested) for x in level):
        lengths = {len(x) for x in level}
        if len(lengths) != 1:
            raise TypeMappingError(f"column '{name}' holds a ragged nested list; PostgreSQL arrays are "
                                   f"rectangular: store it as JSON, e.g. json.dumps(value)")
        dims.append(lengths.pop())
        level = [y for x in level for y in (x.tolist() if isinstance(x, np.ndarray) else x)]
    if any(isinstance(x, nested) for x in level):
        raise TypeMappingError(f"column '{name}' holds a list mixing nested lists and scalars; store it as "
                               f"JSON, e.g. json.dumps(value)")
    if not level:
        return [], []
    return dims, level


def _encode_array(values, nulls, name):
    offsets = [0]
    shape_list = []
    flat = []
    multi = False
    for v, m in zip(values, nulls):
        if m:
            shape_list.append([])
        else:
            dims, elements = _flatten(v, name)
            multi |= len(dims) > 1
            shape_list.append(dims)
            flat.extend(elements)
        offsets.append(len(flat))
    child, element_pg = from_objects(_objects(flat), name)
    if child.type == C.ARRAY:
        raise TypeMappingError(f"column '{name}' nests arrays in arrays")
    offsets = np.array(offsets, dtype=np.int64)
    shape_offsets = shapes = None
    if multi:
        counts = [len(d) for d in shape_list]
        shape_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        shapes = np.array([d for dims in shape_list for d in dims], dtype="<i4")
    validity = None
    null_count = int(np.count_nonzero(nulls))
    if null_count:
        validity = (~nulls).astype(np.uint8)
    raw = RawColumn(C.ARRAY, len(values), null_count, validity, offsets, C._EMPTY, child, shape_offsets, shapes)
    return raw, element_pg + "[]"


_ENCODERS = {
    "str": _encode_str, "bytes": _encode_bytes, "bool": _encode_bool, "int": _encode_int,
    "decimal": _encode_decimal, "datetime": _encode_datetime, "date": _encode_date, "time": _encode_time,
    "interval": _encode_interval, "uuid": _encode_uuid, "json": _encode_json, "array": _encode_array,
}


def from_value(value, name):
    """(RawColumn, pg_type) of one row for an OUTPUT parameter's value."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        raise TypeMappingError(f"OUTPUT parameter '{name}' holds a {type(value).__name__}; parameters hold one "
                               f"value: return tables through the output data set, or pickle it")
    return from_objects(_objects([value]), name)
