# Input columns over the batches of a unit: the columns built in place (native column.c) give
# exactly what converting every batch and joining the parts gives, NULLs, special values, -2^31
# and DECIMAL checks included; and whole units read through a session's frames.

# The raw column of rows a..b of x as a receiver decodes it from a payload (DECIMAL: x is its text).
received <- function(x, a, b, type = NULL, parse_decimals = FALSE) {
  prepared <- infer_column(x, "c")
  raw_column <- prepared$slice(a, b)
  if (!is.null(type)) raw_column$type <- type
  bytes <- as_bytes(column_parts(raw_column))
  buffer <- new_buffer(bytes)
  decode_column(decode_struct(buffer, 0, length(bytes), SCHEMAS$column), b - a + 1, "test", parse_decimals = parse_decimals)
}

# The column from batches cut at `cuts` (first rows of each batch), in place and by parts.
both_ways <- function(x, cuts, type = NULL) {
  type <- if (is.null(type)) infer_column(x, "c")$type else type
  in_place <- input_builder(type, NULL, "c")
  stopifnot(type %in% IN_PLACE_TYPES)
  by_parts <- parts_builder(type, NULL, "c")
  bounds <- c(cuts, length(x) + 1)
  for (k in seq_along(cuts)) {
    a <- bounds[k]
    b <- bounds[k + 1] - 1
    in_place$add(received(x, a, b, type))
    by_parts$add(received(x, a, b, type, parse_decimals = TRUE))
  }
  list(in_place = in_place$finish(), by_parts = by_parts$finish())
}

expect_same_both_ways <- function(x, cuts, type = NULL, what = "") {
  got <- both_ways(x, cuts, type)
  expect_identical(got$in_place, got$by_parts, what)
  invisible(got$in_place)
}

test("every type built in place equals its converted parts, with NULLs in several batches", function() {
  expect_same_both_ways(c(TRUE, NA, FALSE, TRUE, NA), c(1, 3), what = "bool")
  expect_same_both_ways(c(1L, NA, .Machine$integer.max, -5L, NA, 0L), c(1, 2, 5), what = "int4")
  expect_same_both_ways(c(0, -0, NaN, Inf, -Inf, NA, 1.5, .Machine$double.xmax, 5e-324), c(1, 4, 7), what = "float8")
  expect_same_both_ways(as.Date(c("2000-01-01", NA, "1970-01-01", "2262-04-11")), c(1, 3), what = "date")
  expect_same_both_ways(c("1.5", NA, "-0.000001", "NaN", "Infinity", "-Infinity", "12345678.123456", NA),
                        c(1, 3, 6), T_DECIMAL, "numeric")
})

test("int2 and float4 columns built in place", function() {
  int2 <- received(c(1L, -2L, NA, 32767L), 1, 4)
  int2$type <- T_INT16
  int2$data <- writeBin(c(1L, -2L, 0L, 32767L), raw(), size = 2L, endian = "little")
  built <- input_builder(T_INT16, NULL, "c")
  built$add(int2)
  expect_identical(built$finish(), c(1L, -2L, NA, 32767L))
  float4 <- received(c(1.5, NA, -0.25), 1, 3)
  float4$type <- T_FLOAT32
  float4$data <- writeBin(c(1.5, 0, -0.25), raw(), size = 4L, endian = "little")
  built <- input_builder(T_FLOAT32, NULL, "c")
  built$add(float4)
  expect_identical(built$finish(), c(1.5, NA, -0.25))
})

test("a NaN with the bits of R's NA stays NaN; only NULL is NA", function() {
  na_bits <- writeBin(NA_real_, raw(), size = 8L, endian = "little")
  column <- received(c(1, 2), 1, 2)
  column$data <- c(na_bits, writeBin(2, raw(), size = 8L, endian = "little"))
  built <- input_builder(T_FLOAT64, NULL, "c")
  built$add(column)
  values <- built$finish()
  expect_true(is.nan(values[1]), "NA bits read as NaN")
  expect_identical(values[2], 2)
})

