# The type mapping (docs/types.md, "Wire type -> R" and "R -> wire type"): every type's round trip
# with NA and edge values, the wire values R cannot hold, and output values that have no wire type.

golden_columns <- function(name) {
  frames <- list()
  fd <- .Call(native$ext_open_file, file.path(testdata, paste0(name, ".bin")), FALSE)
  on.exit(.Call(native$ext_close, fd))
  frame <- read_frame(new_reader(fd_source(fd)))
  with_buffer(frame$payload, function(b) decode_batch(decode_message(frame$type, b))$columns)
}

converted <- function(name, index = 1L, column_name = "c") {
  column <- golden_columns(name)[[index]]
  finish_column(convert_column(column, column_name), column$type, column_name)
}

same_doubles <- function(a, b) {
  identical(is.na(a), is.na(b)) && identical(is.nan(a), is.nan(b)) && all(a[!is.na(a)] == b[!is.na(b)]) &&
    all(sign(1 / a[!is.na(a) & a == 0]) == sign(1 / b[!is.na(b) & b == 0]))
}

# ---- R -> wire -> R -------------------------------------------------------------------------

test("logical round trip with NA", function() {
  r <- round_trip(c(TRUE, FALSE, NA))
  expect_identical(r$type, T_BOOL)
  expect_identical(r$value, c(TRUE, FALSE, NA))
})

test("integer round trip with NA and extremes", function() {
  x <- c(0L, .Machine$integer.max, -.Machine$integer.max, NA)
  r <- round_trip(x)
  expect_identical(r$type, T_INT32)
  expect_identical(r$pg_type, "integer")
  expect_identical(r$value, x)
})

test("numeric round trip keeps NaN, infinities, -0 and tells NA from NaN", function() {
  x <- c(0, -0, 1.5, NaN, Inf, -Inf, NA, .Machine$double.xmax, 5e-324, 0.1)
  r <- round_trip(x)
  expect_identical(r$type, T_FLOAT64)
  expect_true(same_doubles(r$value, x))
  expect_identical(is.nan(r$value), is.nan(x))
})

test("character round trip with NA, empty and unicode", function() {
  x <- c("", "a", NA, "\u00fcn\u00efc\u00f8d\u00e9 \U0001F389", "tab\tnew\nline\\", "quote\"d")
  r <- round_trip(x)
  expect_identical(r$type, T_TEXT)
  expect_identical(r$value, enc2utf8(x))
  expect_true(all(Encoding(r$value[c(4)]) == "UTF-8"))
})

test("factors go out as their labels", function() {
  r <- round_trip(factor(c("lo", NA, "hi"), levels = c("lo", "hi")))
  expect_identical(r$type, T_TEXT)
  expect_identical(r$pg_type, "text")
  expect_identical(r$value, c("lo", NA, "hi"))
})

test("Date round trip with NA, infinities and far dates", function() {
  x <- as.Date(c("1970-01-01", "0001-01-01", NA, "9999-12-31", "1969-12-31"))
  x <- c(x, structure(c(Inf, -Inf), class = "Date"))
  r <- round_trip(x)
  expect_identical(r$type, T_DATE)
  expect_identical(r$value, x)
})

test("POSIXct round trip to the microsecond, in UTC", function() {
  x <- structure(c(1700000000.123456, 0, -0.000001, NA, Inf, -Inf, 7258118400.000001, -62135596800, 253402300799),
                 class = c("POSIXct", "POSIXt"), tzone = "Europe/Berlin")
  r <- round_trip(x)
  expect_identical(r$type, T_TIMESTAMPTZ)
  expect_identical(attr(r$value, "tzone"), "UTC")
  micros <- function(v) round(unclass(v) * 1e6)
  expect_true(same_doubles(micros(r$value), micros(x)))
})

test("POSIXlt goes out as POSIXct", function() {
  r <- round_trip(as.POSIXlt("2024-03-01 12:34:56", tz = "UTC"))
  expect_identical(r$type, T_TIMESTAMPTZ)
  expect_equal(as.numeric(r$value), as.numeric(as.POSIXct("2024-03-01 12:34:56", tz = "UTC")))
})

