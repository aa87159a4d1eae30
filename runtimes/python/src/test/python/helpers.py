"""Shared test support: paths, the neutral JSON form of golden values, a fake engine."""

import math
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
MAIN = HERE.parent.parent / "main" / "python"
sys.path.insert(0, str(MAIN))

from extensa import _columns as C  # noqa: E402
from extensa import _convert  # noqa: E402
from extensa import _infer  # noqa: E402
from extensa import _wire  # noqa: E402

PYTHON = "/usr/bin/python3"
BOOTSTRAP = MAIN / "extensa_bootstrap.py"


def testdata():
    explicit = os.environ.get("EXTENSA_TESTDATA")
    if explicit:
        return pathlib.Path(explicit)
    for parent in HERE.parents:
        if (parent / "testdata" / "protocol").is_dir():
            return parent / "testdata" / "protocol"
    raise RuntimeError("testdata/protocol not found")


# ---------------------------------------------------------------------------------------------
# neutral JSON values (docs/protocol.md, "Golden files")

def _float(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def neutral_values(raw):
    t = raw.type
    if t in (C.BOOL, C.INT16, C.INT32, C.DATE):
        values = [bool(v) if t == C.BOOL else int(v) for v in raw.values().tolist()]
    elif t in (C.INT64, C.TIMESTAMP, C.TIMESTAMPTZ, C.TIME):
        values = [str(v) for v in raw.values().tolist()]
    elif t in (C.FLOAT32, C.FLOAT64):
        values = [_float(v) for v in raw.values().astype(np.float64).tolist()]
    elif t in (C.DECIMAL, C.TEXT, C.JSON):
        values = C.split_text(raw)
    elif t == C.BYTES:
        values = [None if b is None else b.hex() for b in C.split_bytes(raw)]
    elif t == C.INTERVAL:
        p = raw.values()
        values = [{"micros": str(u), "days": d, "months": m}
                  for u, d, m in zip(p["micros"].tolist(), p["days"].tolist(), p["months"].tolist())]
    elif t == C.UUID:
        values = _convert.to_python(raw, "uuid")
    else:
        elements = neutral_values(raw.child)
        offsets = raw.offsets.tolist()
        values = []
        for row in range(raw.rows):
            flat = elements[offsets[row]:offsets[row + 1]]
            if raw.shapes is not None:
                shape = raw.shapes[raw.shape_offsets[row]:raw.shape_offsets[row + 1]].tolist()
            else:
                shape = [len(flat)] if flat else []
            values.append({"shape": shape, "elements": flat})
    if raw.null_count:
        for row in np.nonzero(raw.validity == 0)[0].tolist():
            values[row] = None
    return values


def normalize(type_name, element_type, value):
    """Brings a JSON expectation into neutral_values' form (FLOAT32 rounded to binary32)."""
    if value is None:
        return None
    if type_name == "FLOAT32" and not isinstance(value, str):
        return _float(float(np.float32(value)))
    if type_name == "ARRAY":
        return {"shape": value["shape"], "elements": [normalize(element_type, None, e) for e in value["elements"]]}
    return value


def same(a, b):
    """Equality that also tells -0.0 from 0.0."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b or (isinstance(a, (int, float)) and not isinstance(a, bool)
                                             and isinstance(b, (int, float)) and not isinstance(b, bool) and a == b)


def field_tree(mv, context="payload"):
    out = []
    for tag, kind, flags, start, length in _wire.iter_fields(mv, context):
        field = {"tag": tag, "kind": _wire.KIND_NAMES[kind]}
        if flags & 1:
            field["critical"] = True
        if kind == _wire.STRUCT:
            field["fields"] = field_tree(mv[start:start + length], context)
        else:
            value = _wire.decode_value(mv, kind, start, length, context, tag)
            if kind == _wire.INT:
                field["int"] = str(value)
            elif kind == _wire.FLOAT:
                field["float"] = _float(value)
            elif kind == _wire.BOOL:
                field["bool"] = value
            elif kind == _wire.TEXT:
                field["text"] = value
            else:
                field["hex"] = bytes(value).hex()
        out.append(field)
    return out


def read_frames(data):
    view = memoryview(data)
    position = [0]

    def read_into(mv):
        n = min(len(mv), len(view) - position[0])
        mv[:n] = view[position[0]:position[0] + n]
        position[0] += n
        return n
    reader = _wire.FrameReader(read_into)
    frames = []
    while True:
        frame = reader.read()
        if frame is None:
            return frames
        frames.append(frame)


class BytesSink:
    def __init__(self):
        self.data = bytearray()

    def __call__(self, views):
        n = 0
        for v in views:
            self.data += v
            n += len(v)
        return n


# ---------------------------------------------------------------------------------------------
# a fake engine: the engine's side of a session, over a real Unix socket

SECRET = bytes(range(32))


class FakeEngine:
    """Listens on a job socket, starts a real satellite process and speaks the engine's part."""

    def __init__(self, max_frame=_wire.DEFAULT_MAX_PAYLOAD, welcome=None):
        self.welcome = dict(welcome or {})
        self.dir = tempfile.TemporaryDirectory(prefix="extensa-test-")
        self.path = os.path.join(self.dir.name, "job.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.listener.settimeout(30)
        self.max_frame = max_frame
        self.process = None
        self.sock = None
        self.reader = None
        self.writer = None
        self.hello = None

    def start_cold(self, extra_env=None):
        env = {"EXTENSA_JOB_SOCKET": self.path, "EXTENSA_JOB_ID": "job-1", "EXTENSA_JOB_SECRET": SECRET.hex(),
               "PATH": "/usr/bin:/bin"}
        env.update(extra_env or {})
        self.process = subprocess.Popen([PYTHON, "-I", "-B", str(BOOTSTRAP), "satellite"], env=env,
                                        cwd=self.dir.name, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
        self.accept()

    def accept(self):
        self.sock, _ = self.listener.accept()
        self.sock.settimeout(60)
        self.reader = _wire.FrameReader(_wire.socket_reader(self.sock))
        self.writer = _wire.FrameWriter(_wire.socket_writer(self.sock))
        msg_type, _, payload = self.reader.read()
        assert msg_type == _wire.HELLO, msg_type
        self.hello = _wire.decode_message(msg_type, payload)
        assert bytes(self.hello["secret"]) == SECRET
        self.writer.send(_wire.WELCOME, {"max_frame": self.max_frame, **self.welcome})

    def init(self, script, columns=(), params=(), has_input=None, input_name="InputDataSet",
             output_name="OutputDataSet"):
        """columns: [(name, type_code, pg_type, element_type or None)]; params: dicts of PARAM."""
        specs = [{"name": n, "type": t, "pg_type": pg, "element_type": e} for n, t, pg, e in columns]
        self.writer.send(_wire.SESSION_INIT, {
            "script": script, "input_name": input_name, "output_name": output_name, "column": specs or None,
            "param": list(params) or None, "has_input": bool(columns) if has_input is None else has_input})

    def batch(self, raw_columns, rows):
        payload = _wire.Payload().int(1, rows)
        for raw in raw_columns:
            handle = payload.begin_struct(2)
            _wire.encode_into(payload, _wire.COLUMN, raw.fields())
            payload.end_struct(handle)
        self.writer.write(_wire.INPUT_BATCH, payload)

    def end_of_input(self, last=True, unit=0):
        self.writer.send(_wire.END_OF_INPUT, {"last": last, "unit": unit})

    def receive(self):
        frame = self.reader.read()
        if frame is None:
            return None, None
        msg_type, _, payload = frame
        return msg_type, _wire.decode_message(msg_type, payload)

    def collect(self, stop=(_wire.END, _wire.ERROR)):
        """Messages until END or ERROR (or end of stream): [(type, message)]."""
        out = []
        while True:
            msg_type, message = self.receive()
            if msg_type is None:
                return out
            out.append((msg_type, message))
            if msg_type in stop:
                return out

    def wait(self, timeout=30):
        return self.process.wait(timeout)

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.listener.close()
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        if self.process is not None:
            self.process.stdout.close()
            self.process.stderr.close()
        self.dir.cleanup()


def param(name, value, declared_pg=None):
    """A SESSION_INIT param dict from a Python value, typed by the output inference."""
    raw, pg = _infer.from_value(value, name) if value is not None else (
        C.RawColumn(C.TEXT, 1, 1, np.zeros(1, np.uint8), np.zeros(2, np.int32)), "text")
    return {"name": name, "type": raw.type, "pg_type": declared_pg or pg, "is_output": False, "value": raw.fields()}


def output_param(name, type_code, pg_type):
    validity = np.zeros(1, np.uint8)
    if type_code in C.WIDTH:
        raw = C.RawColumn(type_code, 1, 1, validity, data=np.zeros(C.WIDTH[type_code], np.uint8))
    else:
        raw = C.RawColumn(type_code, 1, 1, validity, np.zeros(2, np.int32))
    return {"name": name, "type": type_code, "pg_type": pg_type, "is_output": True, "value": raw.fields()}


def wait_until(predicate, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False
