# The columnar batch layer (docs/protocol.md section 5): raw columns checked on arrival, and
# encoded back into column structs.
#
# A raw column holds what a batch column carries: validity bytes, int32 offsets, the data (a
# slice of the received payload until a converter reads it with one readBin), an ARRAY's child
# and shapes. Decoding validates every length and offset before any value reaches R code.

T_BOOL <- 1L
T_INT16 <- 2L
T_INT32 <- 3L
T_INT64 <- 4L
T_FLOAT32 <- 5L
T_FLOAT64 <- 6L
T_DECIMAL <- 7L
T_TEXT <- 8L
T_BYTES <- 9L
T_DATE <- 10L
T_TIMESTAMP <- 11L
T_TIMESTAMPTZ <- 12L
T_TIME <- 13L
T_INTERVAL <- 14L
T_UUID <- 15L
T_JSON <- 16L
T_ARRAY <- 17L

TYPE_NAMES <- c("BOOL", "INT16", "INT32", "INT64", "FLOAT32", "FLOAT64", "DECIMAL", "TEXT", "BYTES", "DATE",
                "TIMESTAMP", "TIMESTAMPTZ", "TIME", "INTERVAL", "UUID", "JSON", "ARRAY")

# bytes per value of the fixed-width types (NA: variable length or ARRAY)
WIDTH <- c(1L, 2L, 4L, 8L, 4L, 8L, NA, NA, NA, 4L, 8L, 8L, 8L, 16L, 16L, NA, NA)
TEXT_TYPES <- c(T_DECIMAL, T_TEXT, T_JSON)
VARIABLE_TYPES <- c(T_DECIMAL, T_TEXT, T_BYTES, T_JSON)

PG_TYPES <- c("boolean", "smallint", "integer", "bigint", "real", "double precision", "numeric", "text", "bytea",
              "date", "timestamp", "timestamptz", "time", "interval", "uuid", "jsonb", NA)

DATE_INFINITY <- 2147483647
DATE_NEG_INFINITY <- -2147483648
INT32_MAX <- 2147483647

type_name <- function(type) if (type %in% seq_along(TYPE_NAMES)) TYPE_NAMES[[type]] else as.character(type)

column_error <- function(context, ...) protocol_error(context, ": ", ...)

# Integer vector from a slice of little-endian int32 values.
int32s <- function(value, context, name) {
  n <- slice_length(value)
  if (n %% 4 != 0) column_error(context, name, " length ", n, " is not a multiple of 4")
  slice_values(value, "integer", 4L)
}

# Checks the offsets of a variable-length or ARRAY column: rows + 1 of them, from 0, never
# decreasing, ending at `end`, and zero-length rows where the validity says NULL.
check_offsets <- function(offsets, rows, end, validity, context) {
  if (length(offsets) != rows + 1) {
    column_error(context, "offsets have ", length(offsets) * 4, " bytes, ", rows, " rows need ", (rows + 1) * 4)
  }
  if (anyNA(offsets)) column_error(context, "offsets go backwards")
  if (offsets[1] != 0L) column_error(context, "first offset is ", offsets[1], ", not 0")
  steps <- diff(offsets)
  if (rows > 0 && min(steps) < 0L) column_error(context, "offsets go backwards")
  if (offsets[rows + 1] != end) column_error(context, "offsets end at ", offsets[rows + 1], " but there are ", end)
  if (!is.null(validity) && any(steps[validity == as.raw(0L)] != 0L)) column_error(context, "a NULL row has a value")
  invisible(steps)
}

# Splits the bytes of a text column into one string per row (NA for NULL rows), each checked to be
# UTF-8 on its own, so no row boundary may split a character.
split_text <- function(bytes, offsets, validity, context) {
  rows <- length(offsets) - 1L
  if (rows == 0L) return(character(0))
  if (!length(bytes)) {
    out <- character(rows)
  } else {
    if (any(bytes == as.raw(0L))) column_error(context, "a value holds U+0000, which R strings cannot hold")
    whole <- rawToChar(bytes)
    # "bytes" makes substring count bytes, so each value is cut in one pass over the whole text
    Encoding(whole) <- "bytes"
    out <- substring(whole, offsets[-rows - 1L] + 1L, offsets[-1L])
    if (!all(validUTF8(out))) column_error(context, "a value is not valid UTF-8")
    Encoding(out) <- "UTF-8"
  }
  if (!is.null(validity)) out[validity == as.raw(0L)] <- NA_character_
  out
}

