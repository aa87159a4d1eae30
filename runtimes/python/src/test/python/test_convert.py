"""Wire <-> pandas conversions: every type with NULLs and edge values, and output inference."""

import datetime
import decimal
import json
import math
import unittest
import uuid

import numpy as np
import pandas as pd

import helpers
from helpers import C, _convert, _infer, _wire


def golden_column(name):
    (msg_type, _, payload), = helpers.read_frames((helpers.testdata() / f"batch_{name}.bin").read_bytes())
    _, columns = C.decode_batch(_wire.decode_message(msg_type, payload))
    return columns[0]


def through_wire(raw):
    """Encodes a column into a batch payload and decodes it again, like the engine would see it."""
    payload = _wire.Payload().int(1, raw.rows)
    handle = payload.begin_struct(2)
    _wire.encode_into(payload, _wire.COLUMN, raw.fields())
    payload.end_struct(handle)
    data = np.frombuffer(payload.tobytes(), dtype=np.uint8).copy()
    _, (column,) = C.decode_batch(_wire.decode(_wire.BATCH, data))
    return column


def round_trip(series, name="c"):
    raw, pg_type = _infer.from_series(series, name)
    back = through_wire(raw)
    return back, pg_type, _convert.to_pandas(back, name)


class InputConversionTest(unittest.TestCase):

    def test_booleans_and_integers_keep_their_dtype_or_become_masked(self):
        b = _convert.to_pandas(golden_column("bool"), "b")
        self.assertEqual(str(pd.Series(b).dtype), "boolean")
        self.assertEqual(pd.Series(b).tolist(), [True, False, pd.NA, True])
        for name, dtype in (("int16", "Int16"), ("int32", "Int32"), ("int64", "Int64")):
            s = pd.Series(_convert.to_pandas(golden_column(name), name))
            self.assertEqual(str(s.dtype), dtype)
            self.assertEqual(int(s.isna().sum()), 1)
        s = pd.Series(_convert.to_pandas(golden_column("int64"), "i"))
        self.assertEqual(s[1], 2**63 - 1)
        self.assertEqual(s[2], -2**63)
        no_nulls = _convert.to_pandas(golden_column("int16").slice(0, 5), "i")
        self.assertEqual(no_nulls.dtype, np.int16)

    def test_nan_stays_distinct_from_null(self):
        s = pd.Series(_convert.to_pandas(golden_column("float64"), "f"))
        self.assertEqual(str(s.dtype), "Float64")
        self.assertTrue(math.isnan(s.array._data[2]))
        self.assertFalse(s.isna()[2], "NaN is a value, not NULL")
        self.assertTrue(s.isna()[5])
        self.assertEqual(s[3], math.inf)
        self.assertEqual(s[4], -math.inf)
        self.assertEqual(math.copysign(1, s[1]), -1.0)
        f32 = pd.Series(_convert.to_pandas(golden_column("float32"), "f"))
        self.assertEqual(str(f32.dtype), "Float32")
        plain = _convert.to_pandas(golden_column("float64").slice(0, 5), "f")
        self.assertEqual(plain.dtype, np.float64)
        self.assertTrue(np.isnan(plain[2]))

    def test_decimals_are_exact(self):
        values = _convert.to_pandas(golden_column("decimal"), "d")
        self.assertEqual(values.dtype, object)
        self.assertEqual(values[0], decimal.Decimal("-12.500"))
        self.assertEqual(str(values[0]), "-12.500")
        self.assertTrue(values[2].is_nan())
        self.assertEqual(values[3], decimal.Decimal("Infinity"))
        self.assertIsNone(values[5])
        self.assertEqual(str(values[6]), "123456789012345678901234567890.000000001")

    def test_malformed_decimals_are_rejected_naming_the_row(self):
        def column(*texts):
            data = np.frombuffer("".join(texts).encode(), dtype=np.uint8).copy()
            offsets = np.concatenate(([0], np.cumsum([len(t) for t in texts]))).astype(np.int32)
            return C.RawColumn(C.DECIMAL, len(texts), offsets=offsets, data=data)
        good = through_wire(column("1.5", "-Infinity", "NaN", "2e-3"))
        self.assertEqual([str(v) for v in _convert.to_pandas(good, "d")], ["1.5", "-Infinity", "NaN", "0.002"])
        with self.assertRaisesRegex(_wire.ProtocolError, "row 1 is not a decimal number"):
            through_wire(column("1", "Nan1"))
        shaky = through_wire(column("1", "2", "1..2"))
        with self.assertRaisesRegex(_wire.ProtocolError, "column 'd': row 2 is not a decimal number"):
            _convert.to_pandas(shaky, "d")

    def test_text_bytes_json_uuid(self):
        text = _convert.to_pandas(golden_column("text"), "t")
        self.assertEqual(list(text), ["", "hello", "\u00fcn\u00efc\u00f6d\u00e9 \u2713 \u65e5\u672c\u8a9e \U0001f389", None,
                                      "line1\nline2\ttab", 'quote " backslash \\'])
        self.assertEqual(list(_convert.to_pandas(golden_column("bytes"), "b")),
                         [b"", b"\x00\xff\x10", None, b"\xde\xad\xbe\xef"])
        js = _convert.to_pandas(golden_column("json"), "j")
        self.assertEqual(json.loads(js[0]), {"a": 1})
        self.assertEqual(js[1], "null", "JSON null stays distinct from SQL NULL")
        self.assertIsNone(js[2])
        self.assertEqual(list(_convert.to_pandas(golden_column("uuid"), "u"))[1], "123e4567-e89b-12d3-a456-426614174000")

    def test_dates_and_timestamps(self):
        dates = _convert.to_pandas(golden_column("date").slice(0, 4), "d")
        self.assertEqual(dates.dtype, np.dtype("datetime64[ns]"))
        self.assertEqual(pd.Timestamp(dates[1]), pd.Timestamp("2022-01-08"))
        self.assertTrue(np.isnat(dates[3]))
        with self.assertRaisesRegex(_convert.TypeMappingError, "column 'd'.*infinity.*d::text"):
            _convert.to_pandas(golden_column("date"), "d")
        ts = _convert.to_pandas(golden_column("timestamp").slice(0, 4), "ts")
        self.assertEqual(ts.dtype, np.dtype("datetime64[ns]"))
        self.assertEqual(pd.Timestamp(ts[1]), pd.Timestamp("2023-11-14 22:13:20.123456"))
        self.assertTrue(np.isnat(ts[3]))
        with self.assertRaisesRegex(_convert.TypeMappingError, "column 'ts'"):
            _convert.to_pandas(golden_column("timestamp"), "ts")
        tz = pd.Series(_convert.to_pandas(golden_column("timestamptz").slice(0, 2), "tz"))
        self.assertEqual(str(tz.dtype), "datetime64[ns, UTC]")
        # year 1 does not fit datetime64[ns]: aware datetime objects instead, nothing lost
        old = _convert.to_pandas(golden_column("timestamptz").slice(0, 4), "tz")
        self.assertEqual(old.dtype, object)
        self.assertEqual(old[2], datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc))
        self.assertIsNone(old[3])
        far = _convert.to_python(golden_column("date").slice(1, 2), "d")
        self.assertEqual(far, [datetime.date(2022, 1, 8)])

    def test_time_and_interval(self):
        times = _convert.to_pandas(golden_column("time").slice(0, 2), "t")
        self.assertEqual(list(times), [datetime.time(0), datetime.time(23, 59, 59, 999999)])
        with self.assertRaisesRegex(_convert.TypeMappingError, "24:00:00"):
            _convert.to_pandas(golden_column("time"), "t")
        intervals = _convert.to_pandas(golden_column("interval"), "i")
        self.assertEqual(intervals.dtype, object, "months need DateOffset")
        self.assertEqual(intervals[1], pd.DateOffset(months=14, days=1, microseconds=3600000000))
        self.assertIsNone(intervals[2])
        raw, _ = _infer.from_objects(np.array([datetime.timedelta(days=2, microseconds=5), None], dtype=object), "i")
        plain = _convert.to_pandas(through_wire(raw), "i")
        self.assertEqual(plain.dtype, np.dtype("timedelta64[ns]"))
        self.assertEqual(pd.Timedelta(plain[0]), pd.Timedelta(days=2, microseconds=5))
        self.assertTrue(np.isnat(plain[1]))

    def test_arrays_become_nested_lists(self):
        values = _convert.to_pandas(golden_column("array"), "a")
        self.assertEqual(list(values), [[1, None, 3], None, [], [-7]])
        (msg_type, _, payload), = helpers.read_frames((helpers.testdata() / "batch_array_2d.bin").read_bytes())
        _, (raw,) = C.decode_batch(_wire.decode_message(msg_type, payload))
        self.assertEqual(list(_convert.to_pandas(raw, "a")),
                         [[["a", "b", "c"], ["d", None, "f"]], ["x", "y"], None, [], [[["p", "q"]]]])

    def test_concatenating_batches(self):
        a = golden_column("text")
        b = through_wire(_infer.from_objects(np.array(["z", None], dtype=object), "t")[0])
        joined = C.concat([a, b, a.slice(0, 2)])
        self.assertEqual(joined.rows, a.rows + 4)
        self.assertEqual(C.split_text(joined)[-4:], ["z", None, "", "hello"])
        arrays = C.concat([golden_column("array"), golden_column("array")])
        self.assertEqual(_convert.to_python(arrays, "a")[4:], [[1, None, 3], None, [], [-7]])
        (msg_type, _, payload), = helpers.read_frames((helpers.testdata() / "batch_array_2d.bin").read_bytes())
        _, (shaped,) = C.decode_batch(_wire.decode_message(msg_type, payload))
        plain = through_wire(_infer.from_series(pd.Series([["k"], None]), "a")[0])
        self.assertIsNone(plain.shapes)
        mixed = C.concat([plain, shaped])
        self.assertEqual(_convert.to_python(mixed, "a")[:4], [["k"], None, [["a", "b", "c"], ["d", None, "f"]], ["x", "y"]])


