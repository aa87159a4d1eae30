"""The warm-start server: a preloaded Python that forks one satellite per job.

Channel: frames on stdin (launchpad -> here) and stdout (here -> launchpad), see
docs/protocol.md "Fork-server channel". Single-threaded on purpose: fork() in a process with
threads can leave locks held in the child. SIGCHLD wakes the loop through a self-pipe.

Spares: the server keeps EXTENSA_WARM_SPARES children forked ahead of demand. A spare leads its
own session and, when EXTENSA_SANDBOX_LIB is set, has already entered its namespaces (it waits
outside; its children are the PID namespace's init and PID 2, which has built the read-only view
of the file system and will run the job). A FORK hands the job to the oldest spare through its
pipe; the spare binds the job's directory and socket, switches root, becomes the job's worker
account and only then runs anything of the job (docs/security.md).
"""

import ctypes
import gc
import importlib
import os
import pickle
import platform
import selectors
import signal
import sys
import time

from . import _wire

EXIT_CHILD_FAILED = 70
# spares that die before getting a job, in a row, after which the server stops making them
MAX_SPARE_FAILURES = 3
# How long a replacement spare may wait: making one (a fork of this interpreter, its namespaces,
# its rehearsal) takes a core for milliseconds, which a short job on two cores would otherwise
# lose. While at least LOW_SPARES are left, a replacement waits for the running jobs to end and
# then REPLENISH_GRACE more (a call arriving back to back must not queue behind fork()), but never
# longer than REPLENISH_DELAY after the spares first ran short. Below LOW_SPARES it is made at once.
REPLENISH_DELAY = 0.05
REPLENISH_GRACE = 0.01
LOW_SPARES = 2


class Sandbox:
    """The C sandbox library (libextensa_sandbox.so) and the job-independent spec."""

    def __init__(self, library_path, spec):
        self.lib = ctypes.CDLL(library_path, use_errno=True)
        for name in ("extensa_sandbox_unshare", "extensa_sandbox_prepare", "extensa_sandbox_enter"):
            getattr(self.lib, name).argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
        self.lib.extensa_sandbox_split.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t]
        self.spec = spec

    def _call(self, name, spec):
        err = ctypes.create_string_buffer(1024)
        if getattr(self.lib, name)(spec.encode(), err, len(err)) != 0:
            raise OSError(f"sandbox: {err.value.decode(errors='replace')}")

    def unshare(self):
        self._call("extensa_sandbox_unshare", self.spec)

    def split(self, launchpad):
        """Returns in the satellite's process (PID 2 of the new namespace). The caller stays outside as
        the waiter and never returns: it kills the job should the launchpad die (SIGKILL leaves it no
        chance to); a fork server that dies alone leaves its running jobs to the launchpad. The
        namespace's init shares the waiter's memory: one copy of this interpreter per spare, not two."""
        err = ctypes.create_string_buffer(1024)
        if self.lib.extensa_sandbox_split(launchpad, err, len(err)) != 0:
            raise OSError(f"sandbox: {err.value.decode(errors='replace')}")

    def prepare(self):
        self._call("extensa_sandbox_prepare", self.spec)

    def enter(self, job_spec):
        self._call("extensa_sandbox_enter", self.spec + job_spec)


def _sandbox_from_environment():
    library = os.environ.get("EXTENSA_SANDBOX_LIB")
    if not library:
        return None
    return Sandbox(library, os.environ.get("EXTENSA_SANDBOX_SPEC", ""))


def _spares_from_environment():
    try:
        return max(0, min(16, int(os.environ.get("EXTENSA_WARM_SPARES", "0"))))
    except ValueError:
        return 0


def _preload():
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    from . import _satellite  # noqa: F401  (pulls in _columns, _convert, _capture)
    # the operator's language.python.preload: a module that fails to import is reported, not fatal,
    # so a typo costs warm satellites that module, not the language
    for name in filter(None, (m.strip() for m in os.environ.get("EXTENSA_PRELOAD", "").split(","))):
        try:
            importlib.import_module(name)
        except Exception as e:  # noqa: BLE001 - any import failure is the operator's to see
            print(f"extensa fork server: cannot preload module '{name}': {type(e).__name__}: {e}",
                  file=sys.stderr, flush=True)
    try:
        _warm_up()
    except Exception as e:  # a slower first call, not a broken server
        print(f"extensa fork server: warm-up failed: {e!r}", file=sys.stderr, flush=True)