test("difftime round trip as intervals, any unit", function() {
  x <- as.difftime(c(1.5, -3600, NA, 90061.000001, 0), units = "secs")
  r <- round_trip(x)
  expect_identical(r$type, T_INTERVAL)
  expect_true(inherits(r$value, "difftime"))
  expect_true(same_doubles(round(as.numeric(r$value) * 1e6), round(as.numeric(x) * 1e6)))
  days <- round_trip(as.difftime(c(2, -1.25), units = "days"))
  expect_equal(as.numeric(days$value, units = "days"), c(2, -1.25))
})

test("raw vectors go out as bytea, one value per list element", function() {
  x <- list(as.raw(c(0, 255, 16)), NULL, raw(0))
  r <- round_trip(x)
  expect_identical(r$type, T_BYTES)
  expect_identical(r$value, x)
})

test("list columns of vectors go out as arrays, matrices with their shape", function() {
  x <- list(1:3, NULL, integer(0), matrix(1:6, nrow = 2, byrow = TRUE), c(NA, 5L))
  r <- round_trip(x)
  expect_identical(r$type, T_ARRAY)
  expect_identical(r$element_type, T_INT32)
  expect_identical(r$pg_type, "integer[]")
  expect_identical(r$value, x)
  texts <- round_trip(list(c("a", NA), character(0)))
  expect_identical(texts$pg_type, "text[]")
  expect_identical(texts$value, list(c("a", NA), character(0)))
  dates <- round_trip(list(as.Date(c("2024-01-01", NA))))
  expect_identical(dates$value, list(as.Date(c("2024-01-01", NA))))
  mixed <- round_trip(list(1L, c(2.5, 3)))
  expect_identical(mixed$element_type, T_FLOAT64)
})

test("a column of only NAs in a list goes out as text NULLs", function() {
  r <- round_trip(list(NULL, NULL))
  expect_identical(r$type, T_TEXT)
  expect_identical(r$value, c(NA_character_, NA_character_))
})

# ---- wire -> R ------------------------------------------------------------------------------

test("BOOL and INT16 read with one readBin", function() {
  expect_identical(converted("batch_bool"), c(TRUE, FALSE, NA, TRUE))
  expect_identical(converted("batch_int16"), c(0L, 1L, -1L, 32767L, -32768L, NA))
})

test("INT32 holding -2^31 (R's NA_integer_) becomes an exact numeric column", function() {
  v <- converted("batch_int32")
  expect_identical(v, c(0, 2147483647, -2147483648, NA, 42))
})

test("INT64 beyond 2^53 fails naming the column, the value and the casts", function() {
  e <- expect_condition(converted("batch_int64", column_name = "big"), "extensa_type_error", "column 'big' holds 9223372036854775807")
  expect_true(grepl("big::text", conditionMessage(e), fixed = TRUE))
  expect_true(grepl("big::float8 if rounding is acceptable", conditionMessage(e), fixed = TRUE))
  expect_identical(converted("batch_no_nulls", 1L), c(1, 2, 3))
})

test("INT64 within 2^53 is exact, at both ends", function() {
  column <- list(type = T_INT64, rows = 3, null_count = 0, validity = NULL,
                 data = int64_bytes(c(TWO_53, -TWO_53, 123456789012345)))
  expect_identical(convert_column(column, "n"), c(TWO_53, -TWO_53, 123456789012345))
  beyond <- list(type = T_INT64, rows = 1, null_count = 0, validity = NULL, data = int64_bytes(TWO_53 + 2))
  expect_condition(convert_column(beyond, "n"), "extensa_type_error", "9007199254740994")
})

test("FLOAT values keep NaN and infinities; NULL is NA", function() {
  v <- converted("batch_float64")
  expect_true(same_doubles(v, c(0.1, -0, NaN, Inf, -Inf, NA, .Machine$double.xmax, 5e-324)))
  f <- converted("batch_float32")
  expect_identical(is.nan(f), c(FALSE, FALSE, TRUE, FALSE, FALSE, FALSE, FALSE, FALSE))
  expect_identical(is.na(f) & !is.nan(f), c(FALSE, FALSE, FALSE, FALSE, FALSE, TRUE, FALSE, FALSE))
})

test("a NaN with R's NA bit pattern stays NaN", function() {
  column <- list(type = T_FLOAT64, rows = 2, null_count = 1, validity = as.raw(c(1, 0)),
                 data = writeBin(c(NA_real_, 0), raw(), size = 8L, endian = "little"))
  v <- convert_column(column, "x")
  expect_identical(c(is.nan(v[1]), is.na(v[2]) && !is.nan(v[2])), c(TRUE, TRUE))
})

