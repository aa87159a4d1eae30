"""Statements a script sends back to the database, as the calling user.

`query` and `execute` travel over the satellite's own connection (QUERY frames, see
docs/protocol.md) and run on the caller's backend connection, in the caller's transaction.
`connection_string` is for standard clients (psycopg2): a per-job Unix socket the gateway
serves for as long as the job lives.
"""

import datetime
import decimal
import os
import threading
import uuid

import numpy as np

DSN_VARIABLE = "EXTENSA_LOOPBACK_DSN"

# the running session, set by the satellite while the script of the last unit runs
_session = None
_lock = threading.Lock()


class QueryError(Exception):
    """A loopback statement failed or was refused; `sqlstate` is PostgreSQL's (or Extensa's) code."""

    def __init__(self, sqlstate, message, detail=None, hint=None):
        super().__init__(f"{message} (SQLSTATE {sqlstate})")
        self.sqlstate = sqlstate
        self.message = message
        self.detail = detail
        self.hint = hint


def query(sql, params=None):
    """Runs one statement as the calling user and returns its rows as a pandas DataFrame."""
    frame, _count = _run(sql, params)
    return frame


def execute(sql, params=None):
    """Runs one statement as the calling user and returns the number of rows it affected (or returned)."""
    _frame, count = _run(sql, params)
    return count


def connection_string():
    """A libpq connection string for standard clients (psycopg2.connect(extensa.connection_string()))."""
    dsn = os.environ.get(DSN_VARIABLE)
    if not dsn:
        raise RuntimeError("no loopback connection string: the script does not run under Extensa, or this call "
                           "offers no loopback socket (parallel, partitioned and streaming calls do not)")
    return dsn


def _run(sql, params):
    if not isinstance(sql, str):
        raise TypeError("sql must be a str")
    values = [] if params is None else [_text(v) for v in _as_list(params)]
    with _lock:
        session = _session
        if session is None:
            raise RuntimeError("extensa.query and extensa.execute work only inside a script run by "
                               "sp_execute_external_script, once its input is complete")
        return session.loopback(sql, values)


def _as_list(params):
    if isinstance(params, (str, bytes, dict)):
        raise TypeError("params must be a list or tuple of values for $1, $2, ...")
    return list(params)


def _text(value):
    """PostgreSQL's text input form of a parameter value; None is SQL NULL."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return "NaN"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal, str, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return f"{value.total_seconds()} seconds"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot pass a {type(value).__name__} as a query parameter; convert it to str first")


def _attach(session):
    global _session
    with _lock:
        _session = session


def _detach():
    global _session
    with _lock:
        _session = None