# (schema, INPUT_BATCH payload) of the warm-up call, made once by the fork server and inherited
_warm_input = None


def _warm_up():
    """Runs a small call's data path once (input batch to DataFrame, script, DataFrame to output
    batch) over a socket pair, so every child inherits it warm: pandas and numpy import much of
    themselves lazily on first use, which would otherwise cost each job milliseconds again."""
    global _warm_input
    import socket
    from . import _satellite
    if _warm_input is None:
        _warm_input = _warm_up_input()
    schema, payload = _warm_input
    engine, satellite = socket.socketpair()
    try:
        session = _satellite.Session(satellite, "warm-up", bytes(32))
        _wire.FrameWriter(_wire.socket_writer(engine)).write(_wire.INPUT_BATCH, payload)
        msg_type, _, body = session.reader.read()
        batch = session._convert_early(session._decode_batch(_wire.decode_message(msg_type, body), schema), schema)
        namespace = {"InputDataSet": session._input_frame(schema, [batch], True)}
        exec(compile("OutputDataSet = InputDataSet", "<warm-up>", "exec"), namespace)
        session._send_output(namespace["OutputDataSet"], "OutputDataSet", 0)
    finally:
        satellite.close()
        engine.close()


def _warm_up_input():
    """The warm-up's input: a few rows of the common column types, encoded as the engine would.
    Built from a DataFrame of Python lists, a path no job takes: spares reuse the result instead of
    paying it (and its copy-on-write page faults, ~4 ms) each."""
    import pandas as pd
    from . import _infer
    sample = pd.DataFrame({"i": pd.Series([1, 2], dtype="int32"), "l": [1, 2], "f": [0.5, None],
                           "t": ["a", None], "b": [True, False]})
    schema, payload = [], _wire.Payload().int(1, len(sample))
    for name in sample.columns:
        raw, pg_type = _infer.from_series(sample[name], name)
        schema.append({"name": name, "type": raw.type, "pg_type": pg_type})
        handle = payload.begin_struct(2)
        _wire.encode_into(payload, _wire.COLUMN, raw.fields())
        payload.end_struct(handle)
    return schema, payload


