"""Measures (does not assert) the input path for 1M rows x 3 float8 in 16 batches.

Run: /usr/bin/python3 runtimes/python/src/test/python/bench_decode.py
1. in process: frames already in memory -> FrameReader -> decode -> concat -> DataFrame -> means
2. a real session: a cold satellite over a Unix socket, from the first INPUT_BATCH sent to
   OUTPUT_END received, with the script computing the per-column means
"""

import statistics
import sys
import threading
import time

import numpy as np
import pandas as pd

import helpers
from helpers import C, _convert, _infer, _wire

ROWS = 1_000_000
BATCHES = 16
REPEAT = 5


def encoded_batches():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({name: rng.random(ROWS) for name in ("a", "b", "c")})
    raws = [_infer.from_series(frame[c], c)[0] for c in frame.columns]
    per = ROWS // BATCHES
    payloads = []
    for start in range(0, ROWS, per):
        payload = _wire.Payload().int(1, per)
        for raw in raws:
            handle = payload.begin_struct(2)
            _wire.encode_into(payload, _wire.COLUMN, raw.slice(start, start + per).fields())
            payload.end_struct(handle)
        payloads.append(payload)
    return frame, payloads


def in_process(stream):
    view = memoryview(stream)
    position = [0]

    def read_into(mv):
        n = min(len(mv), len(view) - position[0])
        mv[:n] = view[position[0]:position[0] + n]
        position[0] += n
        return n

    started = time.perf_counter()
    reader = _wire.FrameReader(read_into)
    batches = []
    while True:
        frame = reader.read()
        if frame is None:
            break
        msg_type, _, payload = frame
        batches.append(C.decode_batch(_wire.decode_message(msg_type, payload))[1])
    decoded = time.perf_counter()
    arrays = {i: _convert.to_pandas(C.concat([b[i] for b in batches]), name) for i, name in enumerate("abc")}
    frame = pd.DataFrame(arrays, copy=False)
    frame.columns = list("abc")
    built = time.perf_counter()
    means = frame.mean()
    done = time.perf_counter()
    return decoded - started, built - decoded, done - built, done - started, means


def session(payloads):
    engine = helpers.FakeEngine()
    try:
        engine.start_cold()
        engine.init("OutputDataSet = InputDataSet.mean().to_frame().T",
                    columns=[(n, C.FLOAT64, "double precision", None) for n in "abc"])
        started = time.perf_counter()
        for payload in payloads:
            engine.writer.write(_wire.INPUT_BATCH, payload)
        engine.end_of_input()
        messages = engine.collect()
        elapsed = time.perf_counter() - started
        assert messages[-1][0] == _wire.END, messages[-1]
        return elapsed
    finally:
        engine.close()


def main():
    frame, payloads = encoded_batches()
    sink = helpers.BytesSink()
    writer = _wire.FrameWriter(sink)
    for payload in payloads:
        writer.write(_wire.INPUT_BATCH, payload)
    stream = bytes(sink.data)
    print(f"{ROWS} rows x 3 float8 in {BATCHES} batches, {len(stream) / 2**20:.1f} MiB of frames")
    runs = [in_process(stream) for _ in range(REPEAT)]
    expected = frame.mean()
    assert np.allclose(runs[-1][4].to_numpy(), expected.to_numpy())
    for label, index in (("read+decode", 0), ("concat+DataFrame", 1), ("means", 2), ("total", 3)):
        print(f"in process  {label:18s} median {statistics.median(r[index] for r in runs) * 1000:7.1f} ms")
    times = [session(payloads) for _ in range(REPEAT)]
    print(f"socket session (send 16 batches .. OUTPUT_END) median {statistics.median(times) * 1000:7.1f} ms, "
          f"min {min(times) * 1000:.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