class OutputInferenceTest(unittest.TestCase):

    def check(self, series, type_code, pg_type, expected=None):
        back, pg, values = round_trip(series)
        self.assertEqual(C.TYPE_NAMES[back.type], C.TYPE_NAMES[type_code])
        self.assertEqual(pg, pg_type)
        if expected is not None:
            self.assertEqual(_convert.to_python(back, "c"), expected)
        return back, values

    def test_numeric_dtypes(self):
        self.check(pd.Series([True, False]), C.BOOL, "boolean", [True, False])
        self.check(pd.Series([True, None], dtype="boolean"), C.BOOL, "boolean", [True, None])
        for dtype, code, pg in (("int8", C.INT16, "smallint"), ("uint8", C.INT16, "smallint"),
                                ("int16", C.INT16, "smallint"), ("int32", C.INT32, "integer"),
                                ("uint16", C.INT32, "integer"), ("int64", C.INT64, "bigint"),
                                ("uint32", C.INT64, "bigint"), ("uint64", C.INT64, "bigint"),
                                ("float32", C.FLOAT32, "real"), ("float64", C.FLOAT64, "double precision")):
            self.check(pd.Series([1, 2], dtype=dtype), code, pg, [1, 2])
        self.check(pd.Series([2**64 - 1, 1], dtype="uint64"), C.DECIMAL, "numeric",
                   [decimal.Decimal(2**64 - 1), decimal.Decimal(1)])
        _, values = self.check(pd.Series([1, None], dtype="Int32"), C.INT32, "integer", [1, None])
        self.assertEqual(str(values.dtype), "Int32")
        back, values = self.check(pd.Series(pd.arrays.FloatingArray(np.array([np.nan, 1.0, 0.0]),
                                                                     np.array([False, False, True]))),
                                  C.FLOAT64, "double precision")
        self.assertTrue(math.isnan(_convert.to_python(back, "c")[0]))
        self.assertIsNone(_convert.to_python(back, "c")[2])
        back, _ = self.check(pd.Series([np.nan, np.inf, -np.inf]), C.FLOAT64, "double precision")
        self.assertEqual(back.null_count, 0, "NaN in float64 stays NaN")

    def test_datetimes(self):
        ts = pd.Series(pd.to_datetime(["2024-01-02 03:04:05.123456789", None]))
        back, values = self.check(ts, C.TIMESTAMP, "timestamp")
        self.assertEqual(values[0], np.datetime64("2024-01-02T03:04:05.123457"), "rounded to microseconds")
        self.assertTrue(np.isnat(values[1]))
        aware = pd.Series(pd.to_datetime(["2024-01-02 03:04:05"]).tz_localize("Europe/Paris"))
        self.check(aware, C.TIMESTAMPTZ, "timestamptz",
                   [datetime.datetime(2024, 1, 2, 2, 4, 5, tzinfo=datetime.timezone.utc)])
        td = pd.Series(pd.to_timedelta(["1 day 02:00:00", "-1 us", None]))
        back, _ = self.check(td, C.INTERVAL, "interval")
        parts = back.values()
        self.assertEqual(parts["days"].tolist(), [1, 0, 0])
        self.assertEqual(parts["micros"].tolist(), [7200000000, -1, 0])
        self.check(pd.Series([datetime.date(2020, 2, 29), None]), C.DATE, "date", [datetime.date(2020, 2, 29), None])
        self.check(pd.Series([datetime.time(12, 30, 0, 5)]), C.TIME, "time", [datetime.time(12, 30, 0, 5)])
        self.check(pd.Series([datetime.datetime(9999, 12, 31, 23, 59)]), C.TIMESTAMP, "timestamp",
                   [datetime.datetime(9999, 12, 31, 23, 59)])
        self.check(pd.Series([pd.DateOffset(months=2, days=3, microseconds=4)]), C.INTERVAL, "interval",
                   [pd.DateOffset(months=2, days=3, microseconds=4)])

    def test_object_columns(self):
        self.check(pd.Series(["a", None, "\u00e9"]), C.TEXT, "text", ["a", None, "\u00e9"])
        self.check(pd.Series(["a", np.nan]), C.TEXT, "text", ["a", None])
        self.check(pd.Series(["x", None], dtype="string"), C.TEXT, "text", ["x", None])
        self.check(pd.Series([b"\x00", bytearray(b"ab"), None]), C.BYTES, "bytea", [b"\x00", b"ab", None])
        self.check(pd.Series([True, None], dtype=object), C.BOOL, "boolean", [True, None])
        self.check(pd.Series([1, None, 2**63 - 1], dtype=object), C.INT64, "bigint", [1, None, 2**63 - 1])
        self.check(pd.Series([1, 2**70], dtype=object), C.DECIMAL, "numeric",
                   [decimal.Decimal(1), decimal.Decimal(2**70)])
        back, _ = self.check(pd.Series([1, 2.5, float("nan"), None], dtype=object), C.FLOAT64, "double precision")
        got = _convert.to_python(back, "c")
        self.assertTrue(math.isnan(got[2]))
        self.assertIsNone(got[3])
        self.check(pd.Series([decimal.Decimal("1.50"), 3, None]), C.DECIMAL, "numeric",
                   [decimal.Decimal("1.50"), decimal.Decimal(3), None])
        back, _, _ = round_trip(pd.Series([decimal.Decimal("1.50"), decimal.Decimal("NaN"), decimal.Decimal("-Infinity")]))
        self.assertEqual(C.split_text(back), ["1.50", "NaN", "-Infinity"])
        u = uuid.UUID("123e4567-e89b-12d3-a456-426614174000")
        self.check(pd.Series([u, None]), C.UUID, "uuid", [str(u), None])
        self.check(pd.Series([{"a": [1, None]}, None, {}]), C.JSON, "jsonb", ['{"a": [1, null]}', None, "{}"])
        self.check(pd.Series([None, None]), C.TEXT, "text", [None, None])
        self.check(pd.Series(pd.Categorical(["x", None, "y"])), C.TEXT, "text", ["x", None, "y"])
        self.check(pd.Series(pd.Categorical([1.5, None])), C.FLOAT64, "double precision", [1.5, None])
        naive = datetime.datetime(2020, 1, 1)
        self.check(pd.Series([naive, None], dtype=object), C.TIMESTAMP, "timestamp", [naive, None])

    def test_arrays(self):
        self.check(pd.Series([[1, 2], None, [], (3,)]), C.ARRAY, "bigint[]", [[1, 2], None, [], [3]])
        back, _ = self.check(pd.Series([[[1.5, 2.0], [3.0, None]], [7.0]]), C.ARRAY, "double precision[]",
                             [[[1.5, 2.0], [3.0, None]], [7.0]])
        self.assertIsNotNone(back.shapes)
        self.check(pd.Series([np.arange(6).reshape(2, 3)]), C.ARRAY, "bigint[]", [[[0, 1, 2], [3, 4, 5]]])
        self.check(pd.Series([["a", None]]), C.ARRAY, "text[]", [["a", None]])
        with self.assertRaisesRegex(_convert.TypeMappingError, "column 'c' holds a ragged nested list"):
            _infer.from_series(pd.Series([[[1, 2], [3]]]), "c")

    def test_mixed_and_unsupported_types_name_the_column(self):
        with self.assertRaisesRegex(_convert.TypeMappingError, r"column 'c' mixes values of types int, str.*astype\(str\)"):
            _infer.from_series(pd.Series([1, "a"]), "c")
        with self.assertRaisesRegex(_convert.TypeMappingError, "column 'c' holds complex"):
            _infer.from_series(pd.Series([1 + 2j], dtype=object), "c")
        with self.assertRaisesRegex(_convert.TypeMappingError, "column 'p' has dtype period"):
            _infer.from_series(pd.Series(pd.period_range("2020-01", periods=2, freq="M")), "p")
        with self.assertRaisesRegex(_convert.TypeMappingError, "not valid Unicode"):
            _infer.from_series(pd.Series(["bad \ud800"]), "c")
        with self.assertRaisesRegex(_convert.TypeMappingError, "not JSON"):
            _infer.from_series(pd.Series([{"when": datetime.date.today()}]), "c")
        with self.assertRaisesRegex(_convert.TypeMappingError, "mixes timezone-aware and naive"):
            _infer.from_series(pd.Series([datetime.datetime(2020, 1, 1),
                                            datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)],
                                           dtype=object), "c")

    def test_parameters_are_plain_python_values(self):
        for value, expected in ((5, 5), (2.5, 2.5), (True, True), ("s", "s"), (b"\x01", b"\x01"),
                                (decimal.Decimal("1.1"), decimal.Decimal("1.1")), (np.int32(7), 7),
                                (np.float64(1.5), 1.5), ([1, 2], [1, 2]), ({"k": "v"}, '{"k": "v"}'),
                                (datetime.date(2020, 1, 1), datetime.date(2020, 1, 1))):
            raw, _ = _infer.from_value(value, "p")
            self.assertEqual(_convert.to_python(through_wire(raw), "p"), [expected])
        with self.assertRaisesRegex(_convert.TypeMappingError, "OUTPUT parameter 'p' holds a DataFrame"):
            _infer.from_value(pd.DataFrame({"a": [1]}), "p")