class ForkServer:

    def __init__(self, channel_in, channel_out, sandbox=None, spares=0):
        self.channel_in = channel_in
        self.channel_out = channel_out
        self.reader = _wire.FrameReader(_wire.fd_reader(channel_in))
        self.writer = _wire.FrameWriter(_wire.fd_writer(channel_out))
        self.children = {}
        self.sandbox = sandbox
        self.spare_target = spares
        self.spares = []  # [(pid, job pipe write end)], oldest first
        self.spare_failures = 0
        self.short_since = None  # monotonic time the spares first fell below their target, if they have
        self.last_job_end = float("-inf")  # monotonic time the last job's child was reaped
        self.wake_read, self.wake_write = os.pipe()
        self.launchpad = os.getppid()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(self.wake_write, False)

    def serve(self):
        self.writer.send(_wire.HELLO, {"runtime": "python", "runtime_version": platform.python_version(),
                                       "pid": os.getpid(), "sandbox": self.sandbox is not None})
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(self.wake_write)
        selector = selectors.DefaultSelector()
        selector.register(self.channel_in, selectors.EVENT_READ, "channel")
        selector.register(self.wake_read, selectors.EVENT_READ, "wake")
        try:
            while True:
                # spares are made only when nothing waits: a FORK never queues behind a spare's fork()
                events = selector.select(timeout=self._spare_due_in())
                if not events:
                    if self._spare_due_in() == 0:
                        self._make_spare()
                    continue
                for key, _ in events:
                    if key.data == "wake":
                        self._drain_wakeups()
                    elif not self._handle_frame():
                        return 0
                self._reap()
        finally:
            signal.set_wakeup_fd(-1)
            selector.close()
            for _, pipe in self.spares:
                os.close(pipe)  # end of file: the spare exits without running anything

    def _wants_spare(self):
        return len(self.spares) < self.spare_target and self.spare_failures < MAX_SPARE_FAILURES

    def _spare_due_in(self, now=None):
        """Seconds until the next spare should be made (0: now), None when none is wanted (see
        REPLENISH_DELAY for when)."""
        if not self._wants_spare():
            self.short_since = None
            return None
        now = time.monotonic() if now is None else now
        if self.short_since is None:
            self.short_since = now
        if len(self.spares) < min(LOW_SPARES, self.spare_target):
            return 0
        due = self.short_since + REPLENISH_DELAY
        if not self.children:
            due = min(due, self.last_job_end + REPLENISH_GRACE)
        return max(0.0, due - now)

    def _make_spare(self):
        job_read, job_write = os.pipe()
        try:
            pid = os.fork()
        except OSError as e:
            os.close(job_read)
            os.close(job_write)
            self.spare_failures += 1
            print(f"extensa fork server: cannot fork a spare: {e}", file=sys.stderr, flush=True)
            return None
        if pid == 0:
            code = EXIT_CHILD_FAILED
            try:
                os.close(job_write)
                code = _spare(job_read, self.sandbox, [self.channel_in, self.channel_out, self.wake_read,
                                                       self.wake_write] + [p for _, p in self.spares],
                              self.launchpad)
            except BaseException as e:  # noqa: B902  (nothing may escape into the fork server's loop)
                print(f"extensa fork server: spare failed: {e}", file=sys.stderr, flush=True)
            finally:
                os._exit(code)
        os.close(job_read)
        self.spares.append((pid, job_write))
        return pid

    def _drain_wakeups(self):
        try:
            while os.read(self.wake_read, 512):
                pass
        except BlockingIOError:
            pass

    def _handle_frame(self):
        """False when the launchpad is gone (end of stream) or said goodbye."""
        try:
            frame = self.reader.read()
        except (_wire.ProtocolError, EOFError) as e:
            self._report(_wire.ERROR_PROTOCOL, str(e))
            return False
        if frame is None:
            return False
        msg_type, _, payload = frame
        if msg_type == _wire.END:
            return False
        if msg_type == _wire.HEARTBEAT:
            return True
        if msg_type != _wire.FORK:
            self._report(_wire.ERROR_PROTOCOL, f"unexpected {_wire.MESSAGE_NAMES[msg_type]} on the fork channel")
            return True
        try:
            fork = _wire.decode_message(msg_type, payload)
            env = {}
            for variable in fork.get("env", []):
                name, value = variable["name"], variable["value"]
                if not name or "=" in name or "\0" in name or "\0" in value or name in env:
                    raise _wire.ProtocolError(f"FORK: bad environment variable {name!r}")
                env[name] = value
        except _wire.ProtocolError as e:
            self._report(_wire.ERROR_PROTOCOL, str(e))
            return True
        self._fork(fork["job_id"], fork["socket_path"], bytes(fork["secret"]), fork["work_dir"], env,
                   fork.get("output_path", ""), fork.get("sandbox", ""))
        return True

    def _fork(self, job_id, socket_path, secret, work_dir, env, output_path="", sandbox_spec=""):
        if bool(sandbox_spec) != (self.sandbox is not None):
            self._report(_wire.ERROR_INTERNAL, "FORK: the job's sandbox spec and this fork server's sandbox"
                         " (EXTENSA_SANDBOX_LIB) must come together", job_id)
            return
        job = pickle.dumps({"job_id": job_id, "socket_path": socket_path, "secret": secret, "work_dir": work_dir,
                            "env": env, "output_path": output_path, "sandbox": sandbox_spec})
        while True:
            if not self.spares:
                if self.spare_failures >= MAX_SPARE_FAILURES or self._make_spare() is None:
                    self._report(_wire.ERROR_INTERNAL, "fork failed: spare children keep failing (see the fork"
                                 " server's log)", job_id)
                    return
            pid, pipe = self.spares.pop(0)
            try:
                os.write(pipe, job)  # far below the pipe's capacity: never blocks
                break
            except OSError:
                continue  # that spare died: the next one
            finally:
                os.close(pipe)
        self.children[pid] = job_id
        self.writer.send(_wire.FORKED, {"job_id": job_id, "pid": pid})

    def _reap(self):
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            job_id = self.children.pop(pid, None)
            if job_id is None:
                self._spare_ended(pid, status)
                continue
            self.last_job_end = time.monotonic()
            self.spare_failures = 0
            if os.WIFSIGNALED(status):
                exit_code, sig = -1, os.WTERMSIG(status)
            else:
                exit_code, sig = os.waitstatus_to_exitcode(status), 0
            self.writer.send(_wire.CHILD_EXITED, {"job_id": job_id, "pid": pid, "exit_code": exit_code,
                                                  "signal": sig})

    def _spare_ended(self, pid, status):
        for index, (spare_pid, pipe) in enumerate(self.spares):
            if spare_pid == pid:
                del self.spares[index]
                os.close(pipe)
                self.spare_failures += 1
                print(f"extensa fork server: spare {pid} ended before it got a job (status {status});"
                      f" {self.spare_failures} in a row", file=sys.stderr, flush=True)
                return

    def _report(self, kind, message, job_id=None):
        self.writer.send(_wire.ERROR, {"kind": kind, "message": message, "detail": job_id})


