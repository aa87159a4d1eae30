# Input conversions: raw wire columns become R vectors (docs/types.md, "Wire type -> R").
#
# The common fixed-width types and DECIMAL are built in place over a unit's batches (see
# input_builder); the other numeric and date/time columns are read with one readBin per column
# buffer and finished with vectorized arithmetic; text is cut out of one string in a single
# pass. A value R cannot hold exactly fails the job with an error of kind "type" that names the
# column and the cast to use; nothing is rounded silently. The opposite direction lives in infer.R.

type_error <- function(...) {
  stop(structure(class = c("extensa_type_error", "error", "condition"),
                 list(message = paste0(...), call = NULL)))
}

null_mask <- function(column) if (is.null(column$validity)) NULL else column$validity == as.raw(0L)

with_nulls <- function(values, nulls, na) {
  if (!is.null(nulls)) values[nulls] <- na
  values
}

quote_name <- function(name) {
  if (grepl("^[a-z_][a-z0-9_]*$", name)) name else paste0("\"", gsub("\"", "\"\"", name, fixed = TRUE), "\"")
}

# The 64-bit words of a fixed-width column, and its values as doubles, exact or rejected.
int64_column <- function(column, name, kind) {
  words <- slice_values(column$data, "integer", 4L, 2 * column$rows)
  exact <- int64_exact(words)
  nulls <- null_mask(column)
  if (!is.null(nulls)) exact <- exact | nulls
  list(words = words, exact = exact)
}

first_inexact <- function(words, exact) {
  row <- which(!exact)[1]
  int64_text(words[c(2 * row - 1, 2 * row)])
}

# TRUE where a decimal's text is reproduced by the double R reads: at most 15 significant digits,
# or an integer below 2^53; and never a finite value that overflows or underflows.
decimal_exact <- function(text, numbers) {
  exact <- rep(TRUE, length(text))
  candidates <- which(!is.na(text) & nchar(text, type = "bytes") > 15L)
  if (length(candidates)) {
    t <- text[candidates]
    mantissa <- sub("^[+-]", "", sub("[eE].*$", "", t))
    point <- regexpr(".", mantissa, fixed = TRUE)
    fraction <- ifelse(point > 0, substring(mantissa, point + 1L), "")
    digits <- gsub(".", "", mantissa, fixed = TRUE)
    digits <- sub("0+$", "", sub("^0+", "", digits))
    significant <- nchar(digits)
    x <- numbers[candidates]
    integral <- !grepl("[1-9]", fraction) & !grepl("[eE]-", t) & is.finite(x) & x == trunc(x)
    exact[candidates] <- !is.finite(x) | significant <= 15L | (integral & abs(x) < TWO_53)
  }
  # text that is a finite number but gives an infinity, zero or a subnormal lost its value
  odd <- which(!is.na(text) & (!is.finite(numbers) | numbers == 0 | abs(numbers) < 2.2250738585072014e-308))
  if (length(odd)) {
    t <- text[odd]
    lost <- !grepl("[IN]", t) & (!is.finite(numbers[odd]) | grepl("[1-9]", sub("[eE].*$", "", t)))
    exact[odd[lost]] <- FALSE
  }
  exact
}

# Fails the job when a DECIMAL column's rows `check` (1-based), read as the doubles `numbers`, are
# not those decimals exactly: only long values and zeros, infinities and subnormals can be
# inexact, and their text decides.
check_decimals <- function(column, check, numbers, name) {
  if (!length(check)) return(invisible())
  text <- decimal_text(column, check)
  exact <- decimal_exact(text, numbers)
  if (!all(exact)) {
    type_error("column '", name, "' holds the numeric ", text[which(!exact)[1]], ", which R's numeric ",
               "(a double) cannot hold exactly; cast it in the query, e.g. ", quote_name(name), "::text, or ",
               quote_name(name), "::float8 if rounding is acceptable")
  }
}

