"""extensa.query / extensa.execute / extensa.connection_string against a fake engine and a real satellite."""

import textwrap
import unittest

import helpers
from helpers import C, _convert, _wire
from test_session import output_frame


def int_column(values):
    payload = _wire.Payload().int(1, len(values))
    handle = payload.begin_struct(2)
    _wire.encode_into(payload, _wire.COLUMN, {"type": C.INT32, "null_count": 0,
                                              "data": b"".join(v.to_bytes(4, "little", signed=True) for v in values)})
    payload.end_struct(handle)
    return payload


class LoopbackTest(unittest.TestCase):

    def start(self, script, welcome):
        self.engine = helpers.FakeEngine(welcome=welcome)
        self.addCleanup(self.engine.close)
        self.engine.start_cold()
        self.engine.init(textwrap.dedent(script), has_input=False)
        self.engine.end_of_input()

    def expect_query(self):
        msg_type, message = self.engine.receive()
        self.assertEqual(_wire.MESSAGE_NAMES[msg_type], "QUERY")
        return message

    def test_query_returns_a_dataframe_and_execute_a_count(self):
        self.start("""
            import extensa
            OutputDataSet = extensa.query('SELECT n FROM t WHERE n > $1 AND s = $2', [1, None])
            OutputDataSet['affected'] = extensa.execute("DELETE FROM t")
        """, {"loopback": True})
        q = self.expect_query()
        self.assertEqual(q["sql"], "SELECT n FROM t WHERE n > $1 AND s = $2")
        self.assertEqual(q["parameter"], [{"value": "1"}, {}])
        w = self.engine.writer
        w.send(_wire.QUERY_RESULT, {"column": [{"name": "n", "type": C.INT32, "pg_type": "integer"}],
                                    "returns_rows": True})
        w.write(_wire.QUERY_BATCH, int_column([2, 3]))
        w.write(_wire.QUERY_BATCH, int_column([4]))
        w.send(_wire.QUERY_END, {"command": "SELECT 3", "row_count": 3})
        q = self.expect_query()
        self.assertEqual(q["sql"], "DELETE FROM t")
        self.assertNotIn("parameter", q)
        w.send(_wire.QUERY_RESULT, {"returns_rows": False})
        w.send(_wire.QUERY_END, {"command": "DELETE 7", "row_count": 7})
        messages = self.engine.collect()
        self.assertEqual(_wire.MESSAGE_NAMES[messages[-1][0]], "END", messages)
        frame = output_frame(messages)
        self.assertEqual(list(frame["n"]), [2, 3, 4])
        self.assertEqual(list(frame["affected"]), [7, 7, 7])

    def test_query_error_is_raised_as_query_error(self):
        self.start("""
            import extensa, pandas as pd
            try:
                extensa.query('SELECT * FROM b')
            except extensa.QueryError as e:
                OutputDataSet = pd.DataFrame({'s': [e.sqlstate], 'm': [e.message], 'h': [e.hint]})
        """, {"loopback": True})
        self.expect_query()
        self.engine.writer.send(_wire.QUERY_ERROR, {"sqlstate": "42501", "message": "permission denied for table b",
                                                    "hint": "ask"})
        frame = output_frame(self.engine.collect())
        self.assertEqual(list(frame.iloc[0]), ["42501", "permission denied for table b", "ask"])

    def test_connection_string_comes_from_welcome(self):
        self.start("""
            import extensa, os, pandas as pd
            OutputDataSet = pd.DataFrame({'dsn': [extensa.connection_string()],
                                          'env': [os.environ['EXTENSA_LOOPBACK_DSN']]})
        """, {"loopback": True, "loopback_dsn": "host=/j/.extensa-loopback port=5432 password=t"})
        frame = output_frame(self.engine.collect())
        self.assertEqual(list(frame.iloc[0]), ["host=/j/.extensa-loopback port=5432 password=t"] * 2)

    def test_an_engine_without_loopback_says_so(self):
        self.start("""
            import extensa, pandas as pd
            msgs = []
            for f in (lambda: extensa.query('SELECT 1'), extensa.connection_string):
                try:
                    f()
                except RuntimeError as e:
                    msgs.append(str(e))
            OutputDataSet = pd.DataFrame({'m': msgs})
        """, {})
        frame = output_frame(self.engine.collect())
        self.assertIn("loopback queries are not available in this call", frame["m"][0])
        self.assertIn("no loopback connection string", frame["m"][1])

    def test_parameters_are_sent_as_postgresql_text(self):
        from extensa import _loopback
        import datetime
        import decimal
        import numpy as np
        self.assertEqual([_loopback._text(v) for v in (True, np.int64(5), 1.5, float("nan"), decimal.Decimal("1.10"),
                                                      datetime.date(2024, 1, 2), b"\x00\xff", None)],
                         ["true", "5", "1.5", "NaN", "1.10", "2024-01-02", "\\x00ff", None])
        with self.assertRaises(TypeError):
            _loopback._text(object())
        with self.assertRaises(TypeError):
            _loopback._as_list("not a list")


if __name__ == "__main__":
    unittest.main()