test("-2^31 in a later batch makes the whole int4 column numeric, exact", function() {
  x <- c(1L, NA, 3L, 4L)
  first <- received(x, 1, 2)
  second <- received(x, 3, 4)
  # NA_integer_'s bits are -2^31, a valid int4
  second$data <- writeBin(c(NA_integer_, 4L), raw(), size = 4L, endian = "little")
  built <- input_builder(T_INT32, NULL, "c")
  built$add(first)
  built$add(second)
  expect_identical(built$finish(), c(1, NA, -2147483648, 4))
})

test("large columns (custom-allocated vectors) survive collections and free their blocks", function() {
  x <- seq(0.5, by = 1, length.out = 300000)
  x[c(7, 150001)] <- NA
  values <- expect_same_both_ways(x, c(1, 100001, 250001), what = "float8")
  gc()
  garbage <- lapply(1:5, function(i) both_ways(x, c(1, 150001))$in_place)
  rm(garbage)
  gc()
  expect_identical(values, x)
  expect_identical(sum(values[-c(7, 150001)]), sum(x, na.rm = TRUE))
  days <- expect_same_both_ways(as.Date("2000-01-01") + 0:99999, c(1, 50001), what = "date")
  expect_identical(class(days), "Date")
})

test("a numeric R cannot hold exactly fails with a type error naming the column", function() {
  expect_condition(both_ways(c("1.5", "0.12345678901234567"), c(1, 2), T_DECIMAL), "extensa_type_error",
                   "column 'c' holds the numeric 0.12345678901234567")
  built <- input_builder(T_DECIMAL, NULL, "c")
  expect_condition(built$add(received(c("1", "1e5x"), 1, 2, T_DECIMAL)), "extensa_protocol_error",
                   "row 1 is not a decimal number")
})

test("DECIMAL offsets are checked where they lie", function() {
  column <- infer_column(c("1", "22", NA), "c")$slice(1, 3)
  column$type <- T_DECIMAL
  decode <- function(raw_column) {
    bytes <- as_bytes(column_parts(raw_column))
    buffer <- new_buffer(bytes)
    decode_column(decode_struct(buffer, 0, length(bytes), SCHEMAS$column), 3, "test", parse_decimals = FALSE)
  }
  backwards <- column
  backwards$offsets <- c(0L, 2L, 1L, 3L)
  expect_condition(decode(backwards), "extensa_protocol_error", "offsets go backwards")
  valued_null <- column
  valued_null$offsets <- c(0L, 1L, 2L, 3L)
  valued_null$data <- charToRaw("122")
  expect_condition(decode(valued_null), "extensa_protocol_error", "a NULL row has a value")
  short <- column
  short$offsets <- c(0L, 1L, 3L)
  expect_condition(decode(short), "extensa_protocol_error", "offsets have 12 bytes, 3 rows need 16")
  beyond <- column
  beyond$offsets <- c(0L, 1L, 3L, 4L)
  expect_condition(decode(beyond), "extensa_protocol_error", "a NULL row has a value")
  first <- column
  first$offsets <- c(1L, 1L, 3L, 3L)
  expect_condition(decode(first), "extensa_protocol_error", "first offset is 1, not 0")
})

