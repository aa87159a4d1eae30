# Frames and tagged fields of the Extensa satellite protocol (docs/protocol.md).
#
# One place reads frames (read_frame), one place writes them (write_message, through the native
# writer that owns the sequence counter); payloads are decoded and encoded through the message
# schemas below, so field tags live in one table. The native helper walks the fields of a payload
# by these schemas (ext_decode_struct) and reads values at an offset of it (ext_read_at), so a
# column's buffer becomes an R vector with one copy.

MAGIC <- 0x53545845  # "EXTS" read as a little-endian u32
VERSION <- 1L
DEFAULT_MAX_PAYLOAD <- 1074790400  # 1 GiB + 1 MiB
TWO_32 <- 4294967296
TWO_53 <- 9007199254740992

MESSAGE_TYPES <- c(
  HELLO = 0x01, WELCOME = 0x02, SESSION_INIT = 0x10, INPUT_BATCH = 0x11, END_OF_INPUT = 0x12,
  OUTPUT_SCHEMA = 0x20, OUTPUT_BATCH = 0x21, OUTPUT_END = 0x22, STDOUT = 0x23, STDERR = 0x24,
  OUTPUT_PARAMS = 0x25, QUERY = 0x26, QUERY_RESULT = 0x27, QUERY_BATCH = 0x28, QUERY_END = 0x29,
  QUERY_ERROR = 0x2A, ERROR = 0x30, CANCEL = 0x31,
  HEARTBEAT = 0x32, END = 0x3F, LAUNCH = 0x40, LAUNCHED = 0x41, EXITED = 0x42, CANCEL_JOB = 0x43,
  STATUS_REQUEST = 0x44, STATUS = 0x45, FORK = 0x60, FORKED = 0x61, CHILD_EXITED = 0x62
)
MSG <- as.list(MESSAGE_TYPES)

KINDS <- c(INT = 1L, FLOAT = 2L, BOOL = 3L, TEXT = 4L, BYTES = 5L, STRUCT = 6L)

ERROR_SCRIPT <- "script"
ERROR_SYNTAX <- "syntax"
ERROR_EXIT <- "exit"
ERROR_CANCELLED <- "cancelled"
ERROR_TYPE <- "type"
ERROR_PROTOCOL <- "protocol"
ERROR_INTERNAL <- "internal"

message_name <- function(code) {
  name <- names(MESSAGE_TYPES)[match(code, MESSAGE_TYPES)]
  if (is.na(name)) sprintf("0x%02x", as.integer(code)) else name
}

kind_name <- function(kind) names(KINDS)[match(kind, KINDS)]

# ---------------------------------------------------------------------------------------------
# conditions

protocol_error <- function(...) {
  stop(structure(class = c("extensa_protocol_error", "error", "condition"),
                 list(message = paste0(...), call = NULL)))
}

# The peer is gone (end of stream between frames, a failed read or write).
connection_lost <- function(message) {
  stop(structure(class = c("extensa_connection_lost", "error", "condition"),
                 list(message = message, call = NULL)))
}

# ---------------------------------------------------------------------------------------------
# 64-bit integers: R has none, so they travel as (lo, hi) pairs of 32-bit halves

# The (lo, hi) halves of little-endian int64 words read as integers (lo, hi, lo, hi, ...), as
# doubles. readBin turns the bit pattern 0x80000000 into NA_integer_, so NA means -2^31 here.
int64_halves <- function(words) {
  w <- as.double(words)
  w[is.na(w)] <- -2147483648
  halves <- matrix(w, nrow = 2L)
  list(lo = halves[1L, ], hi = halves[2L, ])
}

# Doubles from int64 words; exact within +/-2^53.
int64_values <- function(words) {
  h <- int64_halves(words)
  h$hi * TWO_32 + (h$lo + (h$lo < 0) * TWO_32)
}

