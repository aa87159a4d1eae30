"""One job's session with the engine: handshake, units of input, the script, output.

The main thread runs the protocol and the script; a reader thread receives frames, so a CANCEL
can interrupt a running script (SIGINT to the main thread raises KeyboardInterrupt there).
Every failure ends in an ERROR frame when the socket still works, then the process exits: the
satellite never waits on an engine that is gone.
"""

import _thread
import builtins
import linecache
import os
import platform
import queue
import signal
import socket
import sys
import threading
import time
import traceback

import numpy as np
import pandas as pd

from . import _columns as C
from . import _convert
from . import _groups
from . import _infer
from . import _loopback
from . import _wire
from ._capture import OutputCapture
from ._wire import ProtocolError

RUNTIME = "python"
SCRIPT_FILENAME = "<script>"
HANDSHAKE_TIMEOUT = 60.0
# after its last frame the satellite waits this long at most for the engine to close its end
CLOSE_LINGER = 2.0
# after CANCEL: interrupt again every second, give up after this many tries
CANCEL_TRIES = 5
# input the receiver reads ahead of the script (the next unit's batches) before it waits
READ_AHEAD_BYTES = 64 << 20
# the output frames of the units of one END_OF_INPUT (one unit, or a run of units) leave together
# (one system call for many small outputs), and sooner once they hold this many bytes
HOLD_OUTPUT_BYTES = 256 << 10
# wire types that always become object columns, independently batch by batch
EARLY_TYPES = frozenset((C.DECIMAL, C.TEXT, C.JSON, C.BYTES, C.UUID))

EXIT_OK = 0
EXIT_SCRIPT_ERROR = 1
EXIT_PROTOCOL_ERROR = 2
EXIT_CANCELLED = 3
EXIT_CONNECTION_LOST = 4
EXIT_INTERNAL_ERROR = 5
EXIT_CONNECT_FAILED = 71


