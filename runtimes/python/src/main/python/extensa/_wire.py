"""Frames and tagged fields of the Extensa satellite protocol (docs/protocol.md).

One place reads frames (FrameReader), one place writes them (FrameWriter); payloads are
decoded and encoded through the message schemas below, so field tags live in one table.
Values of BYTES fields decode to memoryviews over the received buffer: numeric columns are
then mapped with numpy.frombuffer without copying.
"""

import struct
import threading

import numpy as np

MAGIC = 0x53545845  # b"EXTS" read as little-endian u32
VERSION = 1
DEFAULT_MAX_PAYLOAD = (1 << 30) + (1 << 20)

_HEADER = struct.Struct("<IBBHII")
_FIELD = struct.Struct("<HBBI")
_I64 = struct.Struct("<q")
_F64 = struct.Struct("<d")
HEADER_SIZE = _HEADER.size

# Values at least this long are sent by reference (no copy into the header buffer).
_COPY_LIMIT = 512
# sendmsg/writev accept at most this many buffers per call (Linux IOV_MAX).
_IOV_MAX = 1024

# message types
HELLO = 0x01
WELCOME = 0x02
SESSION_INIT = 0x10
INPUT_BATCH = 0x11
END_OF_INPUT = 0x12
OUTPUT_SCHEMA = 0x20
OUTPUT_BATCH = 0x21
OUTPUT_END = 0x22
STDOUT = 0x23
STDERR = 0x24
OUTPUT_PARAMS = 0x25
QUERY = 0x26
QUERY_RESULT = 0x27
QUERY_BATCH = 0x28
QUERY_END = 0x29
QUERY_ERROR = 0x2A
ERROR = 0x30
CANCEL = 0x31
HEARTBEAT = 0x32
END = 0x3F
FORK = 0x60
FORKED = 0x61
CHILD_EXITED = 0x62

MESSAGE_NAMES = {
    HELLO: "HELLO", WELCOME: "WELCOME", SESSION_INIT: "SESSION_INIT", INPUT_BATCH: "INPUT_BATCH",
    END_OF_INPUT: "END_OF_INPUT", OUTPUT_SCHEMA: "OUTPUT_SCHEMA", OUTPUT_BATCH: "OUTPUT_BATCH",
    OUTPUT_END: "OUTPUT_END", STDOUT: "STDOUT", STDERR: "STDERR", OUTPUT_PARAMS: "OUTPUT_PARAMS",
    QUERY: "QUERY", QUERY_RESULT: "QUERY_RESULT", QUERY_BATCH: "QUERY_BATCH",
    QUERY_END: "QUERY_END", QUERY_ERROR: "QUERY_ERROR", ERROR: "ERROR", CANCEL: "CANCEL", HEARTBEAT: "HEARTBEAT",
    END: "END", 0x40: "LAUNCH", 0x41: "LAUNCHED", 0x42: "EXITED", 0x43: "CANCEL_JOB",
    0x44: "STATUS_REQUEST", 0x45: "STATUS", FORK: "FORK", FORKED: "FORKED", CHILD_EXITED: "CHILD_EXITED",
}

# field kinds
INT = 1
FLOAT = 2
BOOL = 3
TEXT = 4
BYTES = 5
STRUCT = 6
KIND_NAMES = {INT: "INT", FLOAT: "FLOAT", BOOL: "BOOL", TEXT: "TEXT", BYTES: "BYTES", STRUCT: "STRUCT"}

# ERROR kinds
ERROR_SCRIPT = "script"
ERROR_SYNTAX = "syntax"
ERROR_EXIT = "exit"
ERROR_CANCELLED = "cancelled"
ERROR_TYPE = "type"
ERROR_PROTOCOL = "protocol"
ERROR_INTERNAL = "internal"


class ProtocolError(Exception):
    """The peer broke the wire format."""


class Field:
    """One entry of a message schema."""

    __slots__ = ("tag", "name", "kind", "repeated", "schema", "required")

    def __init__(self, tag, name, kind, repeated=False, schema=None, required=False):
        self.tag = tag
        self.name = name
        self.kind = kind
        self.repeated = repeated
        self.schema = schema
        self.required = required