# Whether each int64 (as words) lies within +/-2^53, where doubles hold every integer.
int64_exact <- function(words) {
  h <- int64_halves(words)
  h$hi >= -2097152 & (h$hi < 2097152 | (h$hi == 2097152 & h$lo == 0))
}

# The exact decimal text of int64 words, for values beyond 2^53 (messages and tests).
int64_text <- function(words) {
  h <- int64_halves(words)
  lo <- h$lo + (h$lo < 0) * TWO_32
  hi <- h$hi
  negative <- hi < 0
  # magnitude of a negative two's complement value: (2^64 - v) as hi/lo
  lo_m <- ifelse(negative, (TWO_32 - lo) %% TWO_32, lo)
  hi_m <- ifelse(negative, -hi - (lo != 0), hi)
  # hi_m * 2^32 + lo_m in base 10^4 limbs, carried exactly in doubles
  base <- 10000
  h <- cbind(hi_m %% base, (hi_m %/% base) %% base, hi_m %/% base^2)
  t <- c(7296, 9496, 42)  # 2^32 = 42|9496|7296
  limbs <- matrix(0, length(hi_m), 7)
  for (i in 1:3) for (j in 1:3) limbs[, i + j - 1] <- limbs[, i + j - 1] + h[, i] * t[j]
  limbs[, 1] <- limbs[, 1] + lo_m %% base
  limbs[, 2] <- limbs[, 2] + (lo_m %/% base) %% base
  limbs[, 3] <- limbs[, 3] + lo_m %/% base^2
  for (k in 1:6) {
    limbs[, k + 1] <- limbs[, k + 1] + limbs[, k] %/% base
    limbs[, k] <- limbs[, k] %% base
  }
  text <- character(length(hi_m))
  for (r in seq_along(text)) {
    digits <- sprintf("%.0f", limbs[r, 7])
    for (k in 6:1) digits <- paste0(digits, sprintf("%04.0f", limbs[r, k]))
    digits <- sub("^0+(?=.)", "", digits, perl = TRUE)
    text[r] <- if (negative[r]) paste0("-", digits) else digits
  }
  text
}

# Little-endian int64 bytes of integral doubles (|v| < 2^63; Inf and -Inf give INT64_MAX and
# INT64_MIN), written by the native helper.
int64_bytes <- function(v) .Call(native$ext_int64_bytes, v)

# ---------------------------------------------------------------------------------------------
# payload buffers: a received payload that slices of it refer to

new_buffer <- function(payload) {
  buffer <- new.env(parent = emptyenv())
  buffer$raw <- payload
  buffer
}

with_buffer <- function(payload, fn) fn(new_buffer(payload))

# BYTES values stay slices of the buffer until a column decoder reads them with the right type.
slice <- function(buffer, offset, length) {
  structure(list(buffer = buffer, offset = offset, length = length), class = "extensa_slice")
}

READ_KINDS <- c(raw = 0L, integer = 1L, double = 2L)

# n values at an offset of the buffer, as readBin reads them (what: "raw", "integer", "double").
read_at <- function(buffer, offset, what, n, size = NA_integer_, endian = "little", signed = TRUE) {
  .Call(native$ext_read_at, buffer$raw, offset, READ_KINDS[[what]], n, as.integer(size), endian == "big", signed)
}

# The bytes of a BYTES value (a slice or a raw vector).
slice_raw <- function(value) {
  if (is.raw(value)) return(value)
  if (value$length == 0) return(raw(0))
  read_at(value$buffer, value$offset, "raw", value$length)
}

# Values of one type packed in a BYTES value: n values of `size` bytes each.
slice_values <- function(value, what, size, n = value$length %/% size, endian = "little", signed = TRUE) {
  if (n == 0) return(vector(if (what == "double") "double" else what, 0))
  if (is.raw(value)) return(readBin(value, what, n, size = size, endian = endian, signed = signed))
  read_at(value$buffer, value$offset, what, n, size, endian, signed)
}