test("DECIMAL becomes numeric when exact, else fails naming the column", function() {
  expect_condition(converted("batch_decimal", column_name = "amount"), "extensa_type_error",
                   "column 'amount' holds the numeric 123456789012345678901234567890.000000001")
  text <- c("-12.500", "0", "NaN", "Infinity", "-Infinity", NA, "1E+30", "-0.000001", "9007199254740991",
            "123456.789012345", "0.1000000000000000000")
  v <- decimal_exact(text, suppressWarnings(as.numeric(text)))
  expect_true(all(v))
  bad <- c("9007199254740993", "0.1234567890123456", "1e400", "1e-400", "12345678901234567000")
  expect_identical(decimal_exact(bad, suppressWarnings(as.numeric(bad))), rep(FALSE, 5))
})

test("DECIMAL text is read without strings: the grammar is checked, values are correctly rounded", function() {
  parse <- function(values, validity = NULL) {
    bytes <- charToRaw(paste0(values, collapse = ""))
    offsets <- as.integer(c(0, cumsum(nchar(values, type = "bytes"))))
    parsed <- .Call(native$ext_parse_decimals, bytes, offsets, validity)
    if (is.integer(parsed)) parsed else parsed[[1]]
  }
  good <- c("1", "-2.5", "+.5", "1e3", "NaN", "Infinity", "-Infinity", "5.", "0.1", "", "2.2250738585072014e-308")
  v <- parse(good, as.raw(c(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1)))
  expect_true(identical(v[-5], c(1, -2.5, 0.5, 1000, Inf, -Inf, 5, 0.1, NA, 2.2250738585072014e-308)), "values")
  expect_true(is.nan(v[5]), "NaN")
  for (bad in c("1e", "--1", ".", "0x10", "inf", "+NaN", " 1", "1.2.3", "1e+", "Infinityx", "nan")) {
    expect_identical(parse(c("7", bad)), 1L, bad)
  }
  # the one-division path and strtod (R's own reading of the text) agree bit for bit, at its limits too
  set.seed(5)
  digits <- vapply(1:20000, function(i) paste(sample(0:9, sample(1:19, 1), TRUE), collapse = ""), "")
  points <- sample(0:19, length(digits), TRUE)
  texts <- ifelse(points > 0 & points < nchar(digits),
                  paste0(substr(digits, 1, nchar(digits) - points), ".", substring(digits, nchar(digits) - points + 1)),
                  digits)
  texts <- c(paste0(sample(c("", "-", "+"), length(texts), TRUE), texts), "9007199254740993", "9007199254740992",
             "-0.0", "0.0000000000000000000001", "0.00000000000000000000001", "123456789012345678.9", "1.7976931348623157",
             "000000000000000000001.5")
  expect_true(identical(parse(texts), as.numeric(texts)), "as R reads the text")
  expect_identical(1 / parse("-0.0"), -Inf, "negative zero")
  checked <- .Call(native$ext_parse_decimals, charToRaw("1.51234567890123456Infinity0.0"), c(0L, 3L, 19L, 27L, 30L), NULL)[[2]]
  expect_identical(checked, 2:4, "long text, infinities and zeros are checked against their text")
  column <- list(rows = 3, data = charToRaw("1.5123"), offsets = c(0L, 3L, 3L, 6L), validity = as.raw(c(1, 0, 1)))
  expect_identical(decimal_text(column), c("1.5", NA, "123"))
  expect_identical(decimal_text(column, 3L), "123")
})

test("TEXT, JSON and UUID become character, never factors", function() {
  text <- converted("batch_text")
  expect_identical(text[[3]], "\u00fcn\u00efc\u00f6d\u00e9 \u2713 \u65e5\u672c\u8a9e \U0001F389")
  expect_identical(text[[4]], NA_character_)
  expect_identical(converted("batch_json"), c("{\"a\": 1}", "null", NA, "[1, 2.5, {\"b\": [true, false, null]}]"))
  expect_identical(converted("batch_uuid"), c("00000000-0000-0000-0000-000000000000", "123e4567-e89b-12d3-a456-426614174000",
                                              NA, "ffffffff-ffff-ffff-ffff-ffffffffffff"))
})

