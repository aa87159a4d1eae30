"""Decodes every golden file, compares it with its description and re-encodes it byte for byte."""

import json
import unittest

import helpers
from helpers import C, _wire


def frames_of(name):
    return helpers.read_frames((helpers.testdata() / f"{name}.bin").read_bytes())


class GoldenFilesTest(unittest.TestCase):

    def test_every_valid_file(self):
        names = sorted(p.stem for p in helpers.testdata().glob("*.bin"))
        self.assertGreater(len(names), 30)
        for name in names:
            with self.subTest(name):
                self._check(name)

    def _check(self, name):
        data = (helpers.testdata() / f"{name}.bin").read_bytes()
        description = json.loads((helpers.testdata() / f"{name}.json").read_text(encoding="utf-8"))
        frames = helpers.read_frames(data)
        self.assertEqual(len(frames), len(description["frames"]))
        sink = helpers.BytesSink()
        writer = _wire.FrameWriter(sink)
        for (msg_type, sequence, payload), expected in zip(frames, description["frames"]):
            self.assertEqual(_wire.MESSAGE_NAMES[msg_type], expected["type"])
            self.assertEqual(msg_type, expected["code"])
            self.assertEqual(sequence, expected["sequence"])
            self.assertEqual(len(payload), expected["length"])
            self.assertTrue(helpers.same(helpers.field_tree(memoryview(payload)), expected["fields"]))
            message = _wire.decode_message(msg_type, payload)
            if "batch" in expected:
                message = self._check_batch(msg_type, message, expected["batch"])
            if "params" in expected:
                self._check_params(message, expected["params"])
            writer.write(msg_type, _wire.encode_message(msg_type, message))
        if description["canonical"]:
            self.assertEqual(bytes(sink.data), data)

    def _check_batch(self, msg_type, message, expected):
        rows, columns = C.decode_batch(message)
        self.assertEqual(rows, expected["row_count"])
        self.assertEqual(len(columns), len(expected["columns"]))
        for raw, column in zip(columns, expected["columns"]):
            self.assertEqual(C.TYPE_NAMES[raw.type], column["type"])
            if "element_type" in column:
                self.assertEqual(C.TYPE_NAMES[raw.child.type], column["element_type"])
            want = [helpers.normalize(column["type"], column.get("element_type"), v) for v in column["values"]]
            got = helpers.neutral_values(raw)
            self.assertTrue(helpers.same(got, want), f"{got} != {want}")
        # re-encode from the raw columns, not from the generic dict
        return {"row_count": rows, "column": [raw.fields() for raw in columns] or None}

    def _check_params(self, message, expected):
        params = message.get("param", [])
        self.assertEqual(len(params), len(expected))
        for p, want in zip(params, expected):
            self.assertEqual(p["name"], want["name"])
            self.assertEqual(C.TYPE_NAMES[p["type"]], want["type"])
            raw = C.decode_column(p["value"], 1)
            got = helpers.neutral_values(raw)[0]
            self.assertTrue(helpers.same(got, helpers.normalize(want["type"], want.get("element_type"), want["value"])))
            p["value"] = raw.fields()

    def test_every_invalid_file_is_rejected(self):
        names = sorted(p.stem for p in (helpers.testdata() / "invalid").glob("*.bin"))
        self.assertGreater(len(names), 20)
        for name in names:
            with self.subTest(name):
                data = (helpers.testdata() / "invalid" / f"{name}.bin").read_bytes()
                with self.assertRaises((_wire.ProtocolError, EOFError)):
                    for msg_type, _, payload in helpers.read_frames(data):
                        message = _wire.decode_message(msg_type, payload)
                        if msg_type in (_wire.INPUT_BATCH, _wire.OUTPUT_BATCH, _wire.QUERY_BATCH):
                            C.decode_batch(message)
                        for p in message.get("param", []) if isinstance(message, dict) else []:
                            C.decode_column(p["value"], 1)


if __name__ == "__main__":
    unittest.main()