class BatchCuttingTest(unittest.TestCase):

    def test_batches_are_cut_by_rows_and_bytes(self):
        numbers, _ = _infer.from_series(pd.Series(np.arange(200_000, dtype=np.int64)), "n")
        bounds = C.batch_bounds([numbers], 200_000)
        self.assertEqual(bounds[0], (0, 65536))
        self.assertEqual(bounds[-1][1], 200_000)
        text, _ = _infer.from_series(pd.Series(["x" * 1000] * 10_000), "t")
        bounds = C.batch_bounds([text], 10_000)
        self.assertTrue(all(stop - start <= 4200 for start, stop in bounds))
        self.assertEqual(sum(stop - start for start, stop in bounds), 10_000)
        huge, _ = _infer.from_series(pd.Series(["y" * (10 << 20), "z"]), "h")
        self.assertEqual(C.batch_bounds([huge], 2), [(0, 1), (1, 2)], "one oversized row still makes a batch")
        self.assertEqual(C.batch_bounds([], 70_000), [(0, 65536), (65536, 70_000)])

    def test_slices_rebase_offsets_and_drop_needless_shapes(self):
        raw, _ = _infer.from_series(pd.Series([[[1, 2]], [3], None, [4]]), "a")
        part = through_wire(raw.slice(1, 4))
        self.assertIsNone(part.shapes)
        self.assertEqual(_convert.to_python(part, "a"), [[3], None, [4]])


if __name__ == "__main__":
    unittest.main()