slice_length <- function(value) if (is.raw(value)) length(value) else value$length

# ---------------------------------------------------------------------------------------------
# UTF-8 text

# Text from UTF-8 bytes; NULL when they are not valid UTF-8 or hold U+0000 (R strings cannot).
utf8_text <- function(bytes) {
  if (!length(bytes)) return("")
  if (any(bytes == as.raw(0L))) return(NULL)
  text <- rawToChar(bytes)
  if (!validUTF8(text)) return(NULL)
  Encoding(text) <- "UTF-8"
  text
}

# ---------------------------------------------------------------------------------------------
# schemas

field <- function(tag, name, kind, repeated = FALSE, schema = NULL, required = FALSE) {
  list(tag = tag, name = name, kind = KINDS[[kind]], repeated = repeated, schema = schema, required = required)
}

# A schema, with the form of it the native decoder reads (ext_decode_struct: tags, kinds, names,
# repeated, required, and the schema of each STRUCT field by name).
schema <- function(name, fields) {
  compiled <- list(
    as.integer(vapply(fields, function(f) f$tag, 0)), as.integer(vapply(fields, function(f) f$kind, 0)),
    vapply(fields, function(f) f$name, ""), vapply(fields, function(f) f$repeated, TRUE),
    vapply(fields, function(f) f$required, TRUE), vapply(fields, function(f) if (is.null(f$schema)) "" else f$schema, ""))
  list(name = name, fields = fields, tags = vapply(fields, function(f) f$tag, 0), compiled = compiled)
}

SCHEMAS <- new.env(parent = emptyenv())
# the compiled schemas by name, for the STRUCT fields the native decoder meets
COMPILED_SCHEMAS <- new.env(parent = emptyenv())

