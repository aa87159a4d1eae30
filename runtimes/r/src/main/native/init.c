/* Registers the helper's entry points for .Call (no symbol lookup by name at run time). */
#include "extensa_native.h"

#include <R_ext/Rdynload.h>

#define ENTRY(name, args) {#name, (DL_FUNC) &name, args}

static const R_CallMethodDef entries[] = {
    ENTRY(ext_connect, 1),
    ENTRY(ext_open_file, 2),
    ENTRY(ext_close, 1),
    ENTRY(ext_set_recv_timeout, 2),
    ENTRY(ext_read_exact, 3),
    ENTRY(ext_writer_new, 1),
    ENTRY(ext_writer_set_max, 2),
    ENTRY(ext_write, 3),
    ENTRY(ext_watch_start, 3),
    ENTRY(ext_watch_begin, 1),
    ENTRY(ext_script_done, 0),
    ENTRY(ext_watch_end, 0),
    ENTRY(ext_watch_reason, 0),
    ENTRY(ext_capture_start, 1),
    ENTRY(ext_capture_sync, 0),
    ENTRY(ext_input_closed, 0),
    ENTRY(ext_forkserver_channel, 0),
    ENTRY(ext_forkserver_wait, 2),
    ENTRY(ext_reap, 0),
    ENTRY(ext_spare_fork, 0),
    ENTRY(ext_read_all, 1),
    ENTRY(ext_write_all_close, 2),
    ENTRY(ext_pipe, 0),
    ENTRY(ext_close_fd, 1),
    ENTRY(ext_become_job, 5),
    ENTRY(ext_exit, 1),
    ENTRY(ext_write_line, 2),
    ENTRY(ext_trim_heap, 0),
    ENTRY(ext_parse_decimals, 3),
    ENTRY(ext_field_headers, 3),
    ENTRY(ext_decode_struct, 7),
    ENTRY(ext_read_at, 7),
    ENTRY(ext_check_offsets, 6),
    ENTRY(ext_encode_struct, 3),
    ENTRY(ext_int64_bytes, 1),
    ENTRY(ext_column_new, 1),
    ENTRY(ext_column_append, 6),
    ENTRY(ext_column_finish, 1),
    ENTRY(ext_sandbox_load, 1),
    ENTRY(ext_spare_sandbox, 1),
    ENTRY(ext_sandbox_enter, 1),
    {NULL, NULL, 0},
};

void R_init_extensa_native(DllInfo *info) {
    R_registerRoutines(info, NULL, entries, NULL, NULL);
    R_useDynamicSymbols(info, FALSE);
    R_forceSymbols(info, TRUE);
    ext_column_probe();
}
