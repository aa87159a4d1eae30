"""Full sessions: a fake engine (this test) drives a real cold-started satellite process."""

import decimal
import os
import textwrap
import threading
import time
import unittest

import numpy as np
import pandas as pd

import helpers
from helpers import C, _convert, _infer, _wire


def raw_columns(frame):
    return [_infer.from_series(frame.iloc[:, i], str(frame.columns[i]))[0] for i in range(len(frame.columns))]


def schema_of(frame):
    out = []
    for i in range(len(frame.columns)):
        raw, pg = _infer.from_series(frame.iloc[:, i], str(frame.columns[i]))
        out.append((str(frame.columns[i]), raw.type, pg, raw.child.type if raw.type == C.ARRAY else None))
    return out


def output_frame(messages):
    """The DataFrame the satellite sent in its OUTPUT_BATCHes (object values via to_python)."""
    schema = next(m for t, m in messages if t == _wire.OUTPUT_SCHEMA)
    names = [c["name"] for c in schema.get("column", [])]
    columns = [[] for _ in names]
    for t, m in messages:
        if t == _wire.OUTPUT_BATCH:
            _, raws = C.decode_batch(m)
            for i, raw in enumerate(raws):
                columns[i].extend(_convert.to_python(raw, names[i]))
    return pd.DataFrame({n: pd.Series(v, dtype=object) for n, v in zip(names, columns)})


def types(messages):
    return [_wire.MESSAGE_NAMES[t] for t, _ in messages]