class Schema:
    """The fields of a message or struct, in canonical (ascending tag) order."""

    def __init__(self, name, fields):
        self.name = name
        self.fields = list(fields)
        self.by_tag = {f.tag: f for f in self.fields}


# A batch column; `child` refers back to the column schema itself (filled in below).
COLUMN = Schema("column", [
    Field(1, "type", INT, required=True), Field(2, "null_count", INT), Field(3, "validity", BYTES),
    Field(4, "offsets", BYTES), Field(5, "data", BYTES), Field(6, "child", STRUCT),
    Field(7, "shape_offsets", BYTES), Field(8, "shapes", BYTES),
])
COLUMN.by_tag[6].schema = COLUMN

COLUMN_SPEC = Schema("column spec", [
    Field(1, "name", TEXT, required=True), Field(2, "type", INT, required=True), Field(3, "pg_type", TEXT),
    Field(4, "element_type", INT),
])
PARAM = Schema("param", [
    Field(1, "name", TEXT, required=True), Field(2, "type", INT, required=True), Field(3, "pg_type", TEXT),
    Field(4, "is_output", BOOL), Field(5, "value", STRUCT, schema=COLUMN, required=True),
])
OPTIONS = Schema("options", [Field(1, "rows_per_read", INT), Field(2, "task_index", INT), Field(3, "task_count", INT)])
ENV_VAR = Schema("env", [Field(1, "name", TEXT, required=True), Field(2, "value", TEXT, required=True)])

BATCH = Schema("batch", [Field(1, "row_count", INT, required=True), Field(2, "column", STRUCT, True, COLUMN)])

SCHEMAS = {
    HELLO: Schema("HELLO", [
        Field(1, "job_id", TEXT), Field(2, "secret", BYTES), Field(3, "runtime", TEXT, required=True),
        Field(4, "runtime_version", TEXT, required=True), Field(5, "pid", INT, required=True),
        Field(6, "max_frame", INT), Field(7, "sandbox", BOOL), Field(8, "unit_runs", BOOL),
        Field(9, "key_groups", BOOL),
    ]),
    WELCOME: Schema("WELCOME", [Field(1, "max_frame", INT, required=True), Field(2, "loopback", BOOL),
                                  Field(3, "loopback_dsn", TEXT)]),
    SESSION_INIT: Schema("SESSION_INIT", [
        Field(1, "script", TEXT, required=True), Field(2, "input_name", TEXT, required=True),
        Field(3, "output_name", TEXT, required=True), Field(4, "column", STRUCT, True, COLUMN_SPEC),
        Field(5, "param", STRUCT, True, PARAM), Field(6, "has_input", BOOL, required=True),
        Field(7, "options", STRUCT, schema=OPTIONS),
    ]),
    INPUT_BATCH: BATCH,
    END_OF_INPUT: Schema("END_OF_INPUT", [Field(1, "last", BOOL, required=True), Field(2, "unit", INT, required=True),
                                          Field(3, "unit_rows", BYTES), Field(4, "group_by", INT, True)]),
    OUTPUT_SCHEMA: Schema("OUTPUT_SCHEMA", [
        Field(1, "column", STRUCT, True, COLUMN_SPEC), Field(2, "absent", BOOL, required=True),
    ]),
    OUTPUT_BATCH: BATCH,
    OUTPUT_END: Schema("OUTPUT_END", [Field(1, "unit", INT, required=True), Field(2, "row_count", INT, required=True)]),
    STDOUT: Schema("STDOUT", [Field(1, "text", TEXT, required=True)]),
    STDERR: Schema("STDERR", [Field(1, "text", TEXT, required=True)]),
    OUTPUT_PARAMS: Schema("OUTPUT_PARAMS", [Field(1, "param", STRUCT, True, Schema("output param", [
        Field(1, "name", TEXT, required=True), Field(2, "type", INT, required=True), Field(3, "pg_type", TEXT),
        Field(5, "value", STRUCT, schema=COLUMN, required=True),
    ]))]),
    ERROR: Schema("ERROR", [
        Field(1, "kind", TEXT, required=True), Field(2, "exception", TEXT), Field(3, "message", TEXT, required=True),
        Field(4, "traceback", TEXT, True), Field(5, "line", INT), Field(6, "detail", TEXT),
        Field(7, "unit_key", STRUCT, schema=BATCH),
    ]),
    QUERY: Schema("QUERY", [
        Field(1, "sql", TEXT, required=True),
        Field(2, "parameter", STRUCT, True, Schema("query parameter", [Field(1, "value", TEXT)])),
    ]),
    QUERY_RESULT: Schema("QUERY_RESULT", [
        Field(1, "column", STRUCT, True, COLUMN_SPEC), Field(2, "returns_rows", BOOL, required=True),
    ]),
    QUERY_BATCH: BATCH,
    QUERY_END: Schema("QUERY_END", [Field(1, "command", TEXT, required=True), Field(2, "row_count", INT, required=True)]),
    QUERY_ERROR: Schema("QUERY_ERROR", [
        Field(1, "sqlstate", TEXT, required=True), Field(2, "message", TEXT, required=True),
        Field(3, "detail", TEXT), Field(4, "hint", TEXT),
    ]),
    CANCEL: Schema("CANCEL", []),
    HEARTBEAT: Schema("HEARTBEAT", [Field(1, "millis", INT, required=True)]),
    END: Schema("END", []),
    FORK: Schema("FORK", [
        Field(1, "job_id", TEXT, required=True), Field(2, "socket_path", TEXT, required=True),
        Field(3, "secret", BYTES, required=True), Field(4, "work_dir", TEXT, required=True),
        Field(5, "env", STRUCT, True, ENV_VAR), Field(6, "output_path", TEXT), Field(7, "sandbox", TEXT),
    ]),
    FORKED: Schema("FORKED", [Field(1, "job_id", TEXT, required=True), Field(2, "pid", INT, required=True)]),
    CHILD_EXITED: Schema("CHILD_EXITED", [
        Field(1, "job_id", TEXT, required=True), Field(2, "pid", INT, required=True),
        Field(3, "exit_code", INT, required=True), Field(4, "signal", INT, required=True),
    ]),
}


