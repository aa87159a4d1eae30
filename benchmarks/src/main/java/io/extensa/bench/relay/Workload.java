package io.extensa.bench.relay;

import java.util.List;

/** pgbench's two built-in scripts the relay suite measures. */
enum Workload {
    SELECT_ONLY("select-only", "pgbench -S (select-only)", List.of("-S")),
    TPC_B("tpc-b", "pgbench default (TPC-B-like)", List.of());

    final String key;
    final String title;
    final List<String> flags;

    Workload(String key, String title, List<String> flags) {
        this.key = key;
        this.title = title;
        this.flags = flags;
    }
}