class SessionTest(unittest.TestCase):

    def setUp(self):
        self.engine = helpers.FakeEngine()
        self.addCleanup(self.engine.close)

    def run_script(self, script, frame=None, params=(), units=None):
        e = self.engine
        e.start_cold()
        columns = schema_of(frame) if frame is not None else ()
        e.init(textwrap.dedent(script), columns=columns, params=params, has_input=frame is not None)
        if frame is not None:
            if len(frame):
                e.batch(raw_columns(frame), len(frame))
        e.end_of_input()
        messages = e.collect()
        return messages

    def error_of(self, messages):
        self.assertEqual(messages[-1][0], _wire.ERROR, types(messages))
        return messages[-1][1]

    def test_round_trip_with_params_and_output_params(self):
        frame = pd.DataFrame({"id": pd.array([1, None, 3], dtype="Int32"), "name": ["a", "\u00e9\u65e5", None],
                              "price": [decimal.Decimal("1.10"), None, decimal.Decimal("-0.5")]})
        script = """
            import datetime, decimal
            assert isinstance(p_int, int) and p_int == 42
            assert isinstance(p_dec, decimal.Decimal) and str(p_dec) == '12.500'
            assert p_null is None and p_list == [1, 2] and p_bytes == b'\\x00\\x01'
            assert p_date == datetime.date(2024, 2, 29)
            assert str(InputDataSet['id'].dtype) == 'Int32'
            assert InputDataSet['price'][0] == decimal.Decimal('1.10')
            OutputDataSet = InputDataSet
            model = b'pickled-model'
            total = int(InputDataSet['id'].sum())
            """
        params = [helpers.param("p_int", 42), helpers.param("p_dec", decimal.Decimal("12.500")),
                  helpers.param("p_null", None), helpers.param("p_list", [1, 2]),
                  helpers.param("p_bytes", b"\x00\x01"), helpers.param("p_date", pd.Timestamp("2024-02-29").date()),
                  helpers.output_param("model", C.BYTES, "bytea"), helpers.output_param("total", C.INT32, "integer"),
                  helpers.output_param("untouched", C.INT32, "integer")]
        messages = self.run_script(script, frame, params)
        self.assertEqual(types(messages), ["OUTPUT_SCHEMA", "OUTPUT_BATCH", "OUTPUT_END", "OUTPUT_PARAMS", "END"])
        schema = messages[0][1]
        self.assertEqual([(c["name"], c["type"], c["pg_type"]) for c in schema["column"]],
                         [("id", C.INT32, "integer"), ("name", C.TEXT, "text"), ("price", C.DECIMAL, "numeric")])
        out = output_frame(messages)
        self.assertEqual(out["id"].tolist(), [1, None, 3])
        self.assertEqual(out["name"].tolist(), ["a", "\u00e9\u65e5", None])
        self.assertEqual(out["price"].tolist(), [decimal.Decimal("1.10"), None, decimal.Decimal("-0.5")])
        self.assertEqual(messages[2][1], {"unit": 0, "row_count": 3})
        params_out = {p["name"]: (p["type"], _convert.to_python(C.decode_column(p["value"], 1), p["name"])[0])
                      for p in messages[3][1]["param"]}
        self.assertEqual(params_out, {"model": (C.BYTES, b"pickled-model"), "total": (C.INT64, 4),
                                      "untouched": (C.INT32, None)})
        self.assertEqual(self.engine.wait(), 0)

    def test_stdout_streams_while_the_script_runs(self):
        flag = os.path.join(self.engine.dir.name, "go")
        script = f"""
            import os, sys, time
            print('first')
            deadline = time.time() + 20
            while not os.path.exists({flag!r}):
                if time.time() > deadline:
                    raise RuntimeError('the engine never saw the first line')
                time.sleep(0.01)
            print('second')
            """
        e = self.engine
        e.start_cold()
        e.init(textwrap.dedent(script), has_input=False)
        e.end_of_input()
        msg_type, message = e.receive()
        self.assertEqual((msg_type, message), (_wire.STDOUT, {"text": "first"}))
        open(flag, "w").close()
        rest = e.collect()
        self.assertEqual(rest[0], (_wire.STDOUT, {"text": "second"}))
        self.assertEqual(types(rest)[1:], ["OUTPUT_SCHEMA", "OUTPUT_END", "OUTPUT_PARAMS", "END"])

    def test_every_kind_of_output_arrives_before_the_output_schema(self):
        script = """
            import ctypes, os, subprocess, sys
            print('python line')
            sys.stderr.write('python error line\\n')
            os.write(1, b'fd line\\n')
            subprocess.run(['/bin/echo', 'subprocess line'], check=True)
            libc = ctypes.CDLL(None)
            libc.printf(b'c line\\n')
            sys.stdout.buffer.write(b'bytes line\\n')
            print('\\u00e9t\\u00e9 \\U0001f600')
            print('no newline at the end', end='')
            OutputDataSet = None
            """
        messages = self.run_script(script)
        schema_at = types(messages).index("OUTPUT_SCHEMA")
        before = messages[:schema_at]
        stdout = [m["text"] for t, m in before if t == _wire.STDOUT]
        stderr = [m["text"] for t, m in before if t == _wire.STDERR]
        self.assertCountEqual(stdout, ["python line", "fd line", "subprocess line", "c line", "bytes line",
                                       "\u00e9t\u00e9 \U0001f600", "no newline at the end"])
        self.assertEqual(stderr, ["python error line"])
        self.assertTrue(messages[schema_at][1]["absent"])

    def test_fd_level_output_on_both_streams_past_the_pipe_capacity(self):
        # one thread drains both pipes: a full stderr pipe must not hold up stdout, nor the reverse
        script = """
            import os
            for i in range(3000):
                os.write(2, b'e%05d %s\\n' % (i, b'x' * 40))
                os.write(1, b'o%05d\\n' % i)
            OutputDataSet = None
            """
        messages = self.run_script(script)
        schema_at = types(messages).index("OUTPUT_SCHEMA")
        stdout = [m["text"] for t, m in messages[:schema_at] if t == _wire.STDOUT]
        stderr = [m["text"] for t, m in messages[:schema_at] if t == _wire.STDERR]
        self.assertEqual(stdout, ["o%05d" % i for i in range(3000)])
        self.assertEqual(stderr, ["e%05d %s" % (i, "x" * 40) for i in range(3000)])

    def test_capture_goes_on_when_the_script_closes_a_capture_pipe(self):
        # the script may close descriptors it does not know; the other stream still arrives
        script = """
            import os
            stderr_pipe = os.fstat(2).st_ino
            for fd in range(3, 64):
                try:
                    if os.fstat(fd).st_ino == stderr_pipe:
                        os.close(fd)  # the read end of the stderr capture pipe
                        break
                except OSError:
                    pass
            os.write(1, b'still here\\n')
            OutputDataSet = None
            """
        messages = self.run_script(script)
        schema_at = types(messages).index("OUTPUT_SCHEMA")
        stdout = [m["text"] for t, m in messages[:schema_at] if t == _wire.STDOUT]
        self.assertIn("still here", stdout)

    def test_syntax_error(self):
        error = self.error_of(self.run_script("x = 1\ny = = 2\n"))
        self.assertEqual(error["kind"], "syntax")
        self.assertEqual(error["exception"], "SyntaxError")
        self.assertEqual(error["line"], 2)
        self.assertIn('File "<script>", line 2', "\n".join(error["traceback"]))
        self.assertEqual(self.engine.wait(), 1)

    def test_the_engine_can_still_write_after_the_error_that_answers_session_init(self):
        # a script that does not compile is answered at once, while the engine still sends
        # END_OF_INPUT: the satellite must not have closed the connection by then, or the engine's
        # write fails and it never reads the ERROR waiting for it
        e = self.engine
        e.start_cold()
        e.init("x = (\n", has_input=False)
        msg_type, message = e.receive()
        self.assertEqual((msg_type, message["kind"]), (_wire.ERROR, "syntax"))
        time.sleep(0.3)
        e.end_of_input()
        e.sock.close()
        self.assertEqual(e.wait(), 1)

    def test_runtime_error_traceback_points_into_the_script(self):
        script = "import math\n\ndef f(x):\n    return 1 / x\n\nprint('before')\nf(0)\n"
        messages = self.run_script(script)
        self.assertEqual(messages[0], (_wire.STDOUT, {"text": "before"}))
        error = self.error_of(messages)
        self.assertEqual(error["kind"], "script")
        self.assertEqual(error["exception"], "ZeroDivisionError")
        self.assertEqual(error["message"], "division by zero")
        self.assertEqual(error["line"], 4)
        tb = error["traceback"]
        self.assertEqual(tb[0], "Traceback (most recent call last):")
        self.assertEqual(tb[1], '  File "<script>", line 7, in <module>')
        self.assertEqual(tb[2], "    f(0)")
        self.assertIn('  File "<script>", line 4, in f', tb)
        self.assertEqual(tb[-1], "ZeroDivisionError: division by zero")
        self.assertFalse(any("_satellite" in line for line in tb), tb)

    def test_errors_inside_libraries_keep_their_frames_and_the_script_line(self):
        script = "import pandas as pd\n\npd.DataFrame({'a': [1]})['missing']\n"
        error = self.error_of(self.run_script(script))
        self.assertEqual(error["exception"], "KeyError")
        self.assertEqual(error["line"], 3)
        tb = error["traceback"]
        # pandas raises KeyError from its own KeyError: both sections are kept, the last starts in the script
        self.assertIn("The above exception was the direct cause of the following exception:", tb)
        last = tb[len(tb) - tb[::-1].index("Traceback (most recent call last):") - 1:]
        self.assertEqual(last[1], '  File "<script>", line 3, in <module>')
        self.assertTrue(any("pandas" in line for line in last[4:]))
        self.assertFalse(any("_satellite" in line for line in tb), tb)

    def test_sys_exit(self):
        error = self.error_of(self.run_script("import sys\nprint('bye')\nsys.exit(3)\n"))
        self.assertEqual(error["kind"], "exit")
        self.assertEqual(error["message"], "script called sys.exit(3)")
        self.assertEqual(error["line"], 3)

    def test_os_exit_ends_the_stream_without_error(self):
        messages = self.run_script("import os\nprint('going', flush=True)\nos._exit(7)\n")
        self.assertEqual(types(messages), ["STDOUT"])
        self.assertEqual(self.engine.wait(), 7)

    def test_cancel_interrupts_a_sleeping_script(self):
        e = self.engine
        e.start_cold()
        e.init("import time\nprint('started')\ntime.sleep(60)\n", has_input=False)
        e.end_of_input()
        self.assertEqual(e.receive(), (_wire.STDOUT, {"text": "started"}))
        started = time.time()
        e.writer.send(_wire.CANCEL)
        error = self.error_of(e.collect())
        self.assertEqual(error["kind"], "cancelled")
        self.assertLess(time.time() - started, 5)
        self.assertEqual(e.wait(), 3)

    def test_cancel_of_a_script_that_swallows_interrupts_still_ends(self):
        e = self.engine
        e.start_cold()
        script = "import time\nprint('started')\nwhile True:\n    try:\n        time.sleep(60)\n    except BaseException:\n        pass\n"
        e.init(script, has_input=False)
        e.end_of_input()
        self.assertEqual(e.receive(), (_wire.STDOUT, {"text": "started"}))
        e.writer.send(_wire.CANCEL)
        error = self.error_of(e.collect())
        self.assertEqual(error["kind"], "cancelled")
        self.assertEqual(e.wait(20), 3)

    def test_engine_disconnect_stops_the_satellite(self):
        e = self.engine
        e.start_cold()
        e.init("import time\nprint('started')\ntime.sleep(60)\n", has_input=False)
        e.end_of_input()
        e.receive()
        started = time.time()
        e.sock.close()
        e.sock = None
        self.assertEqual(e.wait(20), 4)
        self.assertLess(time.time() - started, 10)

    def test_protocol_violation_is_reported(self):
        e = self.engine
        e.start_cold()
        e.init("OutputDataSet = InputDataSet", columns=[("x", C.INT32, "integer", None)])
        e.sock.sendall(b"\x00" * 16)
        error = self.error_of(e.collect())
        self.assertEqual(error["kind"], "protocol")
        self.assertIn("magic", error["message"])
        self.assertEqual(e.wait(), 2)

    def test_empty_input_keeps_columns_and_types(self):
        frame = pd.DataFrame({"a": pd.Series([], dtype="int32"), "s": pd.Series([], dtype=object),
                              "t": pd.Series([], dtype="datetime64[ns]")})
        schema = [("a", C.INT32, "integer", None), ("s", C.TEXT, "text", None), ("t", C.TIMESTAMP, "timestamp", None),
                  ("arr", C.ARRAY, "integer[]", C.INT32)]
        e = self.engine
        e.start_cold()
        e.init("print(list(InputDataSet.columns), len(InputDataSet), InputDataSet['a'].dtype)\n"
               "OutputDataSet = InputDataSet", columns=schema)
        e.end_of_input()
        messages = e.collect()
        self.assertEqual(messages[0], (_wire.STDOUT, {"text": "['a', 's', 't', 'arr'] 0 int32"}))
        self.assertEqual(types(messages)[1:], ["OUTPUT_SCHEMA", "OUTPUT_END", "OUTPUT_PARAMS", "END"])
        self.assertEqual([c["type"] for c in messages[1][1]["column"]], [C.INT32, C.TEXT, C.TIMESTAMP, C.TEXT])
        self.assertEqual(messages[2][1]["row_count"], 0)
        del frame

    def test_no_input_and_no_output(self):
        messages = self.run_script("print(type(InputDataSet).__name__, InputDataSet.shape)")
        self.assertEqual(messages[0], (_wire.STDOUT, {"text": "DataFrame (0, 0)"}))
        self.assertEqual(messages[1], (_wire.OUTPUT_SCHEMA, {"absent": True}))

    def test_zero_columns_keep_their_row_count(self):
        e = self.engine
        e.start_cold()
        e.init("print(InputDataSet.shape)\nOutputDataSet = InputDataSet", has_input=True)
        e.batch([], 5)
        e.batch([], 2)
        e.end_of_input()
        messages = e.collect()
        self.assertEqual(messages[0], (_wire.STDOUT, {"text": "(7, 0)"}))
        self.assertTrue(messages[1][1]["absent"], "no columns means no result set")

    def test_five_hundred_columns(self):
        frame = pd.DataFrame({f"c{i}": np.arange(10, dtype=np.int64) * i for i in range(500)})
        messages = self.run_script("OutputDataSet = InputDataSet * 2", frame)
        out = output_frame(messages)
        self.assertEqual(out.shape, (10, 500))
        self.assertEqual(out["c499"].tolist(), [2 * 499 * k for k in range(10)])

    def test_ten_megabyte_strings_and_unicode(self):
        big = "\u00e9" * (5 << 20)
        frame = pd.DataFrame({"s": [big, "\U0001f600 \u65e5\u672c", "", None]})
        messages = self.run_script("OutputDataSet = InputDataSet.assign(n=InputDataSet.s.str.len())", frame)
        self.assertEqual(len([t for t, _ in messages if t == _wire.OUTPUT_BATCH]), 2, "the big row is a batch")
        out = output_frame(messages)
        self.assertEqual(out["s"].tolist(), [big, "\U0001f600 \u65e5\u672c", "", None])
        self.assertEqual(out["n"].tolist()[:3], [5 << 20, 4, 0])
        self.assertTrue(np.isnan(out["n"][3]), "str.len() of None is NaN in pandas")

    def test_several_units_run_the_script_again(self):
        e = self.engine
        e.start_cold()
        e.init("OutputDataSet = InputDataSet.assign(rows=len(InputDataSet))\nprint('unit')",
               columns=[("x", C.INT64, "bigint", None)])
        for unit, values in enumerate(([1, 2], [3])):
            frame = pd.DataFrame({"x": np.array(values, dtype=np.int64)})
            e.batch(raw_columns(frame), len(frame))
            e.end_of_input(last=unit == 1, unit=unit)
        messages = e.collect()
        self.assertEqual(types(messages), ["STDOUT", "OUTPUT_SCHEMA", "OUTPUT_BATCH", "OUTPUT_END",
                                           "STDOUT", "OUTPUT_SCHEMA", "OUTPUT_BATCH", "OUTPUT_END",
                                           "OUTPUT_PARAMS", "END"])
        self.assertEqual(messages[3][1], {"unit": 0, "row_count": 2})
        self.assertEqual(messages[7][1], {"unit": 1, "row_count": 1})
        self.assertEqual(output_frame(messages[4:])["rows"].tolist(), [1])

    def test_fd_level_output_of_every_unit_precedes_its_schema(self):
        # sync() skips the marker round trip when the pipes are drained: the skip must never let a
        # unit's fd-level line arrive after its OUTPUT_SCHEMA
        e = self.engine
        e.start_cold()
        e.init("import os\nos.write(1, b'fd %d\\n' % InputDataSet.x[0])\nOutputDataSet = None",
               columns=[("x", C.INT64, "bigint", None)])
        units = 40
        for unit in range(units):
            frame = pd.DataFrame({"x": np.array([unit], dtype=np.int64)})
            e.batch(raw_columns(frame), len(frame))
            e.end_of_input(last=unit == units - 1, unit=unit)
        messages = e.collect()
        expected = []
        for unit in range(units):
            expected += ["STDOUT", "OUTPUT_SCHEMA", "OUTPUT_END"]
        self.assertEqual(types(messages), expected + ["OUTPUT_PARAMS", "END"])
        lines = [m["text"] for t, m in messages if t == _wire.STDOUT]
        self.assertEqual(lines, ["fd %d" % u for u in range(units)])

    def test_each_unit_is_answered_before_the_next_unit_arrives(self):
        # an engine may wait for a unit's answer before it sends the next unit: output held to leave
        # in one system call must not wait for input that only comes after it
        e = self.engine
        e.start_cold()
        e.init("OutputDataSet = InputDataSet", columns=[("x", C.INT64, "bigint", None)])
        for unit in range(3):
            frame = pd.DataFrame({"x": np.array([unit], dtype=np.int64)})
            e.batch(raw_columns(frame), 1)
            e.end_of_input(last=unit == 2, unit=unit)
            answer = e.collect(stop=(_wire.OUTPUT_END, _wire.ERROR))
            self.assertEqual(types(answer), ["OUTPUT_SCHEMA", "OUTPUT_BATCH", "OUTPUT_END"])
            self.assertEqual(answer[-1][1], {"unit": unit, "row_count": 1})
        self.assertEqual(types(e.collect()), ["OUTPUT_PARAMS", "END"])

    def test_a_failing_unit_comes_after_the_output_of_the_units_before_it(self):
        # the engine names the failing partition by counting OUTPUT_ENDs: held output goes first
        e = self.engine
        e.start_cold()
        e.init("assert InputDataSet.x[0] != 7, 'seven'\nOutputDataSet = InputDataSet",
               columns=[("x", C.INT64, "bigint", None)])
        for unit in range(10):
            frame = pd.DataFrame({"x": np.array([unit], dtype=np.int64)})
            e.batch(raw_columns(frame), 1)
            e.end_of_input(last=unit == 9, unit=unit)
        messages = e.collect()
        self.assertEqual(types(messages), ["OUTPUT_SCHEMA", "OUTPUT_BATCH", "OUTPUT_END"] * 7 + ["ERROR"])
        self.assertEqual([m["unit"] for t, m in messages if t == _wire.OUTPUT_END], list(range(7)))
        self.assertEqual(messages[-1][1]["message"], "seven")

    def end_of_run(self, first, rows, last):
        self.engine.writer.send(_wire.END_OF_INPUT, {"last": last, "unit": first,
                                                     "unit_rows": np.array(rows, dtype="<i8").tobytes()})

    def test_hello_offers_runs_of_units(self):
        self.engine.start_cold()
        self.assertTrue(self.engine.hello.get("unit_runs"))

    def test_a_run_of_units_runs_the_script_once_per_unit_on_its_rows(self):
        e = self.engine
        e.start_cold()
        e.init("import warnings\nwarnings.simplefilter('error')\n"
               "assert list(InputDataSet.index) == list(range(len(InputDataSet)))\n"
               "InputDataSet['twice'] = InputDataSet.x * 2\n"
               "OutputDataSet = InputDataSet.assign(rows=len(InputDataSet))",
               columns=[("k", C.INT32, "integer", None), ("x", C.INT64, "bigint", None)])
        keys = [0, 0, 1, 2, 2, 2, 2, 3]
        frame = pd.DataFrame({"k": np.array(keys, dtype=np.int32), "x": np.arange(8, dtype=np.int64)})
        # unit 2 (k = 2) spans the two batches; units 0-3 in one run, unit 4 (no rows) in the last
        e.batch(raw_columns(frame.iloc[:4]), 4)
        e.batch(raw_columns(frame.iloc[4:]), 4)
        self.end_of_run(0, [2, 1, 4, 1], False)
        self.end_of_run(4, [0], True)
        messages = e.collect()
        ends = [m for t, m in messages if t == _wire.OUTPUT_END]
        self.assertEqual(ends, [{"unit": 0, "row_count": 2}, {"unit": 1, "row_count": 1},
                                {"unit": 2, "row_count": 4}, {"unit": 3, "row_count": 1},
                                {"unit": 4, "row_count": 0}], types(messages))
        self.assertEqual(types(messages)[-2:], ["OUTPUT_PARAMS", "END"])
        end_at = [i for i, (t, m) in enumerate(messages) if t == _wire.OUTPUT_END]
        unit2 = messages[end_at[1] + 1:end_at[2] + 1]
        out = output_frame(unit2)
        self.assertEqual(out["k"].tolist(), [2, 2, 2, 2])
        self.assertEqual(out["twice"].tolist(), [6, 8, 10, 12])
        self.assertEqual(out["rows"].tolist(), [4, 4, 4, 4])

    def test_a_failing_unit_in_a_run_comes_after_the_output_of_the_units_before_it(self):
        e = self.engine
        e.start_cold()
        e.init("assert InputDataSet.x[0] != 3, 'three'\nOutputDataSet = InputDataSet",
               columns=[("x", C.INT64, "bigint", None)])
        frame = pd.DataFrame({"x": np.arange(6, dtype=np.int64)})
        e.batch(raw_columns(frame), 6)
        self.end_of_run(0, [1, 1, 1, 1, 1, 1], True)
        messages = e.collect()
        self.assertEqual(types(messages), ["OUTPUT_SCHEMA", "OUTPUT_BATCH", "OUTPUT_END"] * 3 + ["ERROR"])
        self.assertEqual(messages[-1][1]["message"], "three")

    def test_unit_rows_that_miss_rows_are_a_protocol_error(self):
        e = self.engine
        e.start_cold()
        e.init("OutputDataSet = InputDataSet", columns=[("x", C.INT64, "bigint", None)])
        frame = pd.DataFrame({"x": np.arange(3, dtype=np.int64)})
        e.batch(raw_columns(frame), 3)
        self.end_of_run(0, [1, 1], True)
        error = self.error_of(e.collect())
        self.assertEqual(error["kind"], "protocol")
        self.assertIn("adds up to 2 rows, 3 were sent", error["message"])

    def end_of_groups(self, key_columns, last=True, unit=0):
        self.engine.writer.send(_wire.END_OF_INPUT, {"last": last, "unit": unit, "group_by": list(key_columns)})

    def test_hello_offers_key_groups(self):
        self.engine.start_cold()
        self.assertTrue(self.engine.hello.get("key_groups"))

    def test_grouped_units_see_exactly_one_key_each_with_null_a_key_of_its_own(self):
        e = self.engine
        e.start_cold()
        e.init("assert list(InputDataSet.index) == list(range(len(InputDataSet)))\n"
               "OutputDataSet = InputDataSet.assign(rows=len(InputDataSet))",
               columns=[("k", C.INT64, "bigint", None), ("t", C.TEXT, "text", None), ("x", C.INT64, "bigint", None)])
        # keys come interleaved (hashed rows are not sorted); k NULL is its own key; 2**53 + 1 and
        # 2**53 differ, although they are equal as float64
        big = 2 ** 53
        frame = pd.DataFrame({"k": pd.array([1, None, 1, big, big + 1, None, 1, big], dtype="Int64"),
                              "t": ["a", "a", "b", "a", "a", "a", "a", "a"],
                              "x": np.arange(8, dtype=np.int64)})
        e.batch(raw_columns(frame.iloc[:5]), 5)
        e.batch(raw_columns(frame.iloc[5:]), 3)
        self.end_of_groups([0, 1])
        messages = e.collect()
        self.assertEqual(types(messages)[-2:], ["OUTPUT_PARAMS", "END"], types(messages))
        ends = [m for t, m in messages if t == _wire.OUTPUT_END]
        self.assertEqual([m["unit"] for m in ends], list(range(5)))
        # in order of first appearance, rows in arrival order
        groups = []
        end_at = [i for i, (t, m) in enumerate(messages) if t == _wire.OUTPUT_END]
        start = 0
        for stop in end_at:
            out = output_frame(messages[start:stop + 1])
            groups.append((out["k"].tolist()[0], out["t"].tolist()[0], out["x"].tolist(), out["rows"].tolist()[0]))
            start = stop + 1
        self.assertEqual(groups, [(1, "a", [0, 6], 2), (None, "a", [1, 5], 2), (1, "b", [2], 1),
                                  (big, "a", [3, 7], 2), (big + 1, "a", [4], 1)])

    def test_grouped_units_of_a_sorted_share_are_slices(self):
        e = self.engine
        e.start_cold()
        e.init("OutputDataSet = InputDataSet.head(1).assign(n=len(InputDataSet))",
               columns=[("k", C.INT32, "integer", None)])
        frame = pd.DataFrame({"k": np.repeat(np.arange(50, dtype=np.int32), 3)})
        e.batch(raw_columns(frame), len(frame))
        self.end_of_groups([0])
        messages = e.collect()
        out = output_frame(messages)
        self.assertEqual(out["k"].tolist(), list(range(50)))
        self.assertEqual(out["n"].tolist(), [3] * 50)

    def test_a_failing_grouped_unit_names_its_key(self):
        e = self.engine
        e.start_cold()
        e.init("assert InputDataSet.t.iloc[0] != 'north', 'bad group'\nOutputDataSet = InputDataSet",
               columns=[("k", C.INT32, "integer", None), ("t", C.TEXT, "text", None)])
        frame = pd.DataFrame({"k": np.array([7, 42, 7], dtype=np.int32), "t": ["south", "north", "south"]})
        e.batch(raw_columns(frame), 3)
        self.end_of_groups([1, 0])
        messages = e.collect()
        self.assertEqual(types(messages), ["OUTPUT_SCHEMA", "OUTPUT_BATCH", "OUTPUT_END", "ERROR"])
        error = messages[-1][1]
        self.assertEqual(error["message"], "bad group")
        key = error["unit_key"]
        self.assertEqual(key["row_count"], 1)
        _, raws = C.decode_batch(key)
        self.assertEqual([_convert.to_python(r, "key")[0] for r in raws], ["north", 42])

    def test_group_by_with_unit_rows_is_a_protocol_error(self):
        e = self.engine
        e.start_cold()
        e.init("OutputDataSet = InputDataSet", columns=[("x", C.INT64, "bigint", None)])
        e.batch(raw_columns(pd.DataFrame({"x": np.arange(2, dtype=np.int64)})), 2)
        e.writer.send(_wire.END_OF_INPUT, {"last": True, "unit": 0, "group_by": [0],
                                           "unit_rows": np.array([2], dtype="<i8").tobytes()})
        error = self.error_of(e.collect())
        self.assertEqual(error["kind"], "protocol")

    def test_units_streamed_ahead_of_the_script_are_read_with_a_bound(self):
        e = self.engine
        e.start_cold()
        e.init("import time\ntime.sleep(0.5)\nOutputDataSet = InputDataSet.assign(n=InputDataSet.b.str.len())",
               columns=[("b", C.BYTES, "bytea", None)])
        raw = _infer.from_series(pd.Series([b"x" * (30 << 20)]), "b")[0]
        received = []
        # an engine reads output while it sends input; the satellite relies on that for backpressure
        reader = threading.Thread(target=lambda: received.extend(e.collect()))
        reader.start()
        for unit in range(3):
            for _ in range(3):
                e.batch([raw], 1)
            e.end_of_input(last=unit == 2, unit=unit)
        reader.join(60)
        self.assertEqual(types(received).count("OUTPUT_END"), 3)
        self.assertEqual(types(received)[-1], "END")

    def test_output_type_errors_name_the_problem(self):
        error = self.error_of(self.run_script("OutputDataSet = [1, 2]"))
        self.assertEqual(error["kind"], "type")
        self.assertIn("OutputDataSet must be a pandas DataFrame", error["message"])
        self.engine.close()
        self.engine = helpers.FakeEngine()
        self.addCleanup(self.engine.close)
        error = self.error_of(self.run_script("import pandas as pd\nOutputDataSet = pd.DataFrame({'m': [1, 'a']})"))
        self.assertEqual(error["kind"], "type")
        self.assertIn("column 'm' mixes", error["message"])

    def test_input_that_python_cannot_hold_names_the_column(self):
        e = self.engine
        e.start_cold()
        e.init("pass", columns=[("d", C.DATE, "date", None)])
        raw = C.RawColumn(C.DATE, 1, data=np.array([C.DATE_INFINITY], dtype="<i4").view(np.uint8))
        e.batch([raw], 1)
        e.end_of_input()
        error = self.error_of(e.collect())
        self.assertEqual(error["kind"], "type")
        self.assertIn("column 'd'", error["message"])

    def test_the_secret_is_not_visible_to_the_script(self):
        messages = self.run_script("import os\nprint(sorted(k for k in os.environ if k.startswith('EXTENSA')))")
        self.assertEqual(messages[0], (_wire.STDOUT, {"text": "[]"}))

    def test_large_numeric_output_is_batched(self):
        messages = self.run_script("import numpy as np, pandas as pd\n"
                                   "OutputDataSet = pd.DataFrame({'v': np.arange(200000.0)})")
        batches = [C.decode_batch(m) for t, m in messages if t == _wire.OUTPUT_BATCH]
        self.assertEqual([rows for rows, _ in batches], [65536, 65536, 65536, 3392])
        last = batches[-1][1][0].values()
        self.assertEqual(last[-1], 199999.0)

    def test_custom_names(self):
        e = self.engine
        e.start_cold()
        e.init("result = data", columns=[("x", C.INT32, "integer", None)], input_name="data", output_name="result")
        e.batch(raw_columns(pd.DataFrame({"x": np.array([5], dtype=np.int32)})), 1)
        e.end_of_input()
        messages = e.collect()
        self.assertEqual(output_frame(messages)["x"].tolist(), [5])


if __name__ == "__main__":
    unittest.main()