test("BYTES become a list of raw vectors, NULL for NULL", function() {
  expect_identical(converted("batch_bytes"), list(raw(0), as.raw(c(0, 255, 16)), NULL, as.raw(c(0xde, 0xad, 0xbe, 0xef))))
})

test("DATE becomes Date, infinities Inf", function() {
  v <- converted("batch_date")
  expect_identical(v, structure(c(0, 19000, -1, NA, Inf, -Inf), class = "Date"))
})

test("TIMESTAMP and TIMESTAMPTZ become UTC POSIXct; infinities Inf", function() {
  ts <- converted("batch_timestamp")
  expect_identical(attr(ts, "tzone"), "UTC")
  expect_identical(class(ts), c("POSIXct", "POSIXt"))
  expect_identical(unclass(ts)[c(1, 3, 4, 5, 6)], c(0, -0.000001, NA, Inf, -Inf), "special values")
  expect_identical(round(unclass(ts)[2] * 1e6), 1700000000123456)
  tz <- converted("batch_timestamptz")
  expect_identical(unclass(tz)[3], -62135596800)  # 0001-01-01 00:00:00 UTC
  precise <- list(type = T_TIMESTAMP, rows = 1, null_count = 0, validity = NULL, data = c(writeBin(1L, raw(), size = 4L), readBin(int64_bytes(-62135596800000000), "raw", 8L)[5:8]))
  expect_condition(convert_column(precise, "t"), "extensa_type_error", "column 't' holds a timestamp")
})

test("TIME becomes text as PostgreSQL prints it, 24:00:00 included", function() {
  expect_identical(converted("batch_time"), c("00:00:00", "23:59:59.999999", "24:00:00", NA, "12:00:00"))
})

test("INTERVAL becomes difftime without months, text with them", function() {
  expect_identical(converted("batch_interval"), c("00:00:00", "1 year 2 mons 1 day 01:00:00", NA, "-3 mons -2 days -00:00:00.000001"))
  column <- list(type = T_INTERVAL, rows = 2, null_count = 0, validity = NULL,
                 data = c(int64_bytes(3600e6), writeBin(c(1L, 0L), raw(), size = 4L), int64_bytes(-1), writeBin(c(0L, 0L), raw(), size = 4L)))
  v <- finish_column(convert_column(column, "i"), T_INTERVAL, "i")
  expect_true(inherits(v, "difftime"))
  expect_identical(units(v), "secs")
  expect_identical(as.numeric(v), c(90000, -0.000001))
})

test("interval text reads back the same in every IntervalStyle", function() {
  expect_identical(format_interval(c(0, 7200e6, -1), c(0, 3, 0), c(14, 0, -1)),
                   c("1 year 2 mons", "3 days 02:00:00", "-1 mons -00:00:00.000001"))
  expect_identical(format_interval(0, c(1, -1), 0), c("1 day", "-1 days"))
  expect_identical(format_interval(5e6, -1, 1), "+1 mon -1 days +00:00:05")
})

test("ARRAY becomes a list of vectors, two dimensions a matrix", function() {
  expect_identical(converted("batch_array"), list(c(1L, NA, 3L), NULL, integer(0), -7L))
  v <- converted("batch_array_2d")
  expect_identical(v[[1]], matrix(c("a", "b", "c", "d", NA, "f"), nrow = 2, byrow = TRUE))
  expect_identical(v[[2]], c("x", "y"))
  expect_identical(v[[3]], NULL)
})

test("a unit of several batches combines each column once", function() {
  parts <- list(structure(c(1, 2), class = "Date"), structure(3, class = "Date"))
  expect_identical(combine_parts(parts, T_DATE, "d"), structure(c(1, 2, 3), class = "Date"))
  intervals <- list(interval_fields(list(type = T_INTERVAL, rows = 1, null_count = 0, validity = NULL,
                                         data = c(int64_bytes(1e6), raw(8))), "i"),
                    interval_fields(list(type = T_INTERVAL, rows = 1, null_count = 0, validity = NULL,
                                         data = c(int64_bytes(0), writeBin(c(0L, 1L), raw(), size = 4L))), "i"))
  expect_identical(combine_parts(intervals, T_INTERVAL, "i"), c("00:00:01", "1 mon"))
  expect_identical(combine_parts(list(list(raw(1)), list(NULL)), T_BYTES, "b"), list(raw(1), NULL))
})

