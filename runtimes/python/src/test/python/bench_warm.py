"""Measures (does not assert) what trivial warm jobs cost: a real fork server (no sandbox) with spares,
and a fake engine running `OutputDataSet = InputDataSet` over one int4 row, job after job.

Run: [SPARES=n] /usr/bin/python3 runtimes/python/src/test/python/bench_warm.py [jobs] [bootstrap.py]
(SPARES: warm spares the server keeps, 4 by default as launchpad.warm_children)
Prints the median time from FORK to END, and per job the fork server's own CPU and page faults and
its children's (the spares that ran the jobs, reaped: their preparation and their job). Page faults
are the steadiest number on a shared machine: most are copy-on-write copies of the server's heap.
Give another extensa_bootstrap.py (e.g. from `git archive` of an older commit) to compare.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import helpers
from helpers import _infer, _wire

WARM_UP_JOBS = 20
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_counters(pid):
    """CPU ms and minor faults of the process itself and of its reaped children."""
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    fields = text[text.rindex(")") + 2:].split()
    ticks = 1000 / CLOCK_TICKS
    return {"self_ms": (int(fields[11]) + int(fields[12])) * ticks, "self_faults": int(fields[7]),
            "children_ms": (int(fields[13]) + int(fields[14])) * ticks, "children_faults": int(fields[8])}


class Server:

    def __init__(self, bootstrap, spares):
        env = dict(os.environ, EXTENSA_WARM_SPARES=str(spares))
        self.process = subprocess.Popen([helpers.PYTHON, "-I", "-B", bootstrap, "forkserver"], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.reader = _wire.FrameReader(_wire.fd_reader(self.process.stdout.fileno()))
        self.writer = _wire.FrameWriter(_wire.fd_writer(self.process.stdin.fileno()))
        assert self.receive()[0] == _wire.HELLO
        self.work_dir = tempfile.TemporaryDirectory()
        self.column, self.pg_type = _infer.from_numeric_array(np.array([1], dtype="int32"), "x")

    def receive(self):
        msg_type, _, payload = self.reader.read()
        return msg_type, _wire.decode_message(msg_type, payload)

    def job(self, job_id):
        """Milliseconds from FORK to END."""
        engine = helpers.FakeEngine()
        try:
            started = time.perf_counter()
            self.writer.send(_wire.FORK, {"job_id": job_id, "socket_path": engine.path, "secret": helpers.SECRET,
                                          "work_dir": self.work_dir.name,
                                          "env": [{"name": "PATH", "value": "/usr/bin:/bin"}]})
            assert self.receive()[0] == _wire.FORKED
            engine.accept()
            engine.init("OutputDataSet = InputDataSet", columns=[("x", self.column.type, self.pg_type, None)])
            engine.batch([self.column], 1)
            engine.end_of_input()
            messages = engine.collect()
            elapsed = (time.perf_counter() - started) * 1000
            assert messages[-1][0] == _wire.END, messages
            engine.close()  # as the engine does after END: the satellite waits for it before it exits
            msg_type, exited = self.receive()
            assert msg_type == _wire.CHILD_EXITED and exited["exit_code"] == 0, exited
            return elapsed
        finally:
            engine.close()

    def close(self):
        self.writer.send(_wire.END)
        self.process.wait(10)
        self.process.stdin.close()
        self.process.stdout.close()
        self.work_dir.cleanup()


def main():
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    bootstrap = sys.argv[2] if len(sys.argv) > 2 else str(helpers.BOOTSTRAP)
    server = Server(bootstrap, spares=int(os.environ.get("SPARES", "4")))
    try:
        for i in range(WARM_UP_JOBS):
            server.job(f"warm-{i}")
        time.sleep(0.3)  # the last spare finishes its preparation
        before = process_counters(server.process.pid)
        times = [server.job(f"job-{i}") for i in range(jobs)]
        time.sleep(0.3)
        after = process_counters(server.process.pid)
    finally:
        server.close()
    per_job = {k: (after[k] - before[k]) / jobs for k in before}
    print(f"{jobs} trivial warm jobs: FORK to END p50 {statistics.median(times):.2f} ms; per job: fork server "
          f"{per_job['self_ms']:.2f} ms CPU, {per_job['self_faults']:.0f} faults; its children "
          f"{per_job['children_ms']:.2f} ms CPU, {per_job['children_faults']:.0f} faults")


if __name__ == "__main__":
    main()