# Whether the doubles `values` equal the int64 values at positions `at` of `words` exactly.
int64_exact_double <- function(values, words, at) {
  again <- readBin(int64_bytes(values), "integer", 2L * length(values), size = 4L, endian = "little")
  original <- words[as.vector(rbind(2L * at - 1L, 2L * at))]
  same <- (is.na(again) & is.na(original)) | (!is.na(again) & !is.na(original) & again == original)
  colSums(matrix(same, nrow = 2L)) == 2L
}

utc_posixct <- function(seconds) structure(seconds, class = c("POSIXct", "POSIXt"), tzone = "UTC")

# Microseconds (doubles, exact) to seconds, checked to come back to the same microsecond.
micros_to_seconds <- function(micros, nulls, name) {
  seconds <- micros / 1e6
  finite <- is.finite(micros)
  back <- round(seconds * 1e6)
  lossy <- finite & back != micros
  if (!is.null(nulls)) lossy <- lossy & !nulls
  if (any(lossy, na.rm = TRUE)) {
    type_error("column '", name, "' holds a time beyond the microsecond precision of R's POSIXct/difftime ",
               "(seconds in a double); cast it in the query, e.g. ", quote_name(name), "::text")
  }
  seconds
}

# "HH:MM:SS" with ".ffffff" as PostgreSQL prints a time (trailing zeros dropped).
format_time_of_day <- function(micros) {
  seconds <- micros %/% 1e6
  fraction <- micros %% 1e6
  text <- sprintf("%02.0f:%02.0f:%02.0f", seconds %/% 3600, (seconds %/% 60) %% 60, seconds %% 60)
  part <- sub("0+$", "", sprintf(".%06.0f", fraction))
  ifelse(fraction == 0, text, paste0(text, part))
}

# An interval as PostgreSQL's "postgres" style prints it, with an explicit sign on every field
# whenever one is negative, so every IntervalStyle reads the text back the same.
format_interval <- function(micros, days, months) {
  years <- trunc(months / 12)
  mons <- months - years * 12
  negative <- years < 0 | mons < 0 | days < 0 | micros < 0
  signed <- function(v) ifelse(v < 0, "-", ifelse(negative, "+", ""))
  unit <- function(v, one, many) ifelse(v == 0, "", sprintf("%s%.0f %s ", signed(v), abs(v), ifelse(v == 1, one, many)))
  seconds <- abs(micros) %/% 1e6
  fraction <- abs(micros) %% 1e6
  clock <- sprintf("%s%02.0f:%02.0f:%02.0f%s", signed(micros), seconds %/% 3600, (seconds %/% 60) %% 60, seconds %% 60,
                   ifelse(fraction == 0, "", sub("0+$", "", sprintf(".%06.0f", fraction))))
  show_clock <- micros != 0 | (years == 0 & mons == 0 & days == 0)
  text <- paste0(unit(years, "year", "years"), unit(mons, "mon", "mons"), unit(days, "day", "days"),
                 ifelse(show_clock, clock, ""))
  sub(" $", "", text)
}

# An INTERVAL column's fields, kept apart until every batch of a unit is in (months decide the type).
interval_fields <- function(column, name) {
  words <- slice_values(column$data, "integer", 4L, 4 * column$rows)
  rows <- column$rows
  index <- 4 * seq_len(rows)
  micro_words <- as.vector(rbind(words[index - 3], words[index - 2]))
  exact <- int64_exact(micro_words)
  nulls <- null_mask(column)
  if (!is.null(nulls)) exact <- exact | nulls
  if (!all(exact)) {
    type_error("column '", name, "' holds an interval of ", first_inexact(micro_words, exact),
               " microseconds, beyond what R's doubles hold exactly; cast it in the query, e.g. ", quote_name(name), "::text")
  }
  fix <- function(w) { w <- as.double(w); w[is.na(w)] <- -2147483648; w }
  structure(list(micros = int64_values(micro_words), days = fix(words[index - 1]), months = fix(words[index]),
                 nulls = if (is.null(nulls)) logical(rows) else nulls),
            class = "extensa_interval_part")
}

