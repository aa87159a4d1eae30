"""Command line of the runtime: `satellite` (one job, cold start) or `forkserver` (warm starts).

Cold start contract (set by the launchpad): EXTENSA_JOB_SOCKET (the engine's Unix socket),
EXTENSA_JOB_ID, EXTENSA_JOB_SECRET (64 hex digits). The variables are removed from the
environment before the script runs, so neither it nor its subprocesses see the secret.
"""

import os
import sys

USAGE = "usage: extensa_bootstrap.py satellite|forkserver"
EXIT_USAGE = 64


def _satellite():
    try:
        socket_path = os.environ.pop("EXTENSA_JOB_SOCKET")
        job_id = os.environ.pop("EXTENSA_JOB_ID")
        secret_hex = os.environ.pop("EXTENSA_JOB_SECRET")
    except KeyError as e:
        sys.stderr.write(f"extensa satellite: environment variable {e.args[0]} is not set\n")
        return EXIT_USAGE
    try:
        secret = bytes.fromhex(secret_hex)
    except ValueError:
        sys.stderr.write("extensa satellite: EXTENSA_JOB_SECRET is not hexadecimal\n")
        return EXIT_USAGE
    from . import _satellite
    return _satellite.run_session(socket_path, job_id, secret)


def main(argv):
    if len(argv) != 1 or argv[0] not in ("satellite", "forkserver"):
        sys.stderr.write(USAGE + "\n")
        return EXIT_USAGE
    if argv[0] == "forkserver":
        from . import _forkserver
        return _forkserver.main()
    code = _satellite()
    try:
        sys.stderr.flush()
    except Exception:
        pass
    # exit without waiting for threads the script may have left running
    os._exit(code)