test("input data frames keep names, duplicates and row counts", function() {
  frame <- input_frame(list(1:2, c("a", "b")), c("x", "x"), 2)
  expect_identical(names(frame), c("x", "x"))
  expect_identical(nrow(frame), 2L)
  expect_identical(nrow(input_frame(list(), character(0), 5)), 5L)
})

# ---- output values that have no wire type ---------------------------------------------------

test("output columns R cannot send fail naming the column", function() {
  expect_condition(infer_column(complex(real = 1, imaginary = 1), "z"), "extensa_type_error", "column 'z' is of type complex")
  expect_condition(infer_column(list(list(1)), "nested"), "extensa_type_error", "column 'nested' holds nested lists")
  expect_condition(infer_column(list(1L, "a"), "mixed"), "extensa_type_error", "column 'mixed' mixes integer and character")
  bad <- "caf\xe9"
  Encoding(bad) <- "bytes"
  expect_condition(infer_column(bad, "latin")$slice(1, 1), "extensa_type_error", "column 'latin' holds a string that is not valid UTF-8")
  expect_condition(infer_column(as.difftime(Inf, units = "secs"), "forever"), "extensa_type_error", "column 'forever'")
  expect_condition(infer_column(as.raw(1:3), "bytes"), "extensa_type_error", "column 'bytes' is a raw vector, one byte per row")
})

test("OUTPUT parameters: raw is bytea, NA and NULL are NULL, vectors are arrays, models must be serialized", function() {
  fit <- stats::lm(y ~ x, data = data.frame(x = 1:5, y = c(2, 4, 6, 8, 11)))
  model <- serialize(fit, NULL)
  column <- infer_value(model, "model")
  expect_identical(column$type, T_BYTES)
  expect_identical(split_bytes(column$slice(1, 1))[[1]], model)
  expect_identical(stats::coef(unserialize(split_bytes(column$slice(1, 1))[[1]])), stats::coef(fit))
  expect_identical(infer_value(NA, "n"), NULL)
  expect_identical(infer_value(NA_real_, "n"), NULL)
  expect_identical(infer_value(NULL, "n"), NULL)
  expect_identical(infer_value(NaN, "n")$type, T_FLOAT64)
  expect_identical(infer_value(c(1L, 2L), "v")$type, T_ARRAY)
  expect_identical(infer_value(character(0), "v")$type, T_ARRAY)
  expect_identical(infer_value(factor("a"), "f")$type, T_TEXT)
  expect_condition(infer_value(fit, "model"), "extensa_type_error", "serialize(model, NULL)")
  expect_condition(infer_value(data.frame(a = 1), "d"), "extensa_type_error", "parameter 'd' holds a data.frame")
  expect_condition(infer_value(list(1, 2), "l"), "extensa_type_error", "parameter 'l' holds a list")
})

test("output batches are cut by size and by rows", function() {
  expect_identical(batch_bounds(0, numeric(0)), list())
  expect_identical(batch_bounds(5, rep(1, 5), max_bytes = 2), list(c(1, 2), c(3, 4), c(5, 5)))
  expect_identical(batch_bounds(3, c(10, 1, 1), max_bytes = 5), list(c(1, 1), c(2, 3)))
  expect_identical(batch_bounds(5, rep(1, 5), max_rows = 4), list(c(1, 4), c(5, 5)))
})

test("int64 text is exact at the extremes", function() {
  words <- readBin(int64_bytes(c(-9223372036854775808, Inf, 0, -1, 4294967296, 9007199254740992)), "integer", 12L, size = 4L)
  expect_identical(int64_text(words), c("-9223372036854775808", "9223372036854775807", "0", "-1", "4294967296", "9007199254740992"))
})

test("the fork server's warm-up runs every common conversion and leaves the global environment empty", function() {
  assign("leftover", 1, envir = globalenv())
  frame <- warm_up()
  expect_identical(names(frame), c("i", "d", "s", "b", "day", "at", "f"))
  expect_identical(frame$s, c("a", NA))
  expect_identical(frame$f, c("x", NA))
  expect_true(inherits(frame$at, "POSIXct"), "timestamps are POSIXct")
  expect_identical(ls(globalenv(), all.names = TRUE), character(0))
})
