"""The client-side peer of the means benchmark: pull a table's rows into pandas with psycopg2 and
take per-column means. Connects with libpq's PG* environment variables (the harness points them
at PostgreSQL's Unix socket). Times only the pull and the means, not imports or connecting, and
prints key=value lines for the harness.

usage: python3 psycopg2_means.py TABLE read_sql|copy_csv
"""
import sys
import time

started = time.perf_counter()
import io  # noqa: E402
import warnings  # noqa: E402

import pandas as pd  # noqa: E402
import psycopg2  # noqa: E402

imported = time.perf_counter()


def pull(connection, query, method):
    if method == "read_sql":
        with warnings.catch_warnings():
            # pandas prefers SQLAlchemy; a DBAPI connection works and is what psycopg2 users pass
            warnings.simplefilter("ignore")
            return pd.read_sql(query, connection)
    if method == "copy_csv":
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER)", buffer)
        buffer.seek(0)
        return pd.read_csv(buffer)
    raise SystemExit(f"unknown method {method!r}")


def main():
    table, method = sys.argv[1], sys.argv[2]
    connect_started = time.perf_counter()
    connection = psycopg2.connect("")
    connected = time.perf_counter()
    try:
        frame = pull(connection, f"SELECT a, b, c FROM {table}", method)
        means = frame.astype("float64").mean()
        finished = time.perf_counter()
    finally:
        connection.close()
    print(f"import_ms={(imported - started) * 1000:.3f}")
    print(f"connect_ms={(connected - connect_started) * 1000:.3f}")
    print(f"run_ms={(finished - connected) * 1000:.3f}")
    print("means=" + ",".join(repr(float(v)) for v in means))
    print(f"rows={len(frame)}")


if __name__ == "__main__":
    main()
