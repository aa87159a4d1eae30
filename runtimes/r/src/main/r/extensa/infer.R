# Output inference: a data.frame column or an R value becomes a typed wire column
# (docs/types.md, "R -> wire type").
#
# An output column is prepared once (its type, its NULLs, the estimated bytes of every row) and
# encoded batch by batch from slices of the R vector, with one writeBin per buffer.

INT64_LIMIT <- 9223372036854775808  # 2^63

# What kind of R vector x is, for typing columns and array elements.
value_kind <- function(x, name) {
  if (is.null(x)) return("null")
  if (inherits(x, "integer64")) {
    type_error("column '", name, "' is a bit64 integer64, which this runtime does not read; convert it, ",
               "e.g. as.character(x) (exact) or as.numeric(x)")
  }
  if (is.factor(x)) return("factor")
  if (inherits(x, "POSIXlt")) return("POSIXlt")
  if (inherits(x, "POSIXct")) return("POSIXct")
  if (inherits(x, "Date")) return("Date")
  if (inherits(x, "difftime")) return("difftime")
  switch(typeof(x),
    logical = "logical", integer = "integer", double = "double", character = "character", raw = "raw",
    list = if (is.data.frame(x)) "data.frame" else "list",
    typeof(x))
}

unsupported <- function(name, what) {
  type_error("column '", name, "' is ", what, ", which has no PostgreSQL counterpart; convert it, e.g. ",
             "as.character(x), or serialize(x, NULL) for a bytea")
}

# A prepared output column: list(type, element_type, pg_type, rows, row_bytes, slice(a, b)), where
# slice returns the raw column (as decode_column builds it) of rows a..b.
infer_column <- function(x, name) {
  if (!is.null(dim(x)) && length(dim(x)) > 1L && !is.data.frame(x)) {
    type_error("column '", name, "' is a matrix; give every column its own name, e.g. cbind(df, as.data.frame(m))")
  }
  kind <- value_kind(x, name)
  switch(kind,
    factor = infer_column(as.character(x), name),
    POSIXlt = infer_column(as.POSIXct(x), name),
    logical = fixed_column(T_BOOL, x, is.na(x), function(v) as.raw(v)),
    integer = fixed_column(T_INT32, x, is.na(x), function(v) writeBin(v, raw(), size = 4L, endian = "little")),
    double = , Date = , POSIXct = , difftime = infer_double(x, kind, name),
    character = text_column(x, name),
    raw = type_error("column '", name, "' is a raw vector, one byte per row, next to other columns; for one bytea ",
                     "value per row use a list column, e.g. data.frame(id = 1, model = I(list(bytes))), or return ",
                     "only raw columns to get one row holding each whole vector"),
    list = infer_list(x, name),
    data.frame = type_error("column '", name, "' is a data.frame; flatten it into columns of its own"),
    unsupported(name, paste("of type", kind)))
}

# Fixed-width columns: NULL slots written as zeros; `encode` turns a slice of values into bytes.
fixed_column <- function(type, x, nulls, encode, pg_type = PG_TYPES[[type]], fill = 0L) {
  rows <- length(x)
  has_nulls <- any(nulls)
  width <- WIDTH[[type]]
  list(type = type, element_type = NULL, pg_type = pg_type, rows = rows,
       row_bytes = rep.int(width + has_nulls, rows),
       slice = function(a, b) {
         v <- x[a:b]
         n <- nulls[a:b]
         null_count <- sum(n)
         if (null_count) v[n] <- fill
         list(type = type, rows = b - a + 1, null_count = null_count,
              validity = if (null_count) as.raw(!n) else NULL, offsets = NULL, data = encode(v))
       })
}

