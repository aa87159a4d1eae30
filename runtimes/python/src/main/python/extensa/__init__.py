"""Extensa's Python runtime.

Scripts run by sp_execute_external_script may `import extensa` and call back into the database
as the calling user: `extensa.query(sql, params)` returns a DataFrame, `extensa.execute(sql,
params)` the affected row count, `extensa.connection_string()` a DSN for psycopg2. The
satellite's machinery lives in the underscore modules (_wire, _columns, _convert, _capture,
_satellite, _forkserver, _loopback).
"""

from ._loopback import QueryError, connection_string, execute, query

__version__ = "0.1.0"
__all__ = ["QueryError", "connection_string", "execute", "query"]