# The text of some rows of a DECIMAL column (all by default), NA for NULL rows: cut from the
# bytes only where needed, since the values are read without strings (ext_parse_decimals).
decimal_text <- function(column, rows = seq_len(column$rows)) {
  if (!length(rows)) return(character(0))
  if (is.null(column$offsets)) column$offsets <- slice_values(column$offsets_slice, "integer", 4L)
  whole <- rawToChar(slice_raw(column$data))
  text <- substring(whole, column$offsets[rows] + 1L, column$offsets[rows + 1L])
  if (!is.null(column$validity)) text[column$validity[rows] == as.raw(0L)] <- NA_character_
  text
}

check_shapes <- function(offsets, shape_offsets, shapes, context) {
  if (length(shapes) && min(shapes) < 1L) column_error(context, "array dimensions must be at least 1")
  elements <- diff(offsets)
  dims <- diff(shape_offsets)
  for (row in which(dims > 0L | elements > 0L)) {
    d <- shapes[seq.int(shape_offsets[row] + 1L, length.out = dims[row])]
    if (prod(as.double(d)) != elements[row] || (dims[row] == 0L && elements[row] != 0L)) {
      column_error(context, "row ", row - 1L, " shape does not match its ", elements[row], " elements")
    }
  }
}

# Validates a decoded column struct (a named list from decode_struct) and wraps its buffers. A
# DECIMAL column's text is read into doubles here (which checks its grammar) unless
# parse_decimals is FALSE: then the caller reads it (an input column built in place).
decode_column <- function(fields, rows, context = "column", array_allowed = TRUE, parse_decimals = TRUE) {
  type <- fields$type
  if (!(type %in% COLUMN_TYPE_CODES)) column_error(context, "unknown column type ", type)
  where <- paste0(context, " (", TYPE_NAMES[[type]], ")")
  null_count <- if (is.null(fields$null_count)) 0 else fields$null_count
  if (null_count < 0 || null_count > rows) column_error(where, "null_count ", null_count, " with ", rows, " rows")
  validity <- NULL
  if (!is.null(fields$validity)) {
    validity <- slice_raw(fields$validity)
    if (length(validity) != rows) column_error(where, "validity has ", length(validity), " bytes for ", rows, " rows")
    if (rows > 0 && any(validity > as.raw(1L))) column_error(where, "validity bytes must be 0 or 1")
    zeros <- sum(validity == as.raw(0L))
    if (zeros != null_count) column_error(where, "validity marks ", zeros, " NULLs, null_count says ", null_count)
    if (null_count == 0) validity <- NULL
  } else if (null_count > 0) {
    column_error(where, null_count, " NULLs but no validity")
  }
  data <- if (is.null(fields$data)) raw(0) else fields$data
  present <- intersect(c("offsets", "child", "shape_offsets", "shapes"), names(fields))
  column <- list(type = type, rows = rows, null_count = null_count, validity = validity, offsets = NULL,
                 data = data, child = NULL, shape_offsets = NULL, shapes = NULL, text = NULL)

  width <- WIDTH[[type]]
  if (!is.na(width)) {
    if (length(present)) column_error(where, "field ", present[1], " does not belong to this type")
    if (slice_length(data) != rows * width) {
      column_error(where, "data has ", slice_length(data), " bytes, ", rows, " rows need ", rows * width)
    }
    if (type == T_BOOL && rows > 0) {
      column$data <- slice_raw(data)
      if (any(column$data > as.raw(1L))) column_error(where, "BOOL values must be 0 or 1")
    }
    return(column)
  }

  if (is.null(fields$offsets)) column_error(where, "missing offsets")
  if (type == T_DECIMAL && !parse_decimals) {
    if (length(setdiff(present, "offsets"))) column_error(where, "field ", setdiff(present, "offsets")[1], " does not belong to this type")
    # checked where they lie, read where they lie by the column's builder (ext_column_append)
    offsets <- if (is.raw(fields$offsets)) slice(new_buffer(fields$offsets), 0, length(fields$offsets)) else fields$offsets
    problem <- .Call(native$ext_check_offsets, offsets$buffer$raw, offsets$offset, offsets$length, rows,
                     slice_length(data), validity)
    if (!is.null(problem)) column_error(where, problem)
    column$offsets_slice <- offsets
    column$where <- where
    return(column)
  }
  offsets <- int32s(fields$offsets, where, "offsets")
  if (type != T_ARRAY) {
    if (length(setdiff(present, "offsets"))) column_error(where, "field ", setdiff(present, "offsets")[1], " does not belong to this type")
    bytes <- slice_raw(data)
    check_offsets(offsets, rows, length(bytes), validity, where)
    column$offsets <- offsets
    column$data <- bytes
    if (type == T_DECIMAL) {
      parsed <- .Call(native$ext_parse_decimals, bytes, offsets, validity)
      if (is.integer(parsed)) column_error(where, "row ", parsed, " is not a decimal number")
      column$numbers <- parsed[[1]]
      column$check <- parsed[[2]]
    } else if (type %in% TEXT_TYPES) {
      column$text <- split_text(bytes, offsets, validity, where)
    }
    return(column)
  }

  if (!array_allowed) column_error(where, "array elements cannot be arrays")
  if (slice_length(data)) column_error(where, "an ARRAY column has no data field")
  if (is.null(fields$child)) column_error(where, "ARRAY without a child column")
  elements <- if (length(offsets)) offsets[length(offsets)] else 0L
  check_offsets(offsets, rows, elements, validity, where)
  column$offsets <- offsets
  column$data <- raw(0)
  column$child <- decode_column(fields$child, elements, paste0(context, ".child"), FALSE)
  if (is.null(fields$shape_offsets) != is.null(fields$shapes)) column_error(where, "shape_offsets and shapes must come together")
  if (!is.null(fields$shapes)) {
    column$shape_offsets <- int32s(fields$shape_offsets, where, "shape_offsets")
    column$shapes <- int32s(fields$shapes, where, "shapes")
    check_offsets(column$shape_offsets, rows, length(column$shapes), validity, paste(where, "shape"))
    check_shapes(offsets, column$shape_offsets, column$shapes, where)
  }
  column
}