# Intervals become difftime in seconds when no row has months, else text.
finish_intervals <- function(part, name) {
  if (any(part$months[!part$nulls] != 0)) {
    return(with_nulls(format_interval(part$micros, part$days, part$months), part$nulls, NA_character_))
  }
  micros <- part$micros + part$days * 86400e6
  if (any(abs(micros[!part$nulls]) > TWO_53)) {
    type_error("column '", name, "' holds an interval beyond what R's difftime holds exactly; ",
               "cast it in the query, e.g. ", quote_name(name), "::text")
  }
  seconds <- micros_to_seconds(micros, part$nulls, name)
  structure(with_nulls(seconds, part$nulls, NA_real_), class = "difftime", units = "secs")
}

split_bytes <- function(column) {
  lengths <- diff(column$offsets)
  if (!length(lengths)) return(list())
  con <- rawConnection(column$data, "rb")
  on.exit(close(con))
  values <- lapply(lengths, function(n) readBin(con, "raw", n))
  nulls <- null_mask(column)
  if (!is.null(nulls)) values[nulls] <- list(NULL)
  values
}

# One R value per row of a PostgreSQL array: a vector (an array with dim for two or more
# dimensions) of the element type, NULL for NULL.
split_arrays <- function(column, name) {
  elements <- finish_column(convert_column(column$child, name), column$child$type, name)
  rows <- column$rows
  lengths <- diff(column$offsets)
  plain <- unclass(elements)
  keep <- attributes(elements)
  groups <- if (rows) split(plain, factor(rep.int(seq_len(rows), lengths), levels = seq_len(rows))) else list()
  names(groups) <- NULL
  if (!is.null(keep)) groups <- lapply(groups, function(v) { attributes(v) <- keep; v })
  if (!is.null(column$shapes)) {
    dims <- diff(column$shape_offsets)
    for (row in which(dims > 1L)) {
      shape <- column$shapes[seq.int(column$shape_offsets[row] + 1L, length.out = dims[row])]
      value <- aperm(array(unclass(groups[[row]]), dim = rev(shape)))
      if (!is.null(keep)) attributes(value) <- c(attributes(value), keep)
      groups[[row]] <- value
    }
  }
  nulls <- null_mask(column)
  if (!is.null(nulls)) groups[nulls] <- list(NULL)
  groups
}