local({
  s <- SCHEMAS
  # a batch column; "child" is a column again (resolved by name)
  s$column <- schema("column", list(
    field(1, "type", "INT", required = TRUE), field(2, "null_count", "INT"), field(3, "validity", "BYTES"),
    field(4, "offsets", "BYTES"), field(5, "data", "BYTES"), field(6, "child", "STRUCT", schema = "column"),
    field(7, "shape_offsets", "BYTES"), field(8, "shapes", "BYTES")))
  s$column_spec <- schema("column spec", list(
    field(1, "name", "TEXT", required = TRUE), field(2, "type", "INT", required = TRUE),
    field(3, "pg_type", "TEXT"), field(4, "element_type", "INT")))
  s$param <- schema("param", list(
    field(1, "name", "TEXT", required = TRUE), field(2, "type", "INT", required = TRUE),
    field(3, "pg_type", "TEXT"), field(4, "is_output", "BOOL"),
    field(5, "value", "STRUCT", schema = "column", required = TRUE)))
  s$output_param <- schema("output param", list(
    field(1, "name", "TEXT", required = TRUE), field(2, "type", "INT", required = TRUE),
    field(3, "pg_type", "TEXT"), field(5, "value", "STRUCT", schema = "column", required = TRUE)))
  s$options <- schema("options", list(
    field(1, "rows_per_read", "INT"), field(2, "task_index", "INT"), field(3, "task_count", "INT")))
  s$env <- schema("env", list(field(1, "name", "TEXT", required = TRUE), field(2, "value", "TEXT", required = TRUE)))
  s$batch <- schema("batch", list(
    field(1, "row_count", "INT", required = TRUE), field(2, "column", "STRUCT", TRUE, "column")))

  s$HELLO <- schema("HELLO", list(
    field(1, "job_id", "TEXT"), field(2, "secret", "BYTES"), field(3, "runtime", "TEXT", required = TRUE),
    field(4, "runtime_version", "TEXT", required = TRUE), field(5, "pid", "INT", required = TRUE),
    field(6, "max_frame", "INT"), field(7, "sandbox", "BOOL"), field(8, "unit_runs", "BOOL"),
    field(9, "key_groups", "BOOL")))
  # loopback (docs/protocol.md 7.1): the R runtime reads and writes these messages; it sends no QUERY yet
  s$WELCOME <- schema("WELCOME", list(field(1, "max_frame", "INT", required = TRUE), field(2, "loopback", "BOOL"),
                                      field(3, "loopback_dsn", "TEXT")))
  s$query_parameter <- schema("query parameter", list(field(1, "value", "TEXT")))
  s$QUERY <- schema("QUERY", list(
    field(1, "sql", "TEXT", required = TRUE), field(2, "parameter", "STRUCT", TRUE, "query_parameter")))
  s$QUERY_RESULT <- schema("QUERY_RESULT", list(
    field(1, "column", "STRUCT", TRUE, "column_spec"), field(2, "returns_rows", "BOOL", required = TRUE)))
  s$QUERY_BATCH <- s$batch
  s$QUERY_END <- schema("QUERY_END", list(
    field(1, "command", "TEXT", required = TRUE), field(2, "row_count", "INT", required = TRUE)))
  s$QUERY_ERROR <- schema("QUERY_ERROR", list(
    field(1, "sqlstate", "TEXT", required = TRUE), field(2, "message", "TEXT", required = TRUE),
    field(3, "detail", "TEXT"), field(4, "hint", "TEXT")))
  s$SESSION_INIT <- schema("SESSION_INIT", list(
    field(1, "script", "TEXT", required = TRUE), field(2, "input_name", "TEXT", required = TRUE),
    field(3, "output_name", "TEXT", required = TRUE), field(4, "column", "STRUCT", TRUE, "column_spec"),
    field(5, "param", "STRUCT", TRUE, "param"), field(6, "has_input", "BOOL", required = TRUE),
    field(7, "options", "STRUCT", schema = "options")))
  s$INPUT_BATCH <- s$batch
  s$END_OF_INPUT <- schema("END_OF_INPUT", list(
    field(1, "last", "BOOL", required = TRUE), field(2, "unit", "INT", required = TRUE),
    field(3, "unit_rows", "BYTES"), field(4, "group_by", "INT", TRUE)))
  s$OUTPUT_SCHEMA <- schema("OUTPUT_SCHEMA", list(
    field(1, "column", "STRUCT", TRUE, "column_spec"), field(2, "absent", "BOOL", required = TRUE)))
  s$OUTPUT_BATCH <- s$batch
  s$OUTPUT_END <- schema("OUTPUT_END", list(
    field(1, "unit", "INT", required = TRUE), field(2, "row_count", "INT", required = TRUE)))
  s$STDOUT <- schema("STDOUT", list(field(1, "text", "TEXT", required = TRUE)))
  s$STDERR <- schema("STDERR", list(field(1, "text", "TEXT", required = TRUE)))
  s$OUTPUT_PARAMS <- schema("OUTPUT_PARAMS", list(field(1, "param", "STRUCT", TRUE, "output_param")))
  s$ERROR <- schema("ERROR", list(
    field(1, "kind", "TEXT", required = TRUE), field(2, "exception", "TEXT"),
    field(3, "message", "TEXT", required = TRUE), field(4, "traceback", "TEXT", TRUE),
    field(5, "line", "INT"), field(6, "detail", "TEXT"), field(7, "unit_key", "STRUCT", schema = "batch")))
  s$CANCEL <- schema("CANCEL", list())
  s$HEARTBEAT <- schema("HEARTBEAT", list(field(1, "millis", "INT", required = TRUE)))
  s$END <- schema("END", list())
  s$FORK <- schema("FORK", list(
    field(1, "job_id", "TEXT", required = TRUE), field(2, "socket_path", "TEXT", required = TRUE),
    field(3, "secret", "BYTES", required = TRUE), field(4, "work_dir", "TEXT", required = TRUE),
    field(5, "env", "STRUCT", TRUE, "env"), field(6, "output_path", "TEXT"), field(7, "sandbox", "TEXT")))
  s$FORKED <- schema("FORKED", list(
    field(1, "job_id", "TEXT", required = TRUE), field(2, "pid", "INT", required = TRUE)))
  s$CHILD_EXITED <- schema("CHILD_EXITED", list(
    field(1, "job_id", "TEXT", required = TRUE), field(2, "pid", "INT", required = TRUE),
    field(3, "exit_code", "INT", required = TRUE), field(4, "signal", "INT", required = TRUE)))
  for (name in ls(s)) assign(name, s[[name]]$compiled, envir = COMPILED_SCHEMAS)
})

