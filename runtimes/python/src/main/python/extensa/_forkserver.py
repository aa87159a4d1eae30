"""The warm-start server: a preloaded Python that forks one satellite per job.

Channel: frames on stdin (launchpad -> here) and stdout (here -> launchpad), see
docs/protocol.md "Fork-server channel". Single-threaded on purpose: fork() in a process with
threads can leave locks held in the child. SIGCHLD wakes the loop through a self-pipe.
"""

import gc
import importlib
import os
import platform
import selectors
import signal
import sys

from . import _wire

EXIT_CHILD_FAILED = 70


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


class ForkServer:

    def __init__(self, channel_in, channel_out):
        self.channel_in = channel_in
        self.channel_out = channel_out
        self.reader = _wire.FrameReader(_wire.fd_reader(channel_in))
        self.writer = _wire.FrameWriter(_wire.fd_writer(channel_out))
        self.children = {}
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(self.wake_write, False)

    def serve(self):
        self.writer.send(_wire.HELLO, {"runtime": "python", "runtime_version": platform.python_version(),
                                       "pid": os.getpid()})
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.set_wakeup_fd(self.wake_write)
        selector = selectors.DefaultSelector()
        selector.register(self.channel_in, selectors.EVENT_READ, "channel")
        selector.register(self.wake_read, selectors.EVENT_READ, "wake")
        try:
            while True:
                for key, _ in selector.select():
                    if key.data == "wake":
                        self._drain_wakeups()
                    elif not self._handle_frame():
                        return 0
                self._reap()
        finally:
            signal.set_wakeup_fd(-1)
            selector.close()

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
        self._fork(fork["job_id"], fork["socket_path"], bytes(fork["secret"]), fork["work_dir"], env)
        return True

    def _fork(self, job_id, socket_path, secret, work_dir, env):
        try:
            pid = os.fork()
        except OSError as e:
            self._report(_wire.ERROR_INTERNAL, f"fork failed: {e}", job_id)
            return
        if pid == 0:
            code = EXIT_CHILD_FAILED
            try:
                code = _child(socket_path, job_id, secret, work_dir, env)
            finally:
                os._exit(code)
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
                continue
            if os.WIFSIGNALED(status):
                exit_code, sig = -1, os.WTERMSIG(status)
            else:
                exit_code, sig = os.waitstatus_to_exitcode(status), 0
            self.writer.send(_wire.CHILD_EXITED, {"job_id": job_id, "pid": pid, "exit_code": exit_code,
                                                  "signal": sig})

    def _report(self, kind, message, job_id=None):
        self.writer.send(_wire.ERROR, {"kind": kind, "message": message, "detail": job_id})


def _child(socket_path, job_id, secret, work_dir, env):
    """Runs in the forked child: becomes a clean satellite process, then runs the session."""
    from . import _satellite
    try:
        _become_job_process(work_dir, env)
    except Exception as e:
        # tell the engine why, so the caller sees more than a vanished process
        return _satellite.report_startup_failure(socket_path, job_id, secret, f"cannot start the job: {e}")
    return _satellite.run_session(socket_path, job_id, secret)


def _become_job_process(work_dir, env):
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    # the fork server's channel, self-pipe and selector must not leak into the job
    os.closerange(3, _max_fd())
    os.chdir(work_dir)
    os.environ.clear()
    os.environ.update(env)
    import numpy
    numpy.random.seed()  # the parent's generator state would repeat in every child


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
    gc.freeze()
    try:
        return ForkServer(channel_in, channel_out).serve()
    except BrokenPipeError:
        return 0
    finally:
        sys.stderr.flush()
