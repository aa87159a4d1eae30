"""A stand-in satellite for the launchpad's tests.

Connects to the engine's job socket, sends a HELLO frame (encoded here with struct, as the wire
format prescribes) that also reports what the process sees, then runs the comma-separated
actions in FAKE_MODE (default "hello,sleep").
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import time

MAGIC = 0x53545845
HELLO = 0x01
KIND_INT, KIND_TEXT, KIND_BYTES = 1, 4, 5

_connections = []


def field(tag, kind, value):
    padding = (8 - len(value) % 8) % 8
    return struct.pack('<HBBI', tag, kind, 0, len(value)) + value + b'\0' * padding


def frame(message_type, payload, sequence=0):
    return struct.pack('<IBBHII', MAGIC, 1, message_type, 0, len(payload), sequence) + payload


def report():
    """What the test checks: pairs separated by NUL, env entries prefixed with 'env.'."""
    pairs = [('pid', str(os.getpid())), ('ppid', str(os.getppid())), ('sid', str(os.getsid(0))),
             ('cwd', os.getcwd())]
    pairs += [('env.' + name, value) for name, value in os.environ.items()]
    return b'\0'.join(k.encode() + b'\0' + v.encode() for k, v in pairs)


def hello():
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(os.environ['EXTENSA_JOB_SOCKET'])
    payload = (field(2, KIND_BYTES, bytes.fromhex(os.environ['EXTENSA_JOB_SECRET']))
               + field(3, KIND_TEXT, b'testlang')
               + field(5, KIND_INT, struct.pack('<q', os.getpid()))
               + field(100, KIND_TEXT, report()))
    sock.sendall(frame(HELLO, payload))
    _connections.append(sock)


def spawn_tree():
    """Children, grandchildren and a double-forked orphan, all in this session."""
    subprocess.Popen(['sleep', '1000'])
    subprocess.Popen(['sh', '-c', 'sleep 1000 & sleep 1001 & wait'])
    subprocess.Popen(['sh', '-c', '(sleep 1002 &) ; exit 0']).wait()
    if os.fork() == 0:
        if os.fork() == 0:
            time.sleep(1000)
        os._exit(0)
    time.sleep(0.3)


def plant_symlinks(outside):
    os.symlink('/', 'root')
    os.symlink(outside, 'outside')
    os.symlink('/etc/passwd', 'passwd')
    os.makedirs('deep/er')
    os.symlink(outside, 'deep/er/outside')
    with open('deep/er/file', 'w') as f:
        f.write('x')
    os.makedirs('locked/inner')
    with open('locked/inner/secret', 'w') as f:
        f.write('x')
    os.chmod('locked/inner', 0)
    os.chmod('locked', 0o500)


def run(action):
    name, _, argument = action.partition(':')
    if name == 'hello':
        hello()
    elif name == 'sleep':
        time.sleep(float(argument) if argument else 3600)
    elif name == 'exit':
        sys.stdout.flush()
        sys.stderr.flush()
        sys.exit(int(argument))
    elif name == 'signal':
        os.kill(os.getpid(), int(argument))
        time.sleep(10)
    elif name == 'say':
        print(argument, file=sys.stderr, flush=True)
    elif name == 'flood':
        line = 'x' * 99 + '\n'
        for _ in range(int(argument) // 100):
            sys.stderr.write(line)
        sys.stderr.write('END OF FLOOD\n')
        sys.stderr.flush()
    elif name == 'import':
        __import__(argument)
    elif name == 'tree':
        spawn_tree()
    elif name == 'forkloop':
        # children that double-fork sleeping grandchildren without pause: whenever the job is
        # killed, a fork is likely under way
        while True:
            child = os.fork()
            if child == 0:
                if os.fork() == 0:
                    time.sleep(1000)
                os._exit(0)
            os.waitpid(child, 0)
    elif name == 'orphan':
        subprocess.Popen(['sleep', '1000'])
    elif name == 'alloc':
        # touch every page, so the memory is really used, not just reserved
        chunks = []
        for _ in range(int(argument)):
            chunks.append(bytearray(1 << 20))
        _connections.append(chunks)
    elif name == 'spin':
        end = time.time() + float(argument)
        while time.time() < end:
            pass
    elif name == 'files':
        # a job directory that takes a while to remove
        os.makedirs('many', exist_ok=True)
        for n in range(int(argument)):
            with open('many/%d' % n, 'w') as f:
                f.write('x')
    elif name == 'symlinks':
        plant_symlinks(argument)
    else:
        raise SystemExit('fake_satellite: unknown action ' + action)


def main():
    for action in os.environ.get('FAKE_MODE', 'hello,sleep').split(','):
        if action:
            run(action)
    return 0


if __name__ == '__main__':
    sys.exit(main())