message_schema <- function(type) {
  name <- message_name(type)
  if (!exists(name, envir = SCHEMAS, inherits = FALSE)) return(NULL)
  get(name, envir = SCHEMAS, inherits = FALSE)
}

# ---------------------------------------------------------------------------------------------
# decoding

# The field headers of a payload or struct value between offsets start and end: a list of
# (tag, kind, flags, offset of the value, length). Every header is checked against the bytes that
# remain, so a hostile length never reads beyond the buffer.
field_headers <- function(buffer, start, end, context) {
  headers <- .Call(native$ext_field_headers, buffer$raw, start, end)
  if (is.character(headers)) protocol_error(context, ": ", headers)
  lapply(seq_len(ncol(headers)), function(i) {
    h <- headers[, i]
    list(tag = h[1], kind = h[2], flags = h[3], offset = h[4], length = h[5])
  })
}

# One value by its header, as decode_struct decodes it.
decode_value <- function(buffer, h, context) {
  kind <- h$kind
  if (kind == KINDS[["INT"]]) return(int64_values(read_at(buffer, h$offset, "integer", 2L, 4L)))
  if (kind == KINDS[["FLOAT"]]) return(read_at(buffer, h$offset, "double", 1L, 8L))
  if (kind == KINDS[["BOOL"]]) {
    b <- as.integer(read_at(buffer, h$offset, "raw", 1L))
    if (b > 1L) protocol_error(context, ": BOOL field ", h$tag, " holds ", b)
    return(b == 1L)
  }
  if (kind == KINDS[["TEXT"]]) {
    text <- utf8_text(slice_raw(slice(buffer, h$offset, h$length)))
    if (is.null(text)) protocol_error(context, ": TEXT field ", h$tag, " is not valid UTF-8 (or holds U+0000)")
    return(text)
  }
  slice(buffer, h$offset, h$length)
}

# Decodes a payload or struct value into a named list by the schema: absent fields are missing,
# repeated fields are lists, BYTES values are slices, STRUCT values nested lists (in C: the rules
# are those of docs/protocol.md section 4, the failures protocol errors naming the field).
decode_struct <- function(buffer, start, end, schema, context = schema$name) {
  out <- .Call(native$ext_decode_struct, buffer$raw, start, end, schema$compiled, COMPILED_SCHEMAS, context, buffer)
  if (is.character(out)) protocol_error(out)
  out
}

# Decodes a frame's payload (within an open buffer) and applies the message's own rules.
decode_message <- function(type, buffer) {
  schema <- message_schema(type)
  if (is.null(schema)) protocol_error("message type ", message_name(type), " is not expected here")
  name <- message_name(type)
  message <- decode_struct(buffer, 0, length(buffer$raw), schema, name)
  problem <- check_message(type, message)
  if (!is.null(problem)) protocol_error(name, ": ", problem)
  message
}

COLUMN_TYPE_CODES <- 1:17

check_specs <- function(columns) {
  for (spec in columns) {
    if (!(spec$type %in% COLUMN_TYPE_CODES)) return(sprintf("column '%s' has unknown type %s", spec$name, spec$type))
    element <- spec$element_type
    if ((spec$type == 17) != !is.null(element) || (!is.null(element) && !(element %in% 1:16))) {
      return(sprintf("column '%s' has type %s with element type %s", spec$name, spec$type,
                     if (is.null(element)) "none" else element))
    }
  }
  NULL
}

