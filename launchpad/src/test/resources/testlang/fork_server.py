"""A small fork server for the launchpad's tests, implementing the fork-server contract of
docs/launchpad.md: HELLO on stdout first, then FORK -> FORKED (or ERROR) in order, and
CHILD_EXITED for every child reaped. Children run fake_satellite.main() after setsid().

FORK_SERVER_MODE changes its behaviour for failure tests: "silent" never says HELLO,
"garbage" writes garbage instead of HELLO.
"""
import os
import platform
import select
import signal
import struct
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_satellite  # noqa: E402  (preloaded, as a real fork server preloads its libraries)

MAGIC = 0x53545845
HELLO, ERROR, FORK, FORKED, CHILD_EXITED = 0x01, 0x30, 0x60, 0x61, 0x62
KIND_INT, KIND_TEXT, KIND_BYTES, KIND_STRUCT = 1, 4, 5, 6

_sequence = [0]


def field(tag, kind, value):
    padding = (8 - len(value) % 8) % 8
    return struct.pack('<HBBI', tag, kind, 0, len(value)) + value + b'\0' * padding


def text(tag, value):
    return field(tag, KIND_TEXT, value.encode())


def integer(tag, value):
    return field(tag, KIND_INT, struct.pack('<q', value))


def send(message_type, payload):
    data = struct.pack('<IBBHII', MAGIC, 1, message_type, 0, len(payload), _sequence[0]) + payload
    _sequence[0] += 1
    while data:
        data = data[os.write(1, data):]


def read_exactly(n):
    data = b''
    while len(data) < n:
        chunk = os.read(0, n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame():
    header = read_exactly(16)
    if header is None:
        return None
    magic, version, message_type, _flags, length, _seq = struct.unpack('<IBBHII', header)
    if magic != MAGIC or version != 1:
        raise SystemExit('fork_server: bad frame header')
    payload = read_exactly(length) if length else b''
    return message_type, payload


def fields(payload):
    offset = 0
    while offset < len(payload):
        tag, kind, _flags, length = struct.unpack_from('<HBBI', payload, offset)
        value = payload[offset + 8:offset + 8 + length]
        offset += 8 + length + (8 - length % 8) % 8
        yield tag, kind, value


def decode_fork(payload):
    request = {'env': {}, 'output_path': ''}
    names = {1: 'job_id', 2: 'socket_path', 4: 'work_dir', 6: 'output_path'}
    for tag, _kind, value in fields(payload):
        if tag in names:
            request[names[tag]] = value.decode()
        elif tag == 3:
            request['secret'] = value
        elif tag == 5:
            entry = {t: v.decode() for t, _k, v in fields(value)}
            request['env'][entry[1]] = entry[2]
    return request


def become_satellite(request):
    code = 1
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        devnull = os.open('/dev/null', os.O_RDONLY)
        os.dup2(devnull, 0)
        if request['output_path']:
            output = os.open(request['output_path'], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.dup2(output, 1)
            os.dup2(output, 2)
        else:
            os.dup2(2, 1)
        os.closerange(3, 4096)
        os.chdir(request['work_dir'])
        os.environ.clear()
        os.environ.update(request['env'])
        code = fake_satellite.main() or 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
        if not isinstance(e.code, int) and e.code is not None:
            print(e.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def reap(children):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        job_id = children.pop(pid, '')
        if os.WIFSIGNALED(status):
            code, sig = -1, os.WTERMSIG(status)
        else:
            code, sig = os.WEXITSTATUS(status), 0
        send(CHILD_EXITED, text(1, job_id) + integer(2, pid) + integer(3, code) + integer(4, sig))


def main():
    mode = os.environ.get('FORK_SERVER_MODE', '')
    if mode == 'silent':
        select.select([0], [], [])
        return
    if mode == 'garbage':
        os.write(1, b'this is not a frame at all')
        select.select([0], [], [])
        return
    send(HELLO, text(3, 'testlang') + text(4, platform.python_version()) + integer(5, os.getpid()))
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    children = {}
    while True:
        readable, _, _ = select.select([0, wake_read], [], [])
        if wake_read in readable:
            try:
                while os.read(wake_read, 512):
                    pass
            except BlockingIOError:
                pass
            reap(children)
        if 0 in readable:
            message = read_frame()
            if message is None:
                return
            message_type, payload = message
            if message_type != FORK:
                raise SystemExit('fork_server: unexpected message type %d' % message_type)
            request = decode_fork(payload)
            if request['env'].get('FAKE_FORK_ERROR'):
                send(ERROR, text(1, 'fork_failed') + text(3, 'refused by the test fork server'))
                continue
            pid = os.fork()
            if pid == 0:
                become_satellite(request)
            children[pid] = request['job_id']
            send(FORKED, text(1, request['job_id']) + integer(2, pid))


if __name__ == '__main__':
    main()
