"""Measures (does not assert) the satellite's side of a partitioned call: 1,000 units of 1,000 rows
(k int4, x1, x2, x3, y float8), one script run per unit, from the first input frame sent to END.

Run: /usr/bin/python3 runtimes/python/src/test/python/bench_partitions.py [--runs N] [--profile FILE] SCRIPT
  SCRIPT: first-row (OutputDataSet = InputDataSet.head(1)), model (LinearRegression from a stacked
  matrix), model-dataframe (LinearRegression from InputDataSet[[...]])
  --runs N: N units per END_OF_INPUT (unit_rows) and per INPUT_BATCH, as the engine sends partitions
  in runs; 1 (default): one INPUT_BATCH and one END_OF_INPUT per unit
  --grouped: the whole input in batches of --runs units (default 8), then one END_OF_INPUT with
  group_by (k), as the engine sends partitions dealt by key hash
  --profile FILE: cProfile the satellite's session (main thread) into FILE (pstats format)

The whole input is encoded before the clock starts and written by a thread with one sendall, so the
satellite, not this process, is what is measured. A first unit (untimed) imports scikit-learn.
"""

import argparse
import os
import subprocess
import threading
import time

import numpy as np
import pandas as pd

import helpers
from helpers import C, _infer, _wire

UNITS = 1000
ROWS = 1000
_OUTPUT = """
OutputDataSet = pd.DataFrame({"k": [int(InputDataSet["k"].iat[0])], "intercept": [float(model.intercept_)],
                              "b1": [float(model.coef_[0])], "b2": [float(model.coef_[1])],
                              "b3": [float(model.coef_[2])]})"""
SCRIPTS = {
    "first-row": "OutputDataSet = InputDataSet.head(1)",
    "model": """import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression
d = InputDataSet
model = LinearRegression().fit(np.column_stack([d["x1"], d["x2"], d["x3"]]), d["y"].to_numpy())""" + _OUTPUT,
    "model-dataframe": """import pandas as pd
from sklearn.linear_model import LinearRegression
model = LinearRegression().fit(InputDataSet[["x1", "x2", "x3"]], InputDataSet["y"])""" + _OUTPUT,
}
COLUMNS = [("k", C.INT32, "integer", None)] + [(n, C.FLOAT64, "double precision", None)
                                               for n in ("x1", "x2", "x3", "y")]
# cProfile around the session, in the satellite process
_PROFILED = """
import cProfile, os, sys
sys.path.insert(0, {main!r})
from extensa import _satellite
socket_path = os.environ.pop("EXTENSA_JOB_SOCKET")
job_id = os.environ.pop("EXTENSA_JOB_ID")
secret = bytes.fromhex(os.environ.pop("EXTENSA_JOB_SECRET"))
profile = cProfile.Profile()
profile.enable()
code = _satellite.run_session(socket_path, job_id, secret)
profile.disable()
profile.dump_stats({out!r})
os._exit(code)
"""


class Encoded:
    """A payload already in bytes, for FrameWriter.write."""

    def __init__(self, data):
        self.data = data
        self.length = len(data)

    def buffers(self):
        return [memoryview(self.data)]


def unit_columns():
    rng = np.random.default_rng(1)
    out = []
    for k in range(UNITS + 1):
        frame = pd.DataFrame({"k": np.full(ROWS, k, np.int32), "x1": rng.random(ROWS), "x2": rng.random(ROWS),
                              "x3": rng.random(ROWS)})
        frame["y"] = 0.001 * k + 2 * frame.x1 - 3 * frame.x2 + 0.5 * frame.x3
        out.append([_infer.from_series(frame[c], c)[0] for c in frame.columns])
    return out


def batch(raws, rows):
    payload = _wire.Payload().int(1, rows)
    for raw in raws:
        handle = payload.begin_struct(2)
        _wire.encode_into(payload, _wire.COLUMN, raw.fields())
        payload.end_struct(handle)
    return payload


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("script", choices=sorted(SCRIPTS))
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--grouped", action="store_true")
    parser.add_argument("--profile")
    args = parser.parse_args()
    units = unit_columns()
    e = helpers.FakeEngine()
    env = {"EXTENSA_JOB_SOCKET": e.path, "EXTENSA_JOB_ID": "job-1", "EXTENSA_JOB_SECRET": helpers.SECRET.hex(),
           "PATH": "/usr/bin:/bin"}
    command = [helpers.PYTHON, "-B", str(helpers.BOOTSTRAP), "satellite"]
    if args.profile:
        command = [helpers.PYTHON, "-B", "-c", _PROFILED.format(main=str(helpers.MAIN),
                                                                 out=os.path.abspath(args.profile))]
    e.process = subprocess.Popen(command, env=env, cwd=e.dir.name, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        e.accept()
        e.init(SCRIPTS[args.script], columns=COLUMNS)
        e.writer.write(_wire.INPUT_BATCH, batch(units[0], ROWS))
        e.end_of_input(last=False, unit=0)
        while e.receive()[0] != _wire.OUTPUT_END:
            pass
        sink = helpers.BytesSink()
        writer = _wire.FrameWriter(sink)
        writer._sequence = e.writer._sequence
        per_batch = args.runs if args.runs > 1 or not args.grouped else 8
        for first in range(1, UNITS + 1, per_batch):
            run = range(first, min(first + per_batch, UNITS + 1))
            raws = [C.concat([units[u][i] for u in run]) for i in range(len(COLUMNS))]
            writer.write(_wire.INPUT_BATCH, batch(raws, ROWS * len(run)))
            if args.grouped:
                continue
            end = {"last": run[-1] == UNITS, "unit": first}
            if args.runs > 1:
                end["unit_rows"] = np.full(len(run), ROWS, dtype="<i8").tobytes()
            writer.send(_wire.END_OF_INPUT, end)
        if args.grouped:
            writer.send(_wire.END_OF_INPUT, {"last": True, "unit": 1, "group_by": [0]})
        stream = bytes(sink.data)
        started = time.perf_counter()
        threading.Thread(target=lambda: e.sock.sendall(stream), daemon=True).start()
        ends = 0
        while True:
            msg_type, _, _ = e.reader.read()
            ends += msg_type == _wire.OUTPUT_END
            if msg_type in (_wire.END, _wire.ERROR):
                break
        elapsed = time.perf_counter() - started
        print(f"{args.script}, runs of {args.runs}: {elapsed * 1000:.0f} ms for {ends} units "
              f"({elapsed * 1000 / UNITS:.3f} ms per unit), ended with {_wire.MESSAGE_NAMES[msg_type]}; "
              f"load average {os.getloadavg()[0]:.2f}")
        e.wait()
    finally:
        e.close()


if __name__ == "__main__":
    main()