check_message <- function(type, m) {
  name <- message_name(type)
  switch(name,
    HELLO = {
      if (is.null(m$job_id) != is.null(m$secret)) return("must carry both job_id and secret or neither")
      if (!is.null(m$max_frame) && m$max_frame < 0) return("max_frame is negative")
      NULL
    },
    WELCOME = if (m$max_frame > 0) NULL else "max_frame must be positive",
    SESSION_INIT = {
      if (!m$has_input && length(m$column)) return("has input columns but has_input is false")
      o <- m$options
      if (!is.null(o)) {
        rows <- if (is.null(o$rows_per_read)) 0 else o$rows_per_read
        index <- if (is.null(o$task_index)) 0 else o$task_index
        count <- if (is.null(o$task_count)) 1 else o$task_count
        if (rows < 0 || count < 1 || index < 0 || index >= count) {
          return(sprintf("options rows_per_read=%s task_index=%s task_count=%s", rows, index, count))
        }
      }
      for (p in m$param) {
        if (!(p$type %in% COLUMN_TYPE_CODES)) return(sprintf("parameter '%s' has unknown type %s", p$name, p$type))
        if (p$value$type != p$type) {
          return(sprintf("parameter '%s' value has type %s but is declared %s", p$name, p$value$type, p$type))
        }
      }
      check_specs(m$column)
    },
    END_OF_INPUT = if (m$unit >= 0) NULL else "unit is negative",
    OUTPUT_SCHEMA = {
      if (m$absent && length(m$column)) return("is absent but lists columns")
      check_specs(m$column)
    },
    OUTPUT_END = if (m$unit >= 0 && m$row_count >= 0) NULL else "negative unit or row_count",
    OUTPUT_PARAMS = {
      for (p in m$param) {
        if (p$value$type != p$type) {
          return(sprintf("parameter '%s' value has type %s but is declared %s", p$name, p$value$type, p$type))
        }
      }
      NULL
    },
    FORKED = if (m$pid > 0) NULL else "pid must be positive",
    FORK = {
      seen <- character(0)
      for (v in m$env) {
        if (!nzchar(v$name) || grepl("=", v$name, fixed = TRUE) || v$name %in% seen) {
          return(sprintf("bad or repeated environment variable '%s'", v$name))
        }
        seen <- c(seen, v$name)
      }
      NULL
    },
    NULL)
}

# ---------------------------------------------------------------------------------------------
# encoding: a payload is a list of raw vectors, written with one gathering write

field_header <- function(tag, kind, length, critical = FALSE) {
  writeBin(c(as.integer(tag + kind * 65536 + if (critical) 16777216 else 0), as.integer(length)),
           raw(), size = 4L, endian = "little")
}

PADDING <- lapply(0:7, function(n) raw(n))
padding <- function(n) PADDING[[(8 - n %% 8) %% 8 + 1]]

enc_int <- function(tag, value) list(field_header(tag, 1, 8), int64_bytes(value))
enc_float <- function(tag, value) list(field_header(tag, 2, 8), writeBin(as.double(value), raw(), size = 8L, endian = "little"))
enc_bool <- function(tag, value) list(field_header(tag, 3, 1), as.raw(c(if (isTRUE(value)) 1L else 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L)))
enc_bytes <- function(tag, value, kind = 5) {
  n <- length(value)
  list(field_header(tag, kind, n), value, padding(n))
}
enc_text <- function(tag, value) enc_bytes(tag, charToRaw(enc2utf8(value)), 4)
enc_struct <- function(tag, parts) c(list(field_header(tag, 6, parts_length(parts))), parts)

parts_length <- function(parts) sum(lengths(parts))