infer_double <- function(x, kind, name) {
  values <- unclass(x)
  attributes(values) <- NULL
  if (kind == "double") {
    nulls <- is.na(values) & !is.nan(values)
    return(fixed_column(T_FLOAT64, values, nulls, function(v) writeBin(v, raw(), size = 8L, endian = "little")))
  }
  nulls <- is.na(values)
  if (kind == "Date") {
    days <- floor(values)
    out_of_range <- is.finite(days) & (days <= -2147483648 | days >= 2147483647)
    if (any(out_of_range, na.rm = TRUE)) type_error("column '", name, "' holds a date outside PostgreSQL's range")
    days[which(days == Inf)] <- 2147483647
    days[which(days == -Inf)] <- -2147483648
    return(fixed_column(T_DATE, days, nulls, function(v) writeBin(suppressWarnings(as.integer(v)), raw(), size = 4L, endian = "little"),
                        fill = 0))
  }
  if (kind == "POSIXct") {
    micros <- round(values * 1e6)
    out_of_range <- is.finite(micros) & abs(micros) >= INT64_LIMIT
    if (any(out_of_range, na.rm = TRUE)) type_error("column '", name, "' holds a time outside PostgreSQL's range")
    return(fixed_column(T_TIMESTAMPTZ, micros, nulls, int64_bytes, fill = 0))
  }
  # difftime: whole days in days (truncated toward zero), the rest in microseconds
  seconds <- as.double(values) * switch(attr(x, "units"), secs = 1, mins = 60, hours = 3600, days = 86400, weeks = 604800, 1)
  micros <- round(seconds * 1e6)
  if (any(!is.finite(micros) & !nulls)) {
    type_error("column '", name, "' holds an infinite or NaN difftime, which an interval cannot hold")
  }
  days <- trunc(micros / 86400e6)
  rest <- micros - days * 86400e6
  if (any(abs(days) > 2147483647, na.rm = TRUE)) type_error("column '", name, "' holds an interval too long for PostgreSQL")
  interval_bytes <- function(v) {
    d <- trunc(v / 86400e6)
    r <- v - d * 86400e6
    n <- length(v)
    as.vector(rbind(matrix(int64_bytes(r), nrow = 8L), matrix(writeBin(as.integer(d), raw(), size = 4L, endian = "little"), nrow = 4L),
                    matrix(raw(4L * n), nrow = 4L)))
  }
  fixed_column(T_INTERVAL, micros, nulls, interval_bytes, fill = 0)
}

# Text: UTF-8 bytes of the values, NULL for NA.
text_column <- function(x, name, type = T_TEXT) {
  x <- enc2utf8(as.character(x))
  nulls <- is.na(x)
  bad <- !nulls & !validUTF8(x)
  if (any(bad)) {
    type_error("column '", name, "' holds a string that is not valid UTF-8 (row ", which(bad)[1], "); ",
               "convert it, e.g. iconv(x, from = \"latin1\", to = \"UTF-8\")")
  }
  lengths <- nchar(x, type = "bytes")
  lengths[nulls] <- 0L
  list(type = type, element_type = NULL, pg_type = PG_TYPES[[type]], rows = length(x),
       row_bytes = lengths + 4 + any(nulls),
       slice = function(a, b) {
         v <- x[a:b]
         n <- nulls[a:b]
         null_count <- sum(n)
         if (null_count) v[n] <- ""
         offsets <- c(0, cumsum(as.double(lengths[a:b])))
         if (offsets[length(offsets)] > INT32_MAX) {
           type_error("column '", name, "' holds more than 2 GiB of text in rows ", a, "..", b)
         }
         list(type = type, rows = b - a + 1, null_count = null_count, validity = if (null_count) as.raw(!n) else NULL,
              offsets = as.integer(offsets), data = charToRaw(paste0(v, collapse = "")))
       })
}

# BYTES: a list of raw vectors, NULL for NULL.
bytes_column <- function(values, name) {
  nulls <- vapply(values, is.null, TRUE)
  lengths <- lengths(values)
  list(type = T_BYTES, element_type = NULL, pg_type = "bytea", rows = length(values),
       row_bytes = lengths + 4 + any(nulls),
       slice = function(a, b) {
         n <- nulls[a:b]
         null_count <- sum(n)
         offsets <- c(0, cumsum(as.double(lengths[a:b])))
         if (offsets[length(offsets)] > INT32_MAX) {
           type_error("column '", name, "' holds more than 2 GiB of bytes in rows ", a, "..", b)
         }
         list(type = T_BYTES, rows = b - a + 1, null_count = null_count, validity = if (null_count) as.raw(!n) else NULL,
              offsets = as.integer(offsets), data = unlist(values[a:b], use.names = FALSE) %||% raw(0))
       })
}

`%||%` <- function(a, b) if (is.null(a)) b else a

