"""The fork server: greeting, forking satellites that run real sessions, reporting exits."""

import os
import signal
import subprocess
import tempfile
import textwrap
import time
import unittest

import helpers
from helpers import _wire


class ForkServerTest(unittest.TestCase):

    def setUp(self):
        self.server = subprocess.Popen([helpers.PYTHON, "-I", "-B", str(helpers.BOOTSTRAP), "forkserver"],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(self._stop)
        self.reader = _wire.FrameReader(_wire.fd_reader(self.server.stdout.fileno()))
        self.writer = _wire.FrameWriter(_wire.fd_writer(self.server.stdin.fileno()))

    def _stop(self):
        if self.server.poll() is None:
            self.server.kill()
        self.server.wait(10)
        for stream in (self.server.stdin, self.server.stdout, self.server.stderr):
            try:
                stream.close()
            except OSError:
                pass

    def receive(self):
        msg_type, _, payload = self.reader.read()
        return msg_type, _wire.decode_message(msg_type, payload)

    def fork(self, engine, job_id, work_dir, env=None):
        self.writer.send(_wire.FORK, {
            "job_id": job_id, "socket_path": engine.path, "secret": helpers.SECRET, "work_dir": work_dir,
            "env": [{"name": k, "value": v} for k, v in (env or {"PATH": "/usr/bin:/bin"}).items()]})
        msg_type, message = self.receive()
        self.assertEqual(msg_type, _wire.FORKED, message)
        self.assertEqual(message["job_id"], job_id)
        return message["pid"]

    def test_forks_satellites_and_reports_their_exits(self):
        msg_type, hello = self.receive()
        self.assertEqual(msg_type, _wire.HELLO)
        self.assertEqual(hello["runtime"], "python")
        self.assertEqual(hello["pid"], self.server.pid)
        self.assertNotIn("job_id", hello)

        engine = helpers.FakeEngine()
        self.addCleanup(engine.close)
        work = tempfile.TemporaryDirectory()
        self.addCleanup(work.cleanup)
        pid = self.fork(engine, "job-a", work.name, {"PATH": "/usr/bin:/bin", "GREETING": "hi"})
        engine.accept()
        self.assertEqual(engine.hello["pid"], pid)
        script = """
            import os, sys
            print(os.getcwd(), os.environ.get('GREETING'), sorted(os.environ))
            print(os.getsid(0) == os.getpid())
            print(sorted(int(fd) for fd in os.listdir('/proc/self/fd')))
            import numpy as np
            print(float(np.random.random()))
            """
        engine.init(textwrap.dedent(script), has_input=False)
        engine.end_of_input()
        messages = engine.collect()
        lines = [m["text"] for t, m in messages if t == _wire.STDOUT]
        self.assertEqual(lines[0], f"{os.path.realpath(work.name)} hi ['GREETING', 'PATH']")
        self.assertEqual(lines[1], "True", "the child leads its own session")
        # 0 (/dev/null), 1 and 2 (capture pipes), the socket, the pipes' read ends, and the listing itself
        fds = eval(lines[2])
        self.assertLessEqual(len(fds), 8, fds)
        self.assertEqual(messages[-1][0], _wire.END)
        msg_type, exited = self.receive()
        self.assertEqual(msg_type, _wire.CHILD_EXITED)
        self.assertEqual(exited, {"job_id": "job-a", "pid": pid, "exit_code": 0, "signal": 0})

        # a second child gets its own random state and can be killed
        engine2 = helpers.FakeEngine()
        self.addCleanup(engine2.close)
        pid2 = self.fork(engine2, "job-b", work.name)
        engine2.accept()
        engine2.init("import numpy as np\nprint(float(np.random.random()))\nimport time\ntime.sleep(60)",
                     has_input=False)
        engine2.end_of_input()
        self.assertNotEqual(engine2.receive()[1]["text"], lines[3], "children must not share random state")
        os.kill(pid2, signal.SIGKILL)
        msg_type, exited = self.receive()
        self.assertEqual(exited, {"job_id": "job-b", "pid": pid2, "exit_code": -1, "signal": 9})

    def test_a_child_that_cannot_start_tells_the_engine(self):
        self.receive()
        engine = helpers.FakeEngine()
        self.addCleanup(engine.close)
        pid = self.fork(engine, "job-c", "/nonexistent/dir")
        engine.accept()
        msg_type, error = engine.receive()
        self.assertEqual(msg_type, _wire.ERROR)
        self.assertEqual(error["kind"], "internal")
        self.assertIn("/nonexistent/dir", error["message"])
        msg_type, exited = self.receive()
        self.assertEqual((exited["pid"], exited["exit_code"]), (pid, 5))

    def test_bad_frames_are_reported_and_end_of_input_stops_the_server(self):
        self.receive()
        self.writer.send(_wire.FORK, {"job_id": "j", "socket_path": "/s", "secret": b"x", "work_dir": "/",
                                      "env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]})
        msg_type, error = self.receive()
        self.assertEqual((msg_type, error["kind"]), (_wire.ERROR, "protocol"))
        self.writer.send(_wire.CANCEL)
        msg_type, error = self.receive()
        self.assertEqual((msg_type, error["kind"]), (_wire.ERROR, "protocol"))
        started = time.time()
        self.server.stdin.close()
        self.assertEqual(self.server.wait(10), 0)
        self.assertLess(time.time() - started, 5)

    def test_children_outlive_the_server(self):
        self.receive()
        engine = helpers.FakeEngine()
        self.addCleanup(engine.close)
        work = tempfile.TemporaryDirectory()
        self.addCleanup(work.cleanup)
        pid = self.fork(engine, "job-d", work.name)
        engine.accept()
        self.server.stdin.close()
        self.server.wait(10)
        # the server kills nothing: the job finishes its session
        engine.init("print('still here')", has_input=False)
        engine.end_of_input()
        messages = engine.collect()
        self.assertEqual(messages[0], (_wire.STDOUT, {"text": "still here"}))
        self.assertEqual(messages[-1][0], _wire.END)
        self.assertTrue(helpers.wait_until(lambda: _gone(pid)))


class SpareWarmUpTest(unittest.TestCase):

    def test_the_thread_warm_up_leaves_a_single_threaded_process(self):
        # the sandbox's last steps (uid, capabilities, seccomp) act per thread: no thread may remain
        # in a forked child, as in a spare: numpy's import leaves BLAS threads in the parent
        script = ("import os, sys; sys.path.insert(0, sys.argv[1]); from extensa import _forkserver\n"
                  "pid = os.fork()\n"
                  "if pid == 0:\n"
                  "    for _ in range(20): _forkserver._touch_thread_start(); print(len(os.listdir('/proc/self/task')))\n"
                  "    sys.stdout.flush(); os._exit(0)\n"
                  "os.waitpid(pid, 0)")
        out = subprocess.run([helpers.PYTHON, "-I", "-B", "-c", script, str(helpers.MAIN)], capture_output=True,
                             text=True, timeout=60, check=True).stdout.split()
        self.assertEqual(out, ["1"] * 20)


class SpareReplenishingTest(unittest.TestCase):
    """When the next spare is made: a short job on two cores must not share them with a fork of the
    whole interpreter, nor a call arriving back to back queue behind one; but the spares must not
    run out either."""

    def setUp(self):
        from extensa import _forkserver
        self.fs = _forkserver
        read_end, write_end = os.pipe()
        self.addCleanup(os.close, read_end)
        self.addCleanup(os.close, write_end)
        self.server = _forkserver.ForkServer(read_end, write_end, spares=4)
        self.addCleanup(os.close, self.server.wake_read)
        self.addCleanup(os.close, self.server.wake_write)

    def spares(self, n):
        self.server.spares = [(100 + i, -1) for i in range(n)]

    def test_an_empty_server_makes_spares_at_once(self):
        self.assertEqual(self.server._spare_due_in(100.0), 0)

    def test_a_full_server_makes_none(self):
        self.spares(4)
        self.assertIsNone(self.server._spare_due_in(100.0))

    def test_a_replacement_waits_while_a_job_runs_but_no_longer_than_the_delay(self):
        self.spares(3)
        self.server.children[11] = "job-a"
        delay = self.fs.REPLENISH_DELAY
        self.assertAlmostEqual(self.server._spare_due_in(100.0), delay)
        self.assertAlmostEqual(self.server._spare_due_in(100.0 + delay / 2), delay / 2)
        self.assertEqual(self.server._spare_due_in(100.0 + delay), 0)

    def test_a_replacement_is_made_a_grace_period_after_the_jobs_end(self):
        self.spares(3)
        self.server.children[11] = "job-a"
        self.server._spare_due_in(100.0)
        del self.server.children[11]
        self.server.last_job_end = 100.01
        self.assertAlmostEqual(self.server._spare_due_in(100.01), self.fs.REPLENISH_GRACE)
        self.assertEqual(self.server._spare_due_in(100.01 + self.fs.REPLENISH_GRACE), 0)

    def test_below_the_low_mark_a_replacement_is_made_at_once(self):
        self.spares(self.fs.LOW_SPARES - 1)
        self.server.children[11] = "job-a"
        self.assertEqual(self.server._spare_due_in(100.0), 0)

    def test_under_steady_load_the_delay_counts_from_the_first_shortfall(self):
        # jobs run all the time: the spares are still replaced, a delay after they first ran short
        self.spares(3)
        self.server.children[11] = "job-a"
        self.server._spare_due_in(100.0)
        self.server.children[13] = "job-b"
        self.spares(2)
        self.assertEqual(self.server._spare_due_in(100.0 + self.fs.REPLENISH_DELAY), 0)
        self.spares(3)
        self.assertEqual(self.server._spare_due_in(100.0 + self.fs.REPLENISH_DELAY + 0.001), 0)
        self.spares(4)
        self.assertIsNone(self.server._spare_due_in(100.1))
        self.spares(3)
        self.assertAlmostEqual(self.server._spare_due_in(100.2), self.fs.REPLENISH_DELAY, msg="a new shortfall")


def _gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] == "Z"
    except FileNotFoundError:
        return True


if __name__ == "__main__":
    unittest.main()