# Frames an engine would send for one unit of `frame` (batches of `per` rows) into a pipe, read
# back by read_unit as a session does.
unit_through_session <- function(frame, per, types = NULL) {
  fds <- .Call(native$ext_pipe)
  on.exit({
    .Call(native$ext_close_fd, fds[1])
    .Call(native$ext_close_fd, fds[2])
  })
  engine <- new_writer(fds[2])
  columns <- lapply(names(frame), function(n) infer_column(frame[[n]], n))
  if (!is.null(types)) for (i in seq_along(columns)) columns[[i]]$type <- types[i]
  schema <- lapply(seq_along(columns), function(i) list(name = names(frame)[i], type = columns[[i]]$type))
  path <- tempfile()
  file <- .Call(native$ext_open_file, path, TRUE)
  writer <- new_writer(file)
  rows <- nrow(frame)
  for (a in seq(1, max(rows, 1), by = per)) {
    if (!rows) break
    b <- min(rows, a + per - 1)
    parts <- lapply(columns, function(column) {
      raw_column <- column$slice(a, b)
      raw_column$type <- column$type
      raw_column
    })
    write_frame(writer, MSG$INPUT_BATCH, batch_parts(b - a + 1, parts))
  }
  send_message(writer, MSG$END_OF_INPUT, list(last = TRUE, unit = 0))
  .Call(native$ext_close, file)
  on.exit(unlink(path), add = TRUE)
  input <- .Call(native$ext_open_file, path, FALSE)
  on.exit(.Call(native$ext_close, input), add = TRUE)
  read_unit(new_session(input, "test", raw(32)), schema, TRUE)
}

test("a unit of many batches reads into the data.frame the parts would make", function() {
  n <- 200003
  frame <- data.frame(i = seq_len(n), d = seq_len(n) / 7, b = rep(c(TRUE, FALSE, NA), length.out = n),
                      day = as.Date("2020-01-01") + seq_len(n) %% 1000,
                      num = sprintf("%.6f", seq_len(n) / 1000), s = as.character(seq_len(n) %% 97),
                      stringsAsFactors = FALSE)
  frame$d[5] <- NA
  frame$num[9] <- NA
  frame$i[11] <- NA
  unit <- unit_through_session(frame, 65536, types = c(T_INT32, T_FLOAT64, T_BOOL, T_DATE, T_DECIMAL, T_TEXT))
  expected <- frame
  expected$num <- as.numeric(frame$num)
  expect_identical(unit$frame, expected)
  expect_identical(unit$end$last, TRUE)
})

test("a unit without batches has typed empty columns", function() {
  frame <- data.frame(i = integer(0), d = numeric(0), day = as.Date(character(0)))
  unit <- unit_through_session(frame, 10)
  expect_identical(unit$frame, frame)
})

test("a column grows past its first reservation (its block is moved, not copied, and stays one mapping)", function() {
  chunk <- as.double(seq_len(1048576))
  payload <- writeBin(chunk, raw(), size = 8L, endian = "little")
  built <- .Call(native$ext_column_new, T_FLOAT64)
  for (k in 1:10) .Call(native$ext_column_append, built, payload, 0, length(chunk), NULL, NULL)
  values <- .Call(native$ext_column_finish, built)
  expect_identical(length(values), 10L * length(chunk))
  expect_identical(values[c(1, 1048576, 1048577, 10 * 1048576)], c(1, 1048576, 1, 1048576))
  expect_identical(sum(values), 10 * sum(chunk))
  rm(values)
  gc()
})

test("large raw values are parts of their own when encoded, nested structs included, and decode back", function() {
  model <- as.raw(sample(0:255, 100003, replace = TRUE))
  column <- bytes_column(list(model), "m")$slice(1, 1)
  parts <- encode_message(MSG$OUTPUT_PARAMS, list(param = list(
    list(name = "m", type = T_BYTES, pg_type = "bytea", value = encoded(column_parts(column))),
    list(name = "n", type = T_INT32, pg_type = "integer", value = encoded(column_parts(infer_column(7L, "n")$slice(1, 1)))))))
  expect_true(length(parts) > 1, "the payload is several parts")
  expect_true(any(vapply(parts, function(p) identical(p, column$data), TRUE)), "the value is not copied")
  bytes <- as_bytes(parts)
  expect_identical(length(bytes) %% 8, 0)
  message <- with_buffer(bytes, function(b) decode_message(MSG$OUTPUT_PARAMS, b))
  got <- decode_column(message$param[[1]]$value, 1)
  expect_identical(split_bytes(got)[[1]], model)
  expect_identical(param_value(decode_column(message$param[[2]]$value, 1), "n"), 7L)
})
