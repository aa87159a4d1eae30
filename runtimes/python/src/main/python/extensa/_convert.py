"""Input conversions: raw wire columns become pandas arrays or plain Python values (docs/types.md).

Numeric and boolean columns become numpy arrays over the received buffers (pandas masked
arrays when they hold NULLs); other types become object arrays. The opposite direction lives
in _infer.
"""

import datetime
import decimal

import numpy as np
import pandas as pd

from . import _columns as C


class TypeMappingError(Exception):
    """A value that cannot cross between PostgreSQL and Python without loss; names the column."""


_EPOCH_DATE = datetime.date(1970, 1, 1)
_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_UTC = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_DAY_US = 86_400_000_000
# datetime64[ns] covers 1677-09-22 .. 2262-04-11
_NS_MIN_DAY, _NS_MAX_DAY = -106751, 106750
_NS_MIN_US, _NS_MAX_US = -9223372036854775, 9223372036854775
_NAT = np.iinfo(np.int64).min


def _objects(values):
    # fromiter stores each value as it is (lists stay lists) and is ~40x faster than item assignment,
    # which makes numpy probe every element for a sequence protocol
    return np.fromiter(values, dtype=object, count=len(values))


def _with_nulls(values, raw):
    if raw.null_count:
        for row in np.nonzero(raw.validity == 0)[0].tolist():
            values[row] = None
    return values


def _check_no_infinity(name, valid, positive, negative, kind):
    if len(valid) and (int(valid.max()) == positive or int(valid.min()) == negative):
        raise TypeMappingError(
            f"column '{name}' holds {kind} 'infinity' or '-infinity', which Python cannot represent; "
            f"cast it in the query, e.g. NULLIF({name}, 'infinity') or {name}::text")


# ---------------------------------------------------------------------------------------------
# wire -> pandas

def to_pandas(raw, name):
    """An array for a DataFrame column (numpy or pandas extension array)."""
    t = raw.type
    mask = raw.null_mask()
    if t == C.BOOL:
        values = raw.values()
        return values if mask is None else pd.arrays.BooleanArray(values, mask)
    if t in (C.INT16, C.INT32, C.INT64):
        values = raw.values()
        return values if mask is None else pd.arrays.IntegerArray(values, mask)
    if t in (C.FLOAT32, C.FLOAT64):
        values = raw.values()
        return values if mask is None else pd.arrays.FloatingArray(values, mask)
    if t == C.DATE:
        return _dates(raw, name)
    if t in (C.TIMESTAMP, C.TIMESTAMPTZ):
        return _timestamps(raw, name)
    if t == C.INTERVAL:
        return _intervals(raw, name)
    if t == C.ARRAY:
        return _objects(to_python(raw, name))
    return _objects(to_python(raw, name))


def _dates(raw, name):
    days = raw.values()
    mask = raw.null_mask()
    valid = days if mask is None else days[~mask]
    _check_no_infinity(name, valid, C.DATE_INFINITY, C.DATE_NEG_INFINITY, "date")
    if not len(valid) or (int(valid.min()) >= _NS_MIN_DAY and int(valid.max()) <= _NS_MAX_DAY):
        out = days.astype("datetime64[D]").astype("datetime64[ns]")
        if mask is not None:
            out[mask] = np.datetime64("NaT")
        return out
    return _objects(to_python(raw, name))


def _timestamps(raw, name):
    micros = raw.values()
    mask = raw.null_mask()
    valid = micros if mask is None else micros[~mask]
    _check_no_infinity(name, valid, C.TIMESTAMP_INFINITY, C.TIMESTAMP_NEG_INFINITY, "timestamp")
    if len(valid) and (int(valid.min()) < _NS_MIN_US or int(valid.max()) > _NS_MAX_US):
        return _objects(to_python(raw, name))
    nanos = micros * 1000
    if mask is not None:
        nanos[mask] = _NAT
    out = nanos.view("datetime64[ns]")
    if raw.type == C.TIMESTAMPTZ:
        return pd.arrays.DatetimeArray(out, dtype=pd.DatetimeTZDtype(tz="UTC"))
    return out


def _intervals(raw, name):
    parts = raw.values()
    micros = parts["micros"]
    days = parts["days"].astype(np.int64)
    if parts["months"].any():
        return _objects(to_python(raw, name))
    mask = raw.null_mask()
    approx = micros.astype(np.float64) + days.astype(np.float64) * _DAY_US
    if len(approx) and np.abs(approx).max() >= 9.2e15:
        return _objects(to_python(raw, name))
    nanos = (micros + days * _DAY_US) * 1000
    if mask is not None:
        nanos[mask] = _NAT
    return nanos.view("timedelta64[ns]")


