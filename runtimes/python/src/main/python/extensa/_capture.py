"""Streams what a script writes to stdout and stderr as STDOUT/STDERR frames, line by line.

Two sources per stream: Python-level writes (sys.stdout/sys.stderr are replaced) and fd-level
writes (C extensions, subprocesses), caught by pointing fds 1 and 2 at pipes drained by threads.
sync() guarantees that everything written before it has been sent.
"""

import _thread
import ctypes
import fcntl
import io
import os
import select
import struct
import termios
import threading

from . import _wire

def _c_fflush():
    """libc's fflush, resolved at import: the fork server imports this module, so its children don't
    pay the lookup per job."""
    try:
        return ctypes.CDLL(None).fflush
    except (OSError, AttributeError):
        return None


_fflush = _c_fflush()
# a line longer than this is sent in several chunks
CHUNK = 64 * 1024
_SYNC_TIMEOUT = 10.0


class LineSink:
    """Collects bytes and sends each complete line (without its newline) as one frame."""

    def __init__(self, writer, msg_type):
        self._writer = writer
        self._type = msg_type
        self._pending = bytearray()
        self._lock = threading.Lock()

    def feed(self, data):
        with self._lock:
            self._pending += data
            while True:
                newline = self._pending.find(b"\n")
                if newline < 0:
                    break
                line = bytes(self._pending[:newline])
                del self._pending[:newline + 1]
                self._send(line)
            while len(self._pending) > CHUNK:
                cut = _utf8_boundary(self._pending, CHUNK)
                chunk = bytes(self._pending[:cut])
                del self._pending[:cut]
                self._send(chunk)

    def flush_partial(self):
        """Sends a trailing line that has no newline yet (at the end of a script)."""
        with self._lock:
            if self._pending:
                chunk = bytes(self._pending)
                self._pending.clear()
                self._send(chunk)

    def _send(self, raw):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            self._writer.send(self._type, {"text": raw.decode("utf-8", "replace")})
        except OSError:
            pass  # the engine is gone; the session notices on its own socket


def _utf8_boundary(data, limit):
    cut = limit
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    return cut or limit


class ScriptStream(io.TextIOBase):
    """sys.stdout/sys.stderr for the script: every complete line becomes a frame at once."""

    def __init__(self, sink, fd, name):
        super().__init__()
        self._sink = sink
        self._fd = fd
        self._name = name
        self.buffer = _ScriptBuffer(sink, fd)

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "backslashreplace"

    @property
    def name(self):
        return self._name

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self._sink.feed(s.encode("utf-8", "backslashreplace"))
        return len(s)

    def writable(self):
        return True

    def fileno(self):
        return self._fd

    def isatty(self):
        return False

    def flush(self):
        # lines are sent as they complete; a partial line waits for its newline or the script's end
        pass


class _ScriptBuffer(io.RawIOBase):
    """sys.stdout.buffer: bytes go the same way as text."""

    def __init__(self, sink, fd):
        super().__init__()
        self._sink = sink
        self._fd = fd

    def write(self, b):
        data = bytes(b)
        self._sink.feed(data)
        return len(data)

    def writable(self):
        return True

    def fileno(self):
        return self._fd