# ---------------------------------------------------------------------------------------------
# decoding

def iter_fields(mv, context):
    """Yields (tag, kind, flags, start, length) for each field of a payload or struct value.

    Every header is checked against the bytes that remain, so a hostile length never reads
    beyond the buffer.
    """
    pos = 0
    end = len(mv)
    while pos < end:
        if end - pos < 8:
            raise ProtocolError(f"{context}: truncated field header ({end - pos} bytes left)")
        tag, kind, flags, length = _FIELD.unpack_from(mv, pos)
        pos += 8
        if kind not in KIND_NAMES:
            raise ProtocolError(f"{context}: field {tag} has unknown kind {kind}")
        padded = (length + 7) & ~7
        if padded > end - pos:
            raise ProtocolError(f"{context}: field {tag} claims {length} bytes but only {end - pos} remain")
        if (kind == INT or kind == FLOAT) and length != 8 or kind == BOOL and length != 1:
            raise ProtocolError(f"{context}: {KIND_NAMES[kind]} field {tag} has length {length}")
        yield tag, kind, flags, pos, length
        pos += padded


def decode_value(mv, kind, start, length, context, tag):
    if kind == INT:
        return _I64.unpack_from(mv, start)[0]
    if kind == FLOAT:
        return _F64.unpack_from(mv, start)[0]
    if kind == BOOL:
        b = mv[start]
        if b > 1:
            raise ProtocolError(f"{context}: BOOL field {tag} holds {b}")
        return b == 1
    if kind == TEXT:
        try:
            return str(mv[start:start + length], "utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(f"{context}: TEXT field {tag} is not valid UTF-8") from None
    return mv[start:start + length]


def decode(schema, mv, context=None):
    """Decodes a payload or struct value into a dict keyed by field name.

    Absent fields are missing from the dict, repeated fields are lists, BYTES values are
    memoryviews sharing the buffer, STRUCT values are nested dicts.
    """
    context = context or schema.name
    if not isinstance(mv, memoryview):
        mv = memoryview(mv)
    if mv.format != "B" or mv.ndim != 1:
        mv = mv.cast("B")
    out = {}
    for tag, kind, flags, start, length in iter_fields(mv, context):
        field = schema.by_tag.get(tag)
        if field is None:
            if flags & 1:
                raise ProtocolError(f"{context}: unknown critical field {tag}")
            continue
        if kind != field.kind:
            raise ProtocolError(f"{context}: field {tag} ({field.name}) should be {KIND_NAMES[field.kind]} "
                                f"but is {KIND_NAMES[kind]}")
        if kind == STRUCT:
            value = decode(field.schema, mv[start:start + length], f"{context}.{field.name}")
        else:
            value = decode_value(mv, kind, start, length, context, tag)
        if field.repeated:
            out.setdefault(field.name, []).append(value)
        elif field.name in out:
            raise ProtocolError(f"{context}: field {tag} ({field.name}) repeated")
        else:
            out[field.name] = value
    for field in schema.fields:
        if field.required and field.name not in out:
            raise ProtocolError(f"{context}: missing field {field.tag} ({field.name})")
    return out


def decode_message(msg_type, payload):
    """Decodes a payload and applies the message's own consistency rules."""
    schema = SCHEMAS.get(msg_type)
    if schema is None:
        raise ProtocolError(f"message type {MESSAGE_NAMES.get(msg_type, hex(msg_type))} is not expected here")
    name = MESSAGE_NAMES[msg_type]
    message = decode(schema, payload, name)
    check = _CHECKS.get(msg_type)
    if check is not None:
        problem = check(message)
        if problem:
            raise ProtocolError(f"{name}: {problem}")
    return message


_ARRAY = 17
_COLUMN_TYPES = range(1, 18)


def _check_specs(columns):
    for spec in columns:
        if spec["type"] not in _COLUMN_TYPES:
            return f"column '{spec['name']}' has unknown type {spec['type']}"
        element = spec.get("element_type")
        if (spec["type"] == _ARRAY) != (element is not None) or element == _ARRAY or \
                element is not None and element not in _COLUMN_TYPES:
            return f"column '{spec['name']}' has type {spec['type']} with element type {element}"
    return None


def _check_hello(m):
    if ("job_id" in m) != ("secret" in m):
        return "must carry both job_id and secret or neither"
    if m.get("max_frame", 0) < 0:
        return "max_frame is negative"
    return None


def _check_session_init(m):
    if not m["has_input"] and m.get("column"):
        return "has input columns but has_input is false"
    options = m.get("options")
    if options is not None:
        rows, index, count = options.get("rows_per_read", 0), options.get("task_index", 0), options.get("task_count", 1)
        if rows < 0 or count < 1 or not 0 <= index < count:
            return f"options rows_per_read={rows} task_index={index} task_count={count}"
    for p in m.get("param", []):
        if p["type"] not in _COLUMN_TYPES:
            return f"parameter '{p['name']}' has unknown type {p['type']}"
        if p["value"]["type"] != p["type"]:
            return f"parameter '{p['name']}' value has type {p['value']['type']} but is declared {p['type']}"
    return _check_specs(m.get("column", []))


def _check_output_schema(m):
    if m["absent"] and m.get("column"):
        return "is absent but lists columns"
    return _check_specs(m.get("column", []))


def _check_fork(m):
    names = set()
    for variable in m.get("env", []):
        name, value = variable["name"], variable["value"]
        if not name or "=" in name or "\0" in name or "\0" in value or name in names:
            return f"bad or repeated environment variable {name!r}"
        names.add(name)
    return None


_CHECKS = {
    HELLO: _check_hello,
    WELCOME: lambda m: None if m["max_frame"] > 0 else "max_frame must be positive",
    SESSION_INIT: _check_session_init,
    END_OF_INPUT: lambda m: None if m["unit"] >= 0 else "unit is negative",
    OUTPUT_SCHEMA: _check_output_schema,
    OUTPUT_END: lambda m: None if m["unit"] >= 0 and m["row_count"] >= 0 else "negative unit or row_count",
    FORKED: lambda m: None if m["pid"] > 0 else "pid must be positive",
    QUERY_RESULT: lambda m: "returns no rows but lists columns" if not m["returns_rows"] and m.get("column") \
        else _check_specs(m.get("column", [])),
    QUERY_END: lambda m: None if m["row_count"] >= 0 else "row_count is negative",
    QUERY_ERROR: lambda m: None if len(m["sqlstate"]) == 5 else "sqlstate is not five characters",
    FORK: _check_fork,
    OUTPUT_PARAMS: lambda m: next((f"parameter '{p['name']}' value has type {p['value']['type']} but is "
                                   f"declared {p['type']}" for p in m.get("param", [])
                                   if p["value"]["type"] != p["type"]), None),
}


# ---------------------------------------------------------------------------------------------
# encoding

_ZEROS = bytes(8)


class Payload:
    """Builds a payload of tagged fields; large byte values are referenced, not copied."""

    __slots__ = ("parts", "buf", "length")

    def __init__(self):
        self.parts = []
        self.buf = bytearray()
        self.length = 0

    def _header(self, tag, kind, length, critical=False):
        if not 0 <= tag <= 0xFFFF:
            raise ValueError(f"tag out of range: {tag}")
        self.buf += _FIELD.pack(tag, kind, 1 if critical else 0, length)
        self.length += 8

    def int(self, tag, value, critical=False):
        self._header(tag, INT, 8, critical)
        self.buf += _I64.pack(value)
        self.length += 8
        return self

    def float(self, tag, value, critical=False):
        self._header(tag, FLOAT, 8, critical)
        self.buf += _F64.pack(value)
        self.length += 8
        return self

    def bool(self, tag, value, critical=False):
        self._header(tag, BOOL, 1, critical)
        self.buf += b"\x01\x00\x00\x00\x00\x00\x00\x00" if value else _ZEROS
        self.length += 8
        return self

    def text(self, tag, value, critical=False):
        return self.bytes(tag, value.encode("utf-8"), critical, TEXT)

    def bytes(self, tag, value, critical=False, kind=BYTES):
        mv = value if isinstance(value, memoryview) else memoryview(value)
        if mv.ndim != 1 or mv.format != "B":
            mv = mv.cast("B")
        n = mv.nbytes
        self._header(tag, kind, n, critical)
        if n >= _COPY_LIMIT:
            self.parts.append(self.buf)
            self.parts.append(mv)
            self.buf = bytearray()
        else:
            self.buf += mv
        pad = -n & 7
        if pad:
            self.buf += _ZEROS[:pad]
        self.length += n + pad
        return self

    def begin_struct(self, tag, critical=False):
        self._header(tag, STRUCT, 0, critical)
        return (self.buf, len(self.buf) - 4, self.length)

    def end_struct(self, handle):
        buf, index, start = handle
        struct.pack_into("<I", buf, index, self.length - start)
        return self

    def buffers(self):
        out = [p for p in self.parts if len(p)]
        if self.buf:
            out.append(self.buf)
        return out

    def tobytes(self):
        return b"".join(bytes(b) for b in self.buffers())


def encode_into(payload, schema, values):
    """Writes a dict shaped like decode()'s result, in canonical order; None means absent."""
    for field in schema.fields:
        value = values.get(field.name)
        if value is None:
            continue
        for item in (value if field.repeated else (value,)):
            kind = field.kind
            if kind == INT:
                payload.int(field.tag, item)
            elif kind == FLOAT:
                payload.float(field.tag, item)
            elif kind == BOOL:
                payload.bool(field.tag, item)
            elif kind == TEXT:
                payload.text(field.tag, item)
            elif kind == BYTES:
                payload.bytes(field.tag, item)
            else:
                handle = payload.begin_struct(field.tag)
                encode_into(payload, field.schema, item)
                payload.end_struct(handle)
    return payload


def encode_message(msg_type, values):
    return encode_into(Payload(), SCHEMAS[msg_type], values)


# ---------------------------------------------------------------------------------------------
# frames

class FrameReader:
    """Reads frames; checks magic, version, type, length and sequence before allocating.

    `read_into(memoryview) -> int` is socket.recv_into or an os.readv wrapper; 0 means end of
    stream. Payloads land in fresh numpy uint8 arrays (8-byte aligned), so column values can
    be mapped with numpy.frombuffer and stay valid after the next read.
    """

    def __init__(self, read_into, max_payload=DEFAULT_MAX_PAYLOAD):
        self._read_into = read_into
        self.max_payload = max_payload
        self._header = bytearray(HEADER_SIZE)
        self._expected = 0

    def _fill(self, mv, eof_ok):
        got = 0
        n = len(mv)
        while got < n:
            k = self._read_into(mv[got:])
            if not k:
                if got == 0 and eof_ok:
                    return False
                raise EOFError("stream ended inside a frame")
            got += k
        return True

    def read(self):
        """Returns (type, sequence, payload ndarray) or None at a clean end of stream."""
        if not self._fill(memoryview(self._header), True):
            return None
        magic, version, msg_type, _flags, length, sequence = _HEADER.unpack(self._header)
        if magic != MAGIC:
            raise ProtocolError(f"bad frame magic 0x{magic:08x} (expected 0x{MAGIC:08x})")
        if version != VERSION:
            raise ProtocolError(f"unsupported protocol version {version} (this side speaks {VERSION})")
        if length > self.max_payload:
            raise ProtocolError(f"frame of {length} bytes exceeds the maximum of {self.max_payload}")
        if length & 7:
            raise ProtocolError(f"frame length {length} is not a multiple of 8")
        if msg_type not in MESSAGE_NAMES:
            raise ProtocolError(f"unknown message type 0x{msg_type:02x}")
        if sequence != self._expected:
            raise ProtocolError(f"frame sequence {sequence} where {self._expected} was expected")
        self._expected = (self._expected + 1) & 0xFFFFFFFF
        payload = np.empty(length, dtype=np.uint8)
        if length:
            self._fill(memoryview(payload), False)
        return msg_type, sequence, payload


class FrameWriter:
    """Writes frames with one gathering write each; safe to call from several threads."""

    def __init__(self, write_buffers, max_payload=DEFAULT_MAX_PAYLOAD):
        self._write = write_buffers
        self.max_payload = max_payload
        self._lock = threading.Lock()
        self._sequence = 0
        # frames numbered and waiting to leave with the next write or flush, in order
        self._held = []
        self.held_bytes = 0

    def _views(self, msg_type, payload):
        """Header and payload views of the next frame; the caller holds the lock."""
        length = payload.length if payload is not None else 0
        if length > self.max_payload:
            raise ProtocolError(f"{MESSAGE_NAMES[msg_type]} frame of {length} bytes exceeds the maximum "
                                f"of {self.max_payload}")
        body = payload.buffers() if payload is not None else []
        header = _HEADER.pack(MAGIC, VERSION, msg_type, 0, length, self._sequence)
        self._sequence = (self._sequence + 1) & 0xFFFFFFFF
        return [memoryview(header)] + [memoryview(b).cast("B") for b in body], _HEADER.size + length

    def write(self, msg_type, payload=None):
        """Sends the frame now, after any held frames, in one gathering write."""
        with self._lock:
            views, _ = self._views(msg_type, payload)
            if self._held:
                views = self._held + views
                self._held = []
                self.held_bytes = 0
            self._write_all(views)

    def hold(self, msg_type, payload=None):
        """Numbers the frame but keeps it until the next write or flush: many small frames (a unit's
        output, several units' outputs) then leave in one system call instead of one each. Frames
        from other threads still come after it, because every write sends the held frames first."""
        with self._lock:
            views, size = self._views(msg_type, payload)
            self._held += views
            self.held_bytes += size

    def hold_message(self, msg_type, values=None):
        self.hold(msg_type, encode_message(msg_type, values or {}))

    def flush(self):
        with self._lock:
            if self._held:
                views = self._held
                self._held = []
                self.held_bytes = 0
                self._write_all(views)

    def send(self, msg_type, values=None):
        self.write(msg_type, encode_message(msg_type, values or {}))

    def _write_all(self, views):
        while views:
            sent = self._write(views[:_IOV_MAX])
            while sent:
                first = views[0]
                if sent >= len(first):
                    sent -= len(first)
                    views.pop(0)
                else:
                    views[0] = first[sent:]
                    sent = 0
            while views and not len(views[0]):
                views.pop(0)


def socket_reader(sock):
    return sock.recv_into


def socket_writer(sock):
    return sock.sendmsg


def fd_reader(fd):
    import os

    def read_into(mv):
        return os.readv(fd, [mv])
    return read_into


def fd_writer(fd):
    import os

    def write(views):
        return os.writev(fd, views)
    return write