# ---------------------------------------------------------------------------------------------
# wire -> plain Python (parameters, array elements, object columns)

def to_python(raw, name):
    """A list of Python values, None for NULL."""
    t = raw.type
    if t in (C.BOOL, C.INT16, C.INT32, C.INT64, C.FLOAT32, C.FLOAT64):
        return _with_nulls(raw.values().tolist(), raw)
    if t == C.DECIMAL:
        texts = C.split_text(raw)
        try:
            if not raw.null_count:
                return list(map(decimal.Decimal, texts))
            return [None if s is None else decimal.Decimal(s) for s in texts]
        except decimal.InvalidOperation:
            bad = next(i for i, s in enumerate(texts) if s is not None and not C.is_decimal_text(s))
            raise C.ProtocolError(f"column {name!r}: row {bad} is not a decimal number") from None
    if t in (C.TEXT, C.JSON):
        return C.split_text(raw)
    if t == C.BYTES:
        return C.split_bytes(raw)
    if t == C.UUID:
        h = raw.data.tobytes().hex()
        values = [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-{h[i + 12:i + 16]}-{h[i + 16:i + 20]}-{h[i + 20:i + 32]}"
                  for i in range(0, len(h), 32)]
        return _with_nulls(values, raw)
    if t == C.DATE:
        days = raw.values()
        mask = raw.null_mask()
        _check_no_infinity(name, days if mask is None else days[~mask], C.DATE_INFINITY, C.DATE_NEG_INFINITY, "date")
        try:
            values = [_EPOCH_DATE + datetime.timedelta(days=d) for d in days.tolist()]
        except OverflowError:
            raise TypeMappingError(f"column '{name}' holds a date outside Python's years 1..9999; "
                                   f"cast it in the query, e.g. {name}::text") from None
        return _with_nulls(values, raw)
    if t in (C.TIMESTAMP, C.TIMESTAMPTZ):
        micros = raw.values()
        mask = raw.null_mask()
        _check_no_infinity(name, micros if mask is None else micros[~mask], C.TIMESTAMP_INFINITY,
                           C.TIMESTAMP_NEG_INFINITY, "timestamp")
        epoch = _EPOCH_UTC if t == C.TIMESTAMPTZ else _EPOCH
        try:
            values = [epoch + datetime.timedelta(microseconds=us) for us in micros.tolist()]
        except OverflowError:
            raise TypeMappingError(f"column '{name}' holds a timestamp outside Python's years 1..9999; "
                                   f"cast it in the query, e.g. {name}::text") from None
        return _with_nulls(values, raw)
    if t == C.TIME:
        values = []
        for us in raw.values().tolist():
            if not 0 <= us < _DAY_US:
                raise TypeMappingError(f"column '{name}' holds the time 24:00:00, which Python's datetime.time "
                                       f"cannot represent; cast it in the query, e.g. {name}::text")
            seconds, micro = divmod(us, 1_000_000)
            minutes, second = divmod(seconds, 60)
            hour, minute = divmod(minutes, 60)
            values.append(datetime.time(hour, minute, second, micro))
        return _with_nulls(values, raw)
    if t == C.INTERVAL:
        parts = raw.values()
        any_months = bool(parts["months"].any())
        values = []
        for us, d, m in zip(parts["micros"].tolist(), parts["days"].tolist(), parts["months"].tolist()):
            if any_months:
                values.append(pd.DateOffset(months=m, days=d, microseconds=us))
            else:
                try:
                    values.append(datetime.timedelta(days=d, microseconds=us))
                except OverflowError:
                    raise TypeMappingError(f"column '{name}' holds an interval beyond Python's timedelta; "
                                           f"cast it in the query, e.g. {name}::text") from None
        return _with_nulls(values, raw)
    if t == C.ARRAY:
        return _arrays(raw, name)
    raise TypeMappingError(f"column '{name}' has unsupported wire type {t}")


def _arrays(raw, name):
    elements = to_python(raw.child, name)
    offsets = raw.offsets.tolist()
    shape_offsets = raw.shape_offsets.tolist() if raw.shapes is not None else None
    shapes = raw.shapes.tolist() if raw.shapes is not None else None
    out = []
    for row in range(raw.rows):
        flat = elements[offsets[row]:offsets[row + 1]]
        if shapes is not None:
            dims = shapes[shape_offsets[row]:shape_offsets[row + 1]]
            if len(dims) > 1:
                flat = _nest(flat, dims)
        out.append(flat)
    return _with_nulls(out, raw)


def _nest(flat, dims):
    if len(dims) == 1:
        return flat
    step = len(flat) // dims[0]
    return [_nest(flat[i * step:(i + 1) * step], dims[1:]) for i in range(dims[0])]