class _PipeReader:
    """One redirected fd: drained into a sink, watching for the sync marker."""

    def __init__(self, fd, sink, marker):
        self._fd = fd
        self._sink = sink
        self._marker = marker
        self._held = b""
        self.synced = threading.Event()
        # True from the moment bytes may leave the pipe until they were all fed to the sink
        self.busy = False

    def fileno(self):
        return self._fd

    def pending_bytes(self):
        """Bytes written to the pipe and not read yet."""
        return struct.unpack("i", fcntl.ioctl(self._fd, termios.FIONREAD, b"\0\0\0\0"))[0]

    def drain(self):
        """Reads what the pipe holds (the caller saw it readable); False at its end."""
        self.busy = True
        try:
            data = os.read(self._fd, 65536)
        except OSError:
            return False
        if not data:
            if self._held:
                self._sink.feed(self._held)
            return False
        data = self._held + data
        self._held = b""
        while True:
            at = data.find(self._marker)
            if at < 0:
                break
            self._sink.feed(data[:at])
            data = data[at + len(self._marker):]
            self.synced.set()
        # keep back a tail that may be the start of a marker split across reads
        for keep in range(min(len(self._marker) - 1, len(data)), 0, -1):
            if self._marker.startswith(data[-keep:]):
                self._held = data[-keep:]
                data = data[:-keep]
                break
        if data:
            self._sink.feed(data)
        self.busy = bool(self._held)
        return True


def _is_open(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


class _PipeDrainer:
    """One thread drains both redirected fds: a thread start is a good part of a trivial job's cost."""

    def __init__(self, readers):
        self._readers = list(readers)

    def start(self):
        # a bare thread: threading.Thread.start() waits until the thread runs, a wake-up the job
        # pays on its critical path (milliseconds on a busy machine); this one needs no handshake
        _thread.start_new_thread(self.run, ())

    def run(self):
        open_readers = self._readers
        while open_readers:
            try:
                # wait without consuming, so a reader turns busy before any byte leaves its pipe
                ready, _, _ = select.select(open_readers, [], [])
            except OSError:
                # the script closed one of the read ends: drain the others still
                alive = [r for r in open_readers if _is_open(r.fileno())]
                if len(alive) == len(open_readers):
                    return
                open_readers = alive
                continue
            for reader in ready:
                if not reader.drain():
                    open_readers = [r for r in open_readers if r is not reader]


class OutputCapture:
    """Installs the capture for the rest of the process; sync() before OUTPUT_SCHEMA or ERROR."""

    def __init__(self, writer):
        self._writer = writer
        self._marker = b"\x00\x1bextensa-sync-" + os.urandom(8).hex().encode() + b"\x00"
        self._sinks = []
        self._readers = []
        self.saved_stderr = None

    def install(self):
        import sys
        # keep the original stderr for last-resort diagnostics (before the session can report them)
        self.saved_stderr = os.dup(2)
        for fd, msg_type, name in ((1, _wire.STDOUT, "<stdout>"), (2, _wire.STDERR, "<stderr>")):
            fd_sink = LineSink(self._writer, msg_type)
            read_end, write_end = os.pipe()
            os.dup2(write_end, fd)
            os.close(write_end)
            self._readers.append((fd, _PipeReader(read_end, fd_sink, self._marker)))
            py_sink = LineSink(self._writer, msg_type)
            self._sinks += [py_sink, fd_sink]
            stream = ScriptStream(py_sink, fd, name)
            if fd == 1:
                sys.stdout = sys.__stdout__ = stream
            else:
                sys.stderr = sys.__stderr__ = stream
        _PipeDrainer(reader for _, reader in self._readers).start()

    def sync(self):
        """Returns once everything written so far (Python and fd level) was sent as frames."""
        if _fflush is not None:
            try:
                _fflush(None)
            except Exception:
                pass
        waiting = []
        for fd, reader in self._readers:
            # Nothing to wait for when the pipe is empty and its reader has sent all it read. The
            # order matters: bytes leave the pipe only after the reader turned busy, so an empty
            # pipe seen first and an idle reader seen next mean those bytes were already sent.
            # This saves two thread hand-offs per unit (milliseconds on a busy machine).
            try:
                if reader.pending_bytes() == 0 and not reader.busy:
                    continue
            except OSError:
                pass
            reader.synced.clear()
            try:
                os.write(fd, self._marker)
                waiting.append(reader)
            except OSError:
                pass  # the script closed or replaced the fd
        for reader in waiting:
            reader.synced.wait(_SYNC_TIMEOUT)
        for sink in self._sinks:
            sink.flush_partial()