# Encodes a named list shaped like decode_struct's result, in canonical order; NULL is absent
# (in C, by the schema's compiled form). Returns the parts of the payload: raw vectors, large
# raw values among them as they are.
encode_struct <- function(schema, values) .Call(native$ext_encode_struct, schema$compiled, values, COMPILED_SCHEMAS)

# A struct value that is already encoded (e.g. a column built from R values).
encoded <- function(parts) structure(parts, class = "extensa_parts")

encode_message <- function(type, values = list()) encode_struct(message_schema(type), values)

# ---------------------------------------------------------------------------------------------
# frames

# A frame source: `read(n, eof_ok)` returns n bytes, NULL at a clean end of stream (eof_ok), the
# integer -1 for an end inside, or a string naming a failure.
fd_source <- function(fd) function(n, eof_ok) .Call(native$ext_read_exact, fd, n, eof_ok)

raw_source <- function(bytes) {
  position <- 0
  function(n, eof_ok) {
    left <- length(bytes) - position
    if (left == 0 && eof_ok) return(NULL)
    if (left < n) {
      position <<- length(bytes)
      return(-1L)
    }
    out <- bytes[seq.int(position + 1, length.out = n)]
    position <<- position + n
    out
  }
}

new_reader <- function(source, max_payload = DEFAULT_MAX_PAYLOAD) {
  reader <- new.env(parent = emptyenv())
  reader$source <- source
  reader$max_payload <- max_payload
  reader$expected <- 0
  reader
}

checked_read <- function(reader, n, eof_ok) {
  got <- reader$source(n, eof_ok)
  if (is.null(got) || is.raw(got)) return(got)
  if (is.numeric(got)) protocol_error("the stream ended inside a frame")
  connection_lost(got)
}

# The next frame: list(type, sequence, payload) or NULL at a clean end of stream. The header is
# checked (magic, version, length, type, sequence) before memory is allocated for the payload.
read_frame <- function(reader) {
  header <- checked_read(reader, 16, TRUE)
  if (is.null(header)) return(NULL)
  words <- readBin(header, "integer", 4L, size = 4L, endian = "little")
  magic <- words[1]
  version <- as.integer(header[5])
  type <- as.integer(header[6])
  length <- if (is.na(words[3])) TWO_32 / 2 else words[3] + (words[3] < 0) * TWO_32
  sequence <- if (is.na(words[4])) TWO_32 / 2 else words[4] + (words[4] < 0) * TWO_32
  if (is.na(magic) || magic != MAGIC) {
    protocol_error(sprintf("bad frame magic 0x%s (expected 0x%08x)", paste(rev(as.character(header[1:4])), collapse = ""), MAGIC))
  }
  if (version != VERSION) protocol_error("unsupported protocol version ", version, " (this side speaks ", VERSION, ")")
  if (length > reader$max_payload) protocol_error("frame of ", format(length, scientific = FALSE), " bytes exceeds the maximum of ",
                                                  format(reader$max_payload, scientific = FALSE))
  if (length %% 8 != 0) protocol_error("frame length ", length, " is not a multiple of 8")
  if (!(type %in% MESSAGE_TYPES)) protocol_error(sprintf("unknown message type 0x%02x", type))
  if (sequence != reader$expected) {
    protocol_error("frame sequence ", format(sequence, scientific = FALSE), " where ",
                   format(reader$expected, scientific = FALSE), " was expected")
  }
  reader$expected <- (reader$expected + 1) %% TWO_32
  payload <- if (length > 0) checked_read(reader, length, FALSE) else raw(0)
  list(type = type, sequence = sequence, payload = payload)
}

new_writer <- function(fd) .Call(native$ext_writer_new, as.integer(fd))

# Writes one frame; a failed write means the peer is gone.
write_frame <- function(writer, type, parts = list()) {
  failure <- .Call(native$ext_write, writer, as.integer(type), parts)
  if (!is.null(failure)) connection_lost(failure)
  invisible(NULL)
}

send_message <- function(writer, type, values = list()) write_frame(writer, type, encode_message(type, values))