# Converts one raw column (one batch) into an R vector, or the parts that finish_column completes.
convert_column <- function(column, name) {
  type <- column$type
  rows <- column$rows
  nulls <- null_mask(column)
  switch(TYPE_NAMES[[type]],
    BOOL = with_nulls(as.logical(slice_raw(column$data)), nulls, NA),
    INT16 = with_nulls(slice_values(column$data, "integer", 2L, rows), nulls, NA_integer_),
    INT32 = {
      values <- slice_values(column$data, "integer", 4L, rows)
      # -2^31 is a valid int4 but R's NA_integer_: such a column becomes numeric, still exact
      collide <- is.na(values)
      if (!is.null(nulls)) collide <- collide & !nulls
      if (any(collide)) {
        values <- as.double(values)
        values[collide] <- -2147483648
      }
      with_nulls(values, nulls, NA)
    },
    INT64 = {
      v <- int64_column(column, name)
      if (!all(v$exact)) {
        type_error("column '", name, "' holds ", first_inexact(v$words, v$exact), ", which R's numeric (a double) ",
                   "cannot hold exactly (integers beyond +/-2^53 lose digits); cast it in the query, e.g. ",
                   quote_name(name), "::text, or ", quote_name(name), "::float8 if rounding is acceptable")
      }
      with_nulls(int64_values(v$words), nulls, NA_real_)
    },
    FLOAT32 = , FLOAT64 = {
      values <- slice_values(column$data, "double", if (type == T_FLOAT32) 4L else 8L, rows)
      # a NaN whose bits happen to be R's NA stays a NaN: only NULL is NA (anyNA: one pass, no
      # allocation, for the usual column without NaN)
      if (anyNA(values)) {
        missing <- which(is.na(values))
        values[missing[!is.nan(values[missing])]] <- NaN
      }
      with_nulls(values, nulls, NA_real_)
    },
    DECIMAL = {
      check_decimals(column, column$check, column$numbers[column$check], name)
      column$numbers
    },
    TEXT = , JSON = column$text,
    BYTES = split_bytes(column),
    UUID = {
      halves <- slice_values(column$data, "integer", 2L, 8L * rows, endian = "big", signed = FALSE)
      index <- 8L * seq_len(rows)
      part <- function(k) halves[index - 8L + k]
      text <- sprintf("%04x%04x-%04x-%04x-%04x-%04x%04x%04x", part(1L), part(2L), part(3L), part(4L), part(5L),
                      part(6L), part(7L), part(8L))
      with_nulls(text, nulls, NA_character_)
    },
    DATE = {
      days <- as.double(slice_values(column$data, "integer", 4L, rows))
      days[is.na(days)] <- -Inf  # the bit pattern of -2^31, PostgreSQL's -infinity
      days[days == DATE_INFINITY] <- Inf
      structure(with_nulls(days, nulls, NA_real_), class = "Date")
    },
    TIMESTAMP = , TIMESTAMPTZ = {
      words <- slice_values(column$data, "integer", 4L, 2 * rows)
      halves <- int64_halves(words)
      positive_infinity <- halves$hi == 2147483647 & halves$lo == -1
      negative_infinity <- halves$hi == -2147483648 & halves$lo == 0
      micros <- int64_values(words)
      # beyond 2^53 microseconds (before 1685 or after 2255) a value is kept only when the double
      # holds it exactly, as whole seconds far from 1970 usually are
      far <- !int64_exact(words) & !positive_infinity & !negative_infinity
      if (!is.null(nulls)) far <- far & !nulls
      far <- which(far)
      if (length(far) && !all(int64_exact_double(micros[far], words, far))) {
        type_error("column '", name, "' holds a timestamp that R's POSIXct (seconds in a double) cannot hold to the ",
                   "microsecond (it can between the years 1685 and 2255, and whole seconds far beyond); cast it in the ",
                   "query, e.g. ", quote_name(name), "::text")
      }
      micros[positive_infinity] <- Inf
      micros[negative_infinity] <- -Inf
      utc_posixct(with_nulls(micros_to_seconds(micros, nulls, name), nulls, NA_real_))
    },
    TIME = {
      micros <- int64_values(slice_values(column$data, "integer", 4L, 2 * rows))
      with_nulls(format_time_of_day(micros), nulls, NA_character_)
    },
    INTERVAL = interval_fields(column, name),
    ARRAY = split_arrays(column, name))
}

# Completes a column from its converted parts (one per batch of the unit).
finish_column <- function(part, type, name) {
  if (inherits(part, "extensa_interval_part")) finish_intervals(part, name) else part
}

combine_parts <- function(parts, type, name) {
  if (length(parts) == 1L) return(finish_column(parts[[1L]], type, name))
  if (type == T_INTERVAL) {
    joined <- structure(lapply(c("micros", "days", "months", "nulls"), function(f) unlist(lapply(parts, `[[`, f))),
                        names = c("micros", "days", "months", "nulls"), class = "extensa_interval_part")
    return(finish_intervals(joined, name))
  }
  if (is.list(parts[[1L]])) return(do.call(c, parts))
  keep <- attributes(parts[[1L]])
  values <- unlist(lapply(parts, unclass), use.names = FALSE)
  if (!is.null(keep)) attributes(values) <- keep
  values
}

