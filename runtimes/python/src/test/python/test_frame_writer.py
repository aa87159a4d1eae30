"""FrameWriter: frames held back leave in order, numbered, with the next write or flush."""

import unittest

import helpers
from helpers import _wire


class CountingSink(helpers.BytesSink):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def __call__(self, views):
        self.calls += 1
        return super().__call__(views)


class FrameWriterTest(unittest.TestCase):

    def test_held_frames_leave_with_the_next_write_in_one_call(self):
        sink = CountingSink()
        writer = _wire.FrameWriter(sink)
        writer.hold_message(_wire.OUTPUT_SCHEMA, {"absent": True})
        writer.hold_message(_wire.OUTPUT_END, {"unit": 0, "row_count": 0})
        self.assertEqual(sink.calls, 0)
        self.assertGreater(writer.held_bytes, 0)
        writer.send(_wire.STDOUT, {"text": "later"})
        self.assertEqual(sink.calls, 1)
        self.assertEqual(writer.held_bytes, 0)
        frames = helpers.read_frames(bytes(sink.data))
        self.assertEqual([(t, seq) for t, seq, _ in frames],
                         [(_wire.OUTPUT_SCHEMA, 0), (_wire.OUTPUT_END, 1), (_wire.STDOUT, 2)])

    def test_flush_sends_what_is_held_and_nothing_else(self):
        sink = CountingSink()
        writer = _wire.FrameWriter(sink)
        writer.flush()
        self.assertEqual(sink.calls, 0)
        for unit in range(3):
            writer.hold_message(_wire.OUTPUT_END, {"unit": unit, "row_count": 1})
        writer.flush()
        writer.flush()
        self.assertEqual(sink.calls, 1)
        frames = helpers.read_frames(bytes(sink.data))
        self.assertEqual([_wire.decode_message(t, p)["unit"] for t, _, p in frames], [0, 1, 2])

    def test_a_frame_over_the_limit_is_refused_when_held(self):
        writer = _wire.FrameWriter(helpers.BytesSink(), max_payload=8)
        with self.assertRaises(_wire.ProtocolError):
            writer.hold_message(_wire.STDOUT, {"text": "more than eight bytes"})
        self.assertEqual(writer.held_bytes, 0)


if __name__ == "__main__":
    unittest.main()