# A list column: raw vectors make BYTES; atomic vectors (one kind) make an ARRAY of that kind,
# with the dims of arrays as shapes.
infer_list <- function(values, name) {
  kinds <- vapply(values, value_kind, "", name = name)
  present <- unique(kinds[kinds != "null"])
  if (!length(present) || identical(present, "raw")) {
    if (!length(present) && length(values)) return(text_column(rep(NA_character_, length(values)), name))
    return(bytes_column(values, name))
  }
  if (length(present) > 1L && !all(present %in% c("integer", "double"))) {
    type_error("column '", name, "' mixes ", paste(present, collapse = " and "), " values; convert them to one type, ",
               "or store them as JSON text")
  }
  if (any(present %in% c("list", "data.frame"))) {
    type_error("column '", name, "' holds nested lists; store them as JSON text, e.g. jsonlite::toJSON(x)")
  }
  array_column(values, kinds, name)
}

array_column <- function(values, kinds, name) {
  rows <- length(values)
  nulls <- kinds == "null"
  flat <- lapply(values, function(v) {
    if (!is.null(dim(v)) && length(dim(v)) > 1L) {
      keep <- attributes(v)[c("class", "tzone", "units", "levels")]
      keep <- keep[!vapply(keep, is.null, TRUE)]
      v <- aperm(v)  # row-major, as PostgreSQL flattens arrays
      attributes(v) <- keep
    }
    if (is.factor(v)) as.character(v) else v
  })
  elements <- do.call(c, unname(flat[!nulls]))
  if (is.null(elements)) elements <- character(0)
  child <- infer_column(elements, name)
  if (child$type == T_BYTES) type_error("column '", name, "' holds raw vectors inside a list of vectors")
  counts <- lengths(values)
  dims <- lapply(values, function(v) if (!is.null(dim(v)) && length(dim(v)) > 1L) dim(v) else NULL)
  shaped <- !vapply(dims, is.null, TRUE)
  offsets <- c(0, cumsum(as.double(counts)))
  child_bytes <- c(0, cumsum(as.double(child$row_bytes)))
  list(type = T_ARRAY, element_type = child$type, pg_type = paste0(child$pg_type, "[]"), rows = rows,
       row_bytes = child_bytes[offsets[-1] + 1] - child_bytes[offsets[-length(offsets)] + 1] + 4 + 8 * shaped,
       slice = function(a, b) {
         n <- nulls[a:b]
         null_count <- sum(n)
         first <- offsets[a]
         element_rows <- offsets[b + 1] - first
         child_column <- if (element_rows > 0) child$slice(first + 1, first + element_rows) else empty_output(child$type)
         column <- list(type = T_ARRAY, rows = b - a + 1, null_count = null_count,
                        validity = if (null_count) as.raw(!n) else NULL, offsets = as.integer(offsets[a:(b + 1)] - first),
                        data = raw(0), child = child_column)
         if (any(shaped[a:b])) {
           row_dims <- lapply(a:b, function(i) if (shaped[i]) dims[[i]] else if (counts[i] > 0) counts[i] else integer(0))
           column$shape_offsets <- as.integer(c(0, cumsum(lengths(row_dims))))
           column$shapes <- as.integer(unlist(row_dims))
         }
         column
       })
}

empty_output <- function(type) {
  list(type = type, rows = 0, null_count = 0, validity = NULL,
       offsets = if (type %in% VARIABLE_TYPES) 0L else NULL, data = raw(0))
}

# The one-row column of an OUTPUT parameter's value, or NULL when the value is NULL or NA (the
# engine then sends a NULL of the declared type).
infer_value <- function(value, name) {
  if (is.null(value)) return(NULL)
  if (is.raw(value)) return(bytes_column(list(value), name))
  if (is.function(value) || is.environment(value) || isS4(value) || is.data.frame(value) ||
      (is.list(value) && !is.null(attr(value, "class")))) {
    type_error("parameter '", name, "' holds a ", class(value)[1], ", which has no PostgreSQL counterpart; ",
               "serialize it for a varbinary(max)/bytea parameter, e.g. ", name, " <- serialize(", name, ", NULL)")
  }
  if (is.list(value)) {
    type_error("parameter '", name, "' holds a list; serialize it, e.g. ", name, " <- serialize(", name, ", NULL), ",
               "or store it as JSON text")
  }
  if (length(value) == 1L && is.null(dim(value))) {
    if (is.na(value) && !(is.double(value) && is.nan(value))) return(NULL)
    return(infer_column(value, name))
  }
  infer_column(list(value), name)
}