# ---- input columns built in place ------------------------------------------------------------

# Wire types whose input columns are built in place, every batch read straight into the final
# vector (native column.c); the others are converted batch by batch and joined (combine_parts).
IN_PLACE_TYPES <- c(T_BOOL, T_INT16, T_INT32, T_FLOAT32, T_FLOAT64, T_DECIMAL, T_DATE)

# Collects one input column over the batches of a unit: add(column) takes a decoded raw column
# (decode_column, DECIMAL text unparsed), finish() returns the R vector of all rows, as
# combine_parts would make it from convert_column's parts.
input_builder <- function(type, element_type, name) {
  if (type %in% IN_PLACE_TYPES) in_place_builder(type, name) else parts_builder(type, element_type, name)
}

parts_builder <- function(type, element_type, name) {
  parts <- list()
  list(
    add = function(column) parts[[length(parts) + 1L]] <<- convert_column(column, name),
    finish = function() {
      if (!length(parts)) parts <- list(convert_column(empty_column(type, element_type), name))
      combine_parts(parts, type, name)
    })
}

in_place_builder <- function(type, name) {
  built <- .Call(native$ext_column_new, type)
  collisions <- NULL
  list(
    add = function(column) {
      data <- column$data
      if (is.raw(data)) data <- slice(new_buffer(data), 0, length(data))
      offsets <- column$offsets_slice
      # DECIMAL text and its offsets are read from one payload: a column not decoded from one
      # payload (built in R) gets one holding both
      if (!is.null(offsets) && !identical(offsets$buffer, data$buffer)) {
        both <- c(slice_raw(offsets), padding(offsets$length), slice_raw(data))
        offsets <- slice(new_buffer(both), 0, offsets$length)
        data <- slice(offsets$buffer, offsets$length + length(padding(offsets$length)), data$length)
      }
      got <- .Call(native$ext_column_append, built, data$buffer$raw, data$offset, column$rows, column$validity,
                   offsets$offset)
      if (type == T_INT32 && length(got)) collisions <<- c(collisions, got)
      if (type == T_DECIMAL && length(got)) {
        if (is.double(got)) column_error(column$where, "row ", got, " is not a decimal number")
        check_decimals(column, got[[1]], got[[2]], name)
      }
    },
    finish = function() {
      values <- .Call(native$ext_column_finish, built)
      # -2^31 is a valid int4 but R's NA_integer_: such a column becomes numeric, still exact
      if (length(collisions)) {
        values <- as.double(values)
        values[collisions] <- -2147483648
      }
      if (type == T_DATE) class(values) <- "Date"
      values
    })
}

# An empty raw column of a type (zero rows), to give a column without batches its R type.
empty_column <- function(type, element_type = NULL) {
  column <- list(type = type, rows = 0, null_count = 0, validity = NULL, offsets = NULL, data = raw(0),
                 child = NULL, shape_offsets = NULL, shapes = NULL, text = if (type %in% TEXT_TYPES) character(0),
                 numbers = numeric(0))
  if (type %in% VARIABLE_TYPES || type == T_ARRAY) column$offsets <- 0L
  if (type == T_ARRAY) column$child <- empty_column(if (is.null(element_type)) T_TEXT else element_type)
  column
}

# The R value of a parameter: its one-row column converted; lists (BYTES, ARRAY) give their element.
param_value <- function(column, name) {
  value <- finish_column(convert_column(column, name), column$type, name)
  if (is.list(value)) value[[1L]] else value
}

# The input data set: a data.frame with the query's column names (duplicates kept), strings as
# character (never factors), list columns for BYTES and ARRAY, and the row count of the input
# even when there are no columns.
input_frame <- function(columns, names, rows) {
  structure(columns, names = names, class = "data.frame", row.names = .set_row_names(rows))
}