def _spare(job_read, sandbox, inherited, launchpad=0):
    """A spare child: own session, namespaces and file system view, then one job (or none at end of file)."""
    signal.set_wakeup_fd(-1)
    for fd in inherited:
        os.close(fd)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    if sandbox is not None:
        sandbox.unshare()
        sandbox.split(launchpad)  # this process goes on as PID 2; the waiter and init stay behind
        sandbox.prepare()
    _touch_data_path()
    job = _read_all(job_read)
    os.close(job_read)
    if not job:
        return 0
    job = pickle.loads(job)
    return _child(job, sandbox)


def _touch_data_path():
    """Runs the small call's data path once more, in the process that will run the job, while it
    waits: the pages it writes (reference counts, caches of pandas and numpy) are shared
    copy-on-write with the fork server, and copying them on first write costs a job several
    milliseconds that a spare can pay before the job exists."""
    try:
        _warm_up()
    except Exception as e:  # a slower job, not a broken spare
        print(f"extensa fork server: spare warm-up failed: {e!r}", file=sys.stderr, flush=True)
    _touch_thread_start()  # a thread that may outlive it would be a broken spare
    import numpy
    # the fork server's generator state would repeat in every job: this process runs one job only
    numpy.random.seed()


def _touch_thread_start():
    """Starts and ends one thread, so the job's own threads (output capture, receiver) start on a
    stack, a malloc arena and interpreter state the C library and Python already hold. The thread is
    gone before this returns: the sandbox's last steps (uid, capabilities, seccomp) are per thread
    and must find the process single-threaded."""
    import threading
    thread = threading.Thread(target=int, name="extensa-warm-up", daemon=True)
    thread.start()
    thread.join()
    # join() returns a moment before the kernel's thread is gone
    deadline = time.monotonic() + 1.0
    while _thread_count() > 1:
        if time.monotonic() > deadline:
            raise OSError("the warm-up thread did not end")
        time.sleep(0.0002)


def _thread_count():
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1  # no /proc: join() is the only evidence there is


def _read_all(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _child(job, sandbox):
    """Runs in the spare once it has a job: becomes a clean satellite process, then runs the session."""
    from . import _satellite
    socket_path, job_id, secret = job["socket_path"], job["job_id"], job["secret"]
    try:
        _become_job_process(job, sandbox)
    except Exception as e:
        # tell the engine why, so the caller sees more than a vanished process
        return _satellite.report_startup_failure(socket_path, job_id, secret, f"cannot start the job: {e}")
    return _satellite.run_session(socket_path, job_id, secret)


def _become_job_process(job, sandbox):
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    output = devnull
    if job["output_path"]:
        output = os.open(job["output_path"], os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC)
    os.dup2(output, 1)
    os.dup2(output, 2)
    if sandbox is not None:
        # job mounts, root switch, rlimits, worker uid, no capabilities, no_new_privs, no descriptors above 2
        sandbox.enter(job["sandbox"])
    else:
        # the fork server's channel, self-pipe and selector must not leak into the job
        os.closerange(3, _max_fd())
    os.chdir(job["work_dir"])
    os.environ.clear()
    os.environ.update(job["env"])


def _max_fd():
    try:
        return os.sysconf("SC_OPEN_MAX")
    except (ValueError, OSError):
        return 65536


def main():
    # frames travel on fds 0 and 1: move them aside so stray prints cannot corrupt the channel
    channel_in = os.dup(0)
    channel_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    _preload()
    gc.collect()
    gc.freeze()
    try:
        return ForkServer(channel_in, channel_out, _sandbox_from_environment(), _spares_from_environment()).serve()
    except BrokenPipeError:
        return 0
    finally:
        sys.stderr.flush()
