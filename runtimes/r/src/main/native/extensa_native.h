/*
 * The R satellite's native helper: what R itself cannot do. R has no Unix-domain sockets and no
 * threads, so this library connects to the engine's job socket, moves bytes, writes frame headers
 * (one sequence counter shared by R and the helper threads), streams the script's stdout/stderr
 * from a thread, watches the socket for CANCEL while the script runs, and does the fork server's
 * process work. Tagged fields are decoded (fields.c) and encoded (encode.c) here by schemas the R
 * code defines; input
 * columns of the common types are built in place (column.c), DECIMAL text read into doubles
 * (decimal.c); everything else (messages' rules, columns' checks and conversions, encoding) is R.
 */
#ifndef EXTENSA_NATIVE_H
#define EXTENSA_NATIVE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define R_NO_REMAP
#include <Rinternals.h>

#define EXT_MAGIC 0x53545845u
#define EXT_VERSION 1
#define EXT_HEADER_SIZE 16

/* message types the helper itself writes or looks for */
#define EXT_STDOUT 0x23
#define EXT_STDERR 0x24
#define EXT_ERROR 0x30
#define EXT_CANCEL 0x31
#define EXT_HEARTBEAT 0x32
#define EXT_END 0x3F

/* field kinds of the tagged-field encoding (docs/protocol.md section 4) */
#define KIND_INT 1
#define KIND_FLOAT 2
#define KIND_BOOL 3
#define KIND_TEXT 4
#define KIND_BYTES 5
#define KIND_STRUCT 6

/* the parts of a schema compiled by wire.R's compile_schema, in its order (fields.c, encode.c) */
enum { SCHEMA_TAGS, SCHEMA_KINDS, SCHEMA_NAMES, SCHEMA_REPEATED, SCHEMA_REQUIRED, SCHEMA_SUBS };

/* exit codes shared with the R code (docs/protocol.md section 9) */
#define EXT_EXIT_CANCELLED 3
#define EXT_EXIT_CONNECTION_LOST 4

/* One direction of a connection: the frame sequence and the lock that keeps frames whole. */
typedef struct {
    int fd;
    int is_socket;
    uint32_t sequence;
    uint32_t max_payload;
    pthread_mutex_t lock;
} ExtWriter;

/* transport.c */
int ext_write_frame(ExtWriter *writer, int type, const struct iovec *parts, int count, size_t length);
int ext_write_frame_timed(ExtWriter *writer, int type, const struct iovec *parts, int count, size_t length,
                          int timeout_ms);
ExtWriter *ext_writer_of(SEXP pointer);
SEXP ext_connect(SEXP path);
SEXP ext_open_file(SEXP path, SEXP write);
SEXP ext_close(SEXP fd);
SEXP ext_set_recv_timeout(SEXP fd, SEXP seconds);
SEXP ext_read_exact(SEXP fd, SEXP count, SEXP eof_ok);
SEXP ext_writer_new(SEXP fd);
SEXP ext_writer_set_max(SEXP writer, SEXP max_payload);
SEXP ext_write(SEXP writer, SEXP type, SEXP parts);

/* watch.c */
SEXP ext_watch_start(SEXP fd, SEXP writer, SEXP cancel_error);
SEXP ext_watch_begin(SEXP in_script);
SEXP ext_script_done(void);
SEXP ext_watch_end(void);
SEXP ext_watch_reason(void);

/* capture.c */
SEXP ext_capture_start(SEXP writer);
SEXP ext_capture_sync(void);
size_t ext_utf8_sanitize(const unsigned char *in, size_t n, unsigned char *out);

/* decimal.c */
SEXP ext_parse_decimals(SEXP bytes, SEXP offsets, SEXP validity);
R_xlen_t ext_decimals_into(const unsigned char *data, const int *at, R_xlen_t rows, const Rbyte *valid, double *out,
                           int *check, R_xlen_t *checks);

/* fields.c */
int ext_utf8_valid(const unsigned char *s, size_t n);
SEXP ext_field_headers(SEXP payload, SEXP start, SEXP end);
SEXP ext_decode_struct(SEXP payload, SEXP start, SEXP end, SEXP schema, SEXP schemas, SEXP context, SEXP buffer);
SEXP ext_read_at(SEXP payload, SEXP offset, SEXP what, SEXP n, SEXP size, SEXP big_endian, SEXP is_signed);
SEXP ext_check_offsets(SEXP payload, SEXP at, SEXP bytes, SEXP rows, SEXP end, SEXP validity);

/* encode.c */
uint64_t ext_int64_word(double v);
SEXP ext_encode_struct(SEXP schema, SEXP values, SEXP schemas);
SEXP ext_int64_bytes(SEXP values);

/* column.c */
void ext_column_probe(void);
SEXP ext_column_new(SEXP wire_type);
SEXP ext_column_append(SEXP column, SEXP payload, SEXP offset, SEXP rows, SEXP validity, SEXP offsets);
SEXP ext_column_finish(SEXP column);
SEXP ext_alloc_huge(SEXPTYPE type, R_xlen_t length, size_t bytes);

/* process.c */
SEXP ext_input_closed(void);
SEXP ext_forkserver_channel(void);
SEXP ext_forkserver_wait(SEXP fd, SEXP timeout_ms);
SEXP ext_reap(void);
SEXP ext_spare_fork(void);
SEXP ext_read_all(SEXP fd);
SEXP ext_write_all_close(SEXP fd, SEXP data);
SEXP ext_pipe(void);
SEXP ext_close_fd(SEXP fd);
SEXP ext_become_job(SEXP work_dir, SEXP names, SEXP values, SEXP output_path, SEXP sandbox_spec);
SEXP ext_exit(SEXP code);
SEXP ext_write_line(SEXP fd, SEXP text);
SEXP ext_trim_heap(void);

/* sandbox.c */
SEXP ext_sandbox_load(SEXP path);
SEXP ext_spare_sandbox(SEXP spec);
SEXP ext_sandbox_enter(SEXP spec);

#endif