class SessionError(Exception):
    """Ends the session with an ERROR frame of the given kind."""

    def __init__(self, kind, message, exception=None, traceback_lines=(), line=0, detail=None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.exception = exception
        self.traceback_lines = list(traceback_lines)
        self.line = line
        self.detail = detail


class _Cancelled(Exception):
    pass


class _EngineGone(Exception):
    pass


class Session:

    def __init__(self, sock, job_id, secret):
        self.sock = sock
        self.job_id = job_id
        self.secret = secret
        self.reader = _wire.FrameReader(_wire.socket_reader(sock))
        self.writer = _wire.FrameWriter(_wire.socket_writer(sock))
        self.inbox = queue.Queue()
        self.cancelled = threading.Event()
        self.goodbye = threading.Event()
        self.in_script = False
        self.main_thread = threading.main_thread().ident
        self.capture = None
        # set by the receiver when the connection failed: (is_protocol_error, reason)
        self.failure = None
        # set when the receiver stopped reading (the engine closed its end, or the connection failed)
        self.receiver_done = None
        self.queued_bytes = 0
        self.queue_space = threading.Condition()
        self.loopback_offered = False
        self.input_complete = False
        # (column specs, encoded OUTPUT_SCHEMA payload) of the last unit
        self._schema_cache = None
        # the units of the END_OF_INPUT being answered, when the satellite grouped them by key
        self.unit_keys = None
        self.unit_index = 0

    # -- frames in -----------------------------------------------------------------------------

    def _receive_loop(self):
        try:
            self._receive_frames()
        finally:
            self.receiver_done.set()

    def _receive_frames(self):
        try:
            while True:
                frame = self.reader.read()
                if frame is None:
                    self._lost(False, "the engine closed the connection")
                    return
                msg_type, _seq, payload = frame
                message = _wire.decode_message(msg_type, payload)
                if msg_type == _wire.HEARTBEAT:
                    continue
                if msg_type == _wire.CANCEL:
                    self._cancel()
                elif msg_type == _wire.END:
                    self.goodbye.set()
                    self._cancel()
                self.inbox.put((msg_type, message, len(payload)))
                if msg_type == _wire.INPUT_BATCH:
                    # keep a long stream of units from piling up while the script works on one
                    with self.queue_space:
                        self.queued_bytes += len(payload)
                        while self.queued_bytes > READ_AHEAD_BYTES:
                            self.queue_space.wait()
        except ProtocolError as e:
            self._lost(True, str(e))
        except (EOFError, OSError) as e:
            self._lost(False, str(e))

    def _lost(self, protocol, why):
        self.failure = (protocol, why)
        self.inbox.put((None, self.failure, 0))
        if self.in_script:
            # nobody will read our output: stop the script, and do not wait for it forever
            self.cancelled.set()
            self._interrupt_script()
            threading.Timer(CANCEL_TRIES, os._exit, (EXIT_CONNECTION_LOST,)).start()

    def _cancel(self):
        self.cancelled.set()
        if self.in_script:
            threading.Thread(target=self._keep_interrupting, daemon=True, name="extensa-cancel").start()

    def _keep_interrupting(self):
        for _ in range(CANCEL_TRIES):
            if not self.in_script:
                return
            self._interrupt_script()
            time.sleep(1.0)
        if self.in_script:
            # the script swallows KeyboardInterrupt: report and leave
            self._send_error(SessionError(_wire.ERROR_CANCELLED, "the script did not stop after cancel"))
            os._exit(EXIT_CANCELLED)

    def _interrupt_script(self):
        try:
            signal.pthread_kill(self.main_thread, signal.SIGINT)
        except (OSError, ValueError):
            pass

    def _on_sigint(self, signum, frame):
        # raise only inside the script; elsewhere the cancelled flag is checked explicitly
        if self.in_script:
            raise KeyboardInterrupt

    def _next(self, *expected):
        while True:
            if self.inbox.empty():
                # about to wait: what we hold must reach the engine first, it may be waiting for it
                self.writer.flush()
            msg_type, message, size = self.inbox.get()
            if msg_type == _wire.INPUT_BATCH:
                with self.queue_space:
                    self.queued_bytes -= size
                    self.queue_space.notify()
            if msg_type is None:
                protocol, why = message
                if protocol:
                    raise SessionError(_wire.ERROR_PROTOCOL, why)
                raise _EngineGone(why)
            if msg_type == _wire.CANCEL:
                raise _Cancelled()
            if msg_type == _wire.END:
                raise _EngineGone("the engine said goodbye")
            if msg_type == _wire.ERROR:
                raise _EngineGone(f"the engine reported an error: {message.get('message')}")
            if msg_type in expected:
                return msg_type, message
            raise SessionError(_wire.ERROR_PROTOCOL, f"unexpected {_wire.MESSAGE_NAMES[msg_type]} where "
                               f"{' or '.join(_wire.MESSAGE_NAMES[t] for t in expected)} was expected")

    def linger(self):
        """After the last frame: waits (CLOSE_LINGER at most) until the engine closed its end. Closing
        first would make the engine's next write fail (END_OF_INPUT right after SESSION_INIT, when
        the script does not compile), and the engine would report a vanished runtime instead of
        reading the ERROR frame waiting for it."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            return
        if self.receiver_done is not None:
            self.receiver_done.wait(CLOSE_LINGER)
            return
        # the receiver never started (the handshake failed): read to the end here
        deadline = time.monotonic() + CLOSE_LINGER
        try:
            while (left := deadline - time.monotonic()) > 0:
                self.sock.settimeout(left)
                if not self.sock.recv(65536):
                    return
        except OSError:
            pass

    # -- the session ----------------------------------------------------------------------------

    def run(self):
        try:
            self._handshake()
            signal.signal(signal.SIGINT, self._on_sigint)
            # a bare thread, as the capture's: no wait for it to start (see _capture._PipeDrainer)
            self.receiver_done = threading.Event()
            _thread.start_new_thread(self._receive_loop, ())
            _, init = self._next(_wire.SESSION_INIT)
            self._serve(init)
            return EXIT_OK
        except _Cancelled:
            if self.failure is not None:
                protocol, why = self.failure
                if not protocol:
                    return EXIT_CONNECTION_LOST
                self._send_error(SessionError(_wire.ERROR_PROTOCOL, why))
                return EXIT_PROTOCOL_ERROR
            self._sync_output()
            self._send_error(SessionError(_wire.ERROR_CANCELLED, "cancelled by the engine"))
            return EXIT_CANCELLED
        except _EngineGone:
            return EXIT_CONNECTION_LOST
        except SessionError as e:
            self._sync_output()
            self._send_error(e)
            if e.kind == _wire.ERROR_PROTOCOL:
                return EXIT_PROTOCOL_ERROR
            return EXIT_INTERNAL_ERROR if e.kind == _wire.ERROR_INTERNAL else EXIT_SCRIPT_ERROR
        except (ProtocolError, EOFError) as e:
            self._send_error(SessionError(_wire.ERROR_PROTOCOL, str(e)))
            return EXIT_PROTOCOL_ERROR
        except OSError:
            return EXIT_CONNECTION_LOST
        except BaseException as e:  # a bug here must still reach the engine, with its traceback
            self._send_error(SessionError(_wire.ERROR_INTERNAL, f"satellite failure: {e!r}",
                                          type(e).__name__, traceback.format_exc().splitlines()))
            return EXIT_INTERNAL_ERROR

    def _handshake(self):
        self.sock.settimeout(HANDSHAKE_TIMEOUT)
        self.writer.send(_wire.HELLO, {
            "job_id": self.job_id, "secret": self.secret, "runtime": RUNTIME,
            "runtime_version": platform.python_version(), "pid": os.getpid(),
            "max_frame": _wire.DEFAULT_MAX_PAYLOAD, "unit_runs": True, "key_groups": True,
        })
        # while the engine prepares the call: the capture's threads start off the call's path
        self.capture = OutputCapture(self.writer)
        self.capture.install()
        frame = self.reader.read()
        if frame is None:
            raise _EngineGone("the engine closed the connection during the handshake")
        msg_type, _, payload = frame
        if msg_type == _wire.ERROR:
            raise _EngineGone("the engine refused the handshake")
        if msg_type != _wire.WELCOME:
            raise ProtocolError(f"expected WELCOME, got {_wire.MESSAGE_NAMES[msg_type]}")
        welcome = _wire.decode_message(msg_type, payload)
        if welcome["max_frame"] <= 0:
            raise ProtocolError("WELCOME max_frame must be positive")
        self.writer.max_payload = min(_wire.DEFAULT_MAX_PAYLOAD, welcome["max_frame"])
        self.loopback_offered = welcome.get("loopback", False)
        if "loopback_dsn" in welcome:
            # standard clients in the script find the job's loopback socket here
            os.environ[_loopback.DSN_VARIABLE] = welcome["loopback_dsn"]
        self.sock.settimeout(None)

    def _serve(self, init):
        script = init["script"]
        input_name = init["input_name"]
        output_name = init["output_name"]
        has_input = init["has_input"]
        schema = init.get("column", [])
        params = init.get("param", [])
        code = self._compile(script)
        param_values = {}
        for p in params:
            raw = C.decode_column(p["value"], 1, f"param {p['name']}")
            param_values[p["name"]] = self._convert(lambda: _convert.to_python(raw, p["name"])[0])
        namespace = None
        while True:
            batches = []
            while True:
                msg_type, message = self._next(_wire.INPUT_BATCH, _wire.END_OF_INPUT)
                if msg_type == _wire.END_OF_INPUT:
                    break
                batches.append(self._convert_early(self._decode_batch(message, schema), schema))
            unit = message["unit"]
            last = message["last"]
            groups = self._key_groups(message, batches, schema, has_input)
            frame = self._input_frame(schema, batches, has_input) if has_input else pd.DataFrame()
            del batches
            if groups is not None:
                if groups.order is not None:
                    # one copy of the share, grouped; then each unit is a slice of it, as in a run
                    frame = frame.take(groups.order)
                runs = groups.ends
            else:
                runs = _unit_rows(message, len(frame))
            self.unit_keys = groups
            for i, stop in enumerate(runs):
                start = runs[i - 1] if i else 0
                self.unit_index = i
                # a run of units shares one frame: each unit sees its rows as a frame of its own,
                # a view indexed from 0 like any input
                part = frame if len(runs) == 1 and groups is None else _rows_of(frame, start, stop)
                namespace = {"__name__": "__main__", "__builtins__": builtins}
                namespace.update(param_values)
                namespace[input_name] = part
                del part
                # loopback statements only once the whole input is here: the engine then reads nothing
                # from PostgreSQL but our QUERYs, so the two streams cannot block each other
                self.input_complete = last and i == len(runs) - 1
                _loopback._attach(self)
                try:
                    self._run_script(code, namespace)
                finally:
                    _loopback._detach()
                self._send_output(namespace.get(output_name, None), output_name, unit + i)
                if self.writer.held_bytes > HOLD_OUTPUT_BYTES:
                    self.writer.flush()
            del frame
            self.unit_keys = None
            if last:
                break
            self.writer.flush()
        self._send_output_params(params, namespace)
        self.writer.send(_wire.END)

    @staticmethod
    def _key_groups(message, batches, schema, has_input):
        """The units of an END_OF_INPUT with group_by (None without it)."""
        key_indexes = message.get("group_by")
        if not key_indexes:
            return None
        if "unit_rows" in message:
            raise ProtocolError("END_OF_INPUT carries both unit_rows and group_by")
        if not has_input:
            raise ProtocolError("END_OF_INPUT group_by in a call without input")
        try:
            return _groups.KeyGroups(batches, key_indexes, schema)
        except ValueError as e:
            raise ProtocolError(f"END_OF_INPUT {e}") from None

    # -- loopback -------------------------------------------------------------------------------

    def loopback(self, sql, values):
        """QUERY, then QUERY_ERROR or QUERY_RESULT, QUERY_BATCH*, QUERY_END: (DataFrame, row count)."""
        if not self.loopback_offered:
            raise RuntimeError("loopback queries are not available in this call (parallel, partitioned and "
                               "streaming calls do not offer them, nor do engines before they existed)")
        if not self.input_complete:
            raise RuntimeError("loopback queries are available only once the call's input is complete "
                               "(in its last unit)")
        self.writer.send(_wire.QUERY, {"sql": sql, "parameter": [{} if v is None else {"value": v} for v in values]})
        msg_type, message = self._next(_wire.QUERY_RESULT, _wire.QUERY_ERROR)
        if msg_type == _wire.QUERY_ERROR:
            raise _loopback.QueryError(message["sqlstate"], message["message"], message.get("detail"),
                                       message.get("hint"))
        schema = message.get("column", [])
        batches = []
        while True:
            msg_type, message = self._next(_wire.QUERY_BATCH, _wire.QUERY_END)
            if msg_type == _wire.QUERY_END:
                break
            batches.append(self._convert_early(self._decode_batch(message, schema), schema))
        return self._input_frame(schema, batches, True), message["row_count"]

    # -- input ----------------------------------------------------------------------------------

    def _decode_batch(self, message, schema):
        rows, columns = C.decode_batch(message, "INPUT_BATCH")
        if len(columns) != len(schema):
            raise ProtocolError(f"INPUT_BATCH has {len(columns)} columns, the schema {len(schema)}")
        for column, spec in zip(columns, schema):
            if column.type != spec["type"]:
                raise ProtocolError(f"INPUT_BATCH column '{spec['name']}' is {C.TYPE_NAMES[column.type]}, "
                                    f"the schema says {C.TYPE_NAMES.get(spec['type'], spec['type'])}")
        return rows, columns

    def _convert_early(self, batch, schema):
        """Columns that always become Python objects are converted batch by batch as they arrive,
        so the work overlaps PostgreSQL and the engine producing the next batch."""
        rows, columns = batch
        for i, spec in enumerate(schema):
            if columns[i].type in EARLY_TYPES:
                raw = columns[i]
                columns[i] = self._convert(lambda: _convert.to_pandas(raw, spec["name"]))
        return rows, columns

    def _input_frame(self, schema, batches, has_input):
        rows = sum(b[0] for b in batches)
        arrays = {}
        for i, spec in enumerate(schema):
            parts = [b[1][i] for b in batches]
            if parts and isinstance(parts[0], np.ndarray):
                arrays[i] = np.concatenate(parts) if len(parts) > 1 else parts[0]
                continue
            raw = C.concat(parts) if parts else _empty_column(spec)
            arrays[i] = self._convert(lambda: _convert.to_pandas(raw, spec["name"]))
        if not schema:
            return pd.DataFrame(index=pd.RangeIndex(rows))
        names = [spec["name"] for spec in schema]
        if len(set(names)) == len(names):
            # named at construction: renaming afterwards costs more than building the frame (per unit)
            return pd.DataFrame(dict(zip(names, arrays.values())), copy=False)
        frame = pd.DataFrame(arrays, copy=False)
        frame.columns = names
        return frame

    @staticmethod
    def _convert(fn):
        try:
            return fn()
        except _convert.TypeMappingError as e:
            raise SessionError(_wire.ERROR_TYPE, str(e)) from None

    # -- the script -----------------------------------------------------------------------------

    @staticmethod
    def _compile(script):
        linecache.cache[SCRIPT_FILENAME] = (len(script), None, script.splitlines(True), SCRIPT_FILENAME)
        try:
            return compile(script, SCRIPT_FILENAME, "exec", dont_inherit=True)
        except SyntaxError as e:
            lines = [line.rstrip("\n") for line in traceback.format_exception_only(type(e), e)]
            raise SessionError(_wire.ERROR_SYNTAX, e.msg or str(e), type(e).__name__, lines, e.lineno or 0,
                               f"line {e.lineno}, column {e.offset}" if e.lineno else None) from None

    def _run_script(self, code, namespace):
        if self.cancelled.is_set():
            raise _Cancelled()
        try:
            try:
                self.in_script = True
                exec(code, namespace)
            finally:
                self.in_script = False
        except KeyboardInterrupt:
            if self.cancelled.is_set():
                raise _Cancelled() from None
            raise self._script_error(*sys.exc_info()[1:]) from None
        except SystemExit as e:
            raise SessionError(_wire.ERROR_EXIT, f"script called sys.exit({e.code!r})", "SystemExit",
                               _script_traceback(e), _script_line(e)) from None
        except BaseException as e:
            if self.cancelled.is_set():
                raise _Cancelled() from None
            raise self._script_error(e, e.__traceback__) from None
        finally:
            self._sync_output()
        if self.cancelled.is_set():
            raise _Cancelled()

    @staticmethod
    def _script_error(e, _tb=None):
        return SessionError(_wire.ERROR_SCRIPT, str(e), _exception_name(e), _script_traceback(e), _script_line(e))

    def _sync_output(self):
        if self.capture is not None:
            self.capture.sync()

    # -- output ---------------------------------------------------------------------------------

    def _send_output(self, value, output_name, unit):
        if isinstance(value, pd.Series):
            value = value.to_frame()
        if value is None or (isinstance(value, pd.DataFrame) and len(value.columns) == 0):
            self.writer.hold_message(_wire.OUTPUT_SCHEMA, {"absent": True})
            self.writer.hold_message(_wire.OUTPUT_END, {"unit": unit, "row_count": 0})
            return
        if not isinstance(value, pd.DataFrame):
            raise SessionError(_wire.ERROR_TYPE, f"{output_name} must be a pandas DataFrame (or Series), "
                               f"not {type(value).__name__}; wrap it, e.g. pd.DataFrame({output_name})")
        rows = len(value)
        columns = []
        specs = []
        for name, raw, pg_type in self._output_columns(value):
            columns.append(raw)
            spec = (name, raw.type, pg_type, raw.child.type if raw.type == C.ARRAY else None)
            specs.append(spec)
        specs = tuple(specs)
        # units of a partitioned call mostly answer with the same columns: encode that schema once
        if self._schema_cache is None or self._schema_cache[0] != specs:
            self._schema_cache = (specs, _wire.encode_message(_wire.OUTPUT_SCHEMA, {"column": [
                {"name": n, "type": t, "pg_type": pg, "element_type": e} for n, t, pg, e in specs], "absent": False}))
        self.writer.hold(_wire.OUTPUT_SCHEMA, self._schema_cache[1])
        specs = [{"name": spec[0]} for spec in specs]
        if rows:
            for start, stop in C.batch_bounds(columns, rows):
                if self.cancelled.is_set():
                    raise _Cancelled()
                payload = _wire.Payload().int(1, stop - start)
                for raw, spec in zip(columns, specs):
                    part = raw.slice(start, stop)
                    try:
                        C.check_offsets_fit(part, f"column '{spec['name']}'")
                    except ValueError as e:
                        raise SessionError(_wire.ERROR_TYPE, str(e)) from None
                    handle = payload.begin_struct(2)
                    _wire.encode_into(payload, _wire.COLUMN, part.fields())
                    payload.end_struct(handle)
                if payload.length > self.writer.max_payload:
                    raise SessionError(_wire.ERROR_TYPE, f"output rows {start}..{stop - 1} take {payload.length} "
                                       f"bytes, more than the engine's frame limit of {self.writer.max_payload}")
                self.writer.hold(_wire.OUTPUT_BATCH, payload)
                if self.writer.held_bytes > HOLD_OUTPUT_BYTES:
                    self.writer.flush()
        self.writer.hold_message(_wire.OUTPUT_END, {"unit": unit, "row_count": rows})

    def _output_columns(self, value):
        """(name, RawColumn, pg_type) per output column. Plain numpy numeric columns are read straight
        from the frame: one Series per column costs more than the rest of a one-row output."""
        get_array = getattr(value, "_get_column_array", None)
        if get_array is not None:
            arrays = [get_array(i) for i in range(len(value.columns))]
            if all(isinstance(a, np.ndarray) and a.dtype.kind in "biuf" for a in arrays):
                out = []
                for label, array in zip(value.columns, arrays):
                    name = str(label)
                    out.append((name, *self._convert(lambda: _infer.from_numeric_array(array, name))))
                return out
        # items(), not iloc per column: a tenth of the cost
        return [(str(label), *self._convert(lambda: _infer.from_series(series, str(label))))
                for label, series in value.items()]

    def _send_output_params(self, params, namespace):
        out = []
        for p in params:
            if not p.get("is_output"):
                continue
            name = p["name"]
            value = namespace.get(name) if namespace is not None else None
            if value is None:
                declared = p["type"] if p["type"] != C.ARRAY else C.TEXT
                raw = _null_column(declared)
                pg_type = C.PG_TYPES[declared]
            else:
                raw, pg_type = self._convert(lambda: _infer.from_value(value, name))
            out.append({"name": name, "type": raw.type, "pg_type": pg_type, "value": raw.fields()})
        self.writer.send(_wire.OUTPUT_PARAMS, {"param": out})

    def _send_error(self, e):
        values = {"kind": e.kind, "exception": e.exception, "message": e.message,
                  "traceback": e.traceback_lines or None, "line": e.line or None, "detail": e.detail}
        if self.unit_keys is not None and e.kind != _wire.ERROR_PROTOCOL:
            # the engine cannot tell which key failed: it did not cut the units
            try:
                values["unit_key"] = self.unit_keys.key(self.unit_index)
            except Exception:  # noqa: BLE001 - the error itself matters more than naming its key
                pass
        try:
            self.writer.send(_wire.ERROR, values)
        except OSError:
            pass


def _unit_rows(message, rows):
    """Where the units of an END_OF_INPUT end: [rows] for one unit, the running sums of unit_rows for
    a run of units (which must account for exactly the rows received)."""
    raw = message.get("unit_rows")
    if raw is None:
        return [rows]
    if len(raw) == 0 or len(raw) % 8:
        raise ProtocolError(f"END_OF_INPUT unit_rows has {len(raw)} bytes, not a positive multiple of 8")
    counts = np.frombuffer(raw, dtype="<i8")
    if (counts < 0).any():
        raise ProtocolError("END_OF_INPUT unit_rows holds a negative row count")
    ends = np.cumsum(counts)
    if int(ends[-1]) != rows:
        raise ProtocolError(f"END_OF_INPUT unit_rows adds up to {int(ends[-1])} rows, {rows} were sent")
    return ends.tolist()


def _rows_of(frame, start, stop):
    part = frame.iloc[start:stop]
    part.index = pd.RangeIndex(stop - start)
    # a unit's own frame, not a "copy" of the run's: pandas must not warn when the script changes it
    part._is_copy = None
    return part


def _empty_column(spec):
    type_code = spec["type"]
    if type_code in C.WIDTH:
        return C.RawColumn(type_code, 0)
    offsets = np.zeros(1, dtype=np.int32)
    if type_code == C.ARRAY:
        child = _empty_column({"type": spec.get("element_type", C.TEXT)})
        return C.RawColumn(C.ARRAY, 0, offsets=offsets, child=child)
    return C.RawColumn(type_code, 0, offsets=offsets)


def _null_column(type_code):
    validity = np.zeros(1, dtype=np.uint8)
    if type_code in C.WIDTH:
        return C.RawColumn(type_code, 1, 1, validity, data=np.zeros(C.WIDTH[type_code], dtype=np.uint8))
    return C.RawColumn(type_code, 1, 1, validity, offsets=np.zeros(2, dtype=np.int32))


def _exception_name(e):
    cls = type(e)
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"


def _trim(te, seen):
    """Drops the satellite's own frames in front of the script's first frame."""
    if te is None or id(te) in seen:
        return
    seen.add(id(te))
    for i, frame in enumerate(te.stack):
        if frame.filename == SCRIPT_FILENAME:
            del te.stack[:i]
            break
    _trim(te.__cause__, seen)
    _trim(te.__context__, seen)


def _script_traceback(e):
    te = traceback.TracebackException.from_exception(e)
    _trim(te, set())
    return "".join(te.format()).rstrip("\n").split("\n")


def _script_line(e):
    line = 0
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SCRIPT_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


LIBRARY_PATH_VARIABLE = "EXTENSA_LIBRARY_PATH"


def apply_library_path(environ=os.environ, path=sys.path):
    """Puts the job's external library directories (private first, then public) before the system's
    packages on sys.path, and on PYTHONPATH for the script's own Python subprocesses."""
    value = environ.get(LIBRARY_PATH_VARIABLE, "")
    directories = [d for d in value.split(":") if d]
    if not directories:
        return []
    path[0:0] = [d for d in directories if d not in path]
    inherited = environ.get("PYTHONPATH")
    environ["PYTHONPATH"] = ":".join(directories + ([inherited] if inherited else []))
    import importlib
    importlib.invalidate_caches()
    return directories


def run_session(socket_path, job_id, secret):
    """Connects to the engine's job socket and runs the session; returns the exit code."""
    apply_library_path()
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(HANDSHAKE_TIMEOUT)
        sock.connect(socket_path)
    except OSError as e:
        sys.stderr.write(f"extensa satellite: cannot connect to {socket_path}: {e}\n")
        return EXIT_CONNECT_FAILED
    session = Session(sock, job_id, secret)
    code = session.run()
    session.linger()
    sock.close()
    return code


def report_startup_failure(socket_path, job_id, secret, message):
    """Greets the engine and sends ERROR kind internal: the job could not start."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(HANDSHAKE_TIMEOUT)
            sock.connect(socket_path)
            writer = _wire.FrameWriter(_wire.socket_writer(sock))
            writer.send(_wire.HELLO, {"job_id": job_id, "secret": secret, "runtime": RUNTIME,
                                      "runtime_version": platform.python_version(), "pid": os.getpid(),
                                      "max_frame": _wire.DEFAULT_MAX_PAYLOAD})
            # let the handshake finish, so the engine reads the error as the answer to its WELCOME
            _wire.FrameReader(_wire.socket_reader(sock)).read()
            writer.send(_wire.ERROR, {"kind": _wire.ERROR_INTERNAL, "message": message})
    except (OSError, EOFError, ProtocolError):
        pass
    return EXIT_INTERNAL_ERROR