# list(rows, columns) of a decoded INPUT_BATCH / OUTPUT_BATCH message (decode_column's
# parse_decimals for every column).
decode_batch <- function(message, context = "batch", parse_decimals = TRUE) {
  rows <- message$row_count
  if (rows < 0 || rows >= 2147483647) protocol_error(context, ": row_count ", rows, " out of range")
  columns <- lapply(seq_along(message$column), function(i) {
    decode_column(message$column[[i]], rows, sprintf("%s.column[%d]", context, i - 1L), parse_decimals = parse_decimals)
  })
  list(rows = rows, columns = columns)
}

# ---------------------------------------------------------------------------------------------
# encoding a raw column (as decoded, or as built from R values) into column struct parts

# A raw column as the named list of its column struct (docs/protocol.md section 5.2).
column_values <- function(column) {
  int32_bytes <- function(v) writeBin(as.integer(v), raw(), size = 4L, endian = "little")
  array <- column$type == T_ARRAY
  list(type = column$type, null_count = column$null_count,
       validity = if (column$null_count > 0) column$validity,
       offsets = if (!is.null(column$offsets)) int32_bytes(column$offsets),
       data = if (!array) column$data,
       child = if (array) column_values(column$child),
       shape_offsets = if (array && !is.null(column$shapes)) int32_bytes(column$shape_offsets),
       shapes = if (array && !is.null(column$shapes)) int32_bytes(column$shapes))
}

column_parts <- function(column) encode_struct(SCHEMAS$column, column_values(column))

batch_parts <- function(rows, columns) {
  encode_struct(SCHEMAS$batch, list(row_count = rows, column = lapply(columns, column_values)))
}

# ---------------------------------------------------------------------------------------------
# cutting output into batches

MAX_BATCH_BYTES <- 4 * 1024 * 1024
MAX_BATCH_ROWS <- 65536

# Row ranges (start, stop; 1-based, inclusive) of about max_bytes or max_rows each, at least one
# row each; row_bytes is the estimated encoded size of every row.
batch_bounds <- function(rows, row_bytes, max_bytes = MAX_BATCH_BYTES, max_rows = MAX_BATCH_ROWS) {
  if (rows == 0) return(list())
  total <- cumsum(as.double(row_bytes))
  bounds <- list()
  start <- 1
  while (start <= rows) {
    already <- if (start > 1) total[start - 1] else 0
    stop <- findInterval(already + max_bytes, total)
    stop <- min(max(stop, start), start + max_rows - 1, rows)
    bounds[[length(bounds) + 1L]] <- c(start, stop)
    start <- stop + 1
  }
  bounds
}
