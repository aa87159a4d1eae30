# A small test harness: test() runs a named block and records its outcome; expect_* check.

results <- new.env(parent = emptyenv())
results$passed <- 0L
results$failed <- character(0)

test <- function(name, block) {
  started <- proc.time()[["elapsed"]]
  outcome <- tryCatch({
    block()
    NULL
  }, error = function(e) conditionMessage(e))
  took <- proc.time()[["elapsed"]] - started
  if (is.null(outcome)) {
    results$passed <- results$passed + 1L
    cat(sprintf("ok    %s (%.2fs)\n", name, took))
  } else {
    results$failed <- c(results$failed, name)
    cat(sprintf("FAIL  %s: %s\n", name, outcome))
  }
}

report <- function() {
  cat(sprintf("\nR satellite tests: %d passed, %d failed\n", results$passed, length(results$failed)))
  if (length(results$failed)) cat("failed:", paste(results$failed, collapse = ", "), "\n")
  length(results$failed)
}

show <- function(x) paste(utils::capture.output(utils::str(x)), collapse = " ")

expect_true <- function(condition, what = "") {
  if (!isTRUE(condition)) stop("expected TRUE", if (nzchar(what)) paste0(": ", what), call. = FALSE)
}

expect_identical <- function(actual, expected, what = "") {
  if (!identical(actual, expected)) {
    stop(sprintf("%s%s is not %s", if (nzchar(what)) paste0(what, ": ") else "", show(actual), show(expected)), call. = FALSE)
  }
}

expect_equal <- function(actual, expected, what = "") {
  ok <- isTRUE(all.equal(actual, expected, tolerance = 0))
  if (!ok) stop(sprintf("%s%s is not %s", if (nzchar(what)) paste0(what, ": ") else "", show(actual), show(expected)), call. = FALSE)
}

# Runs expr and expects a condition of class `class` whose message matches `pattern`.
expect_condition <- function(expr, class, pattern = NULL) {
  caught <- tryCatch({
    force(expr)
    NULL
  }, condition = function(e) e)
  if (is.null(caught)) stop("expected a ", class, " condition, got none", call. = FALSE)
  if (!inherits(caught, class)) stop("expected a ", class, " condition, got ", class(caught)[1], ": ", conditionMessage(caught), call. = FALSE)
  if (!is.null(pattern) && !grepl(pattern, conditionMessage(caught), fixed = TRUE)) {
    stop("message '", conditionMessage(caught), "' lacks '", pattern, "'", call. = FALSE)
  }
  invisible(caught)
}

# Encodes a payload (a list of raw parts) and decodes it again through a buffer, as a receiver would.
as_bytes <- function(parts) unlist(parts, use.names = FALSE) %||% raw(0)

# R value -> prepared output column -> column struct bytes -> decoded raw column -> R value.
round_trip <- function(x, name = "x") {
  column <- infer_column(x, name)
  bytes <- as_bytes(column_parts(column$slice(1, column$rows)))
  raw_column <- with_buffer(bytes, function(b) {
    fields <- decode_struct(b, 0, length(bytes), SCHEMAS$column)
    decode_column(fields, column$rows)
  })
  list(type = column$type, pg_type = column$pg_type, element_type = column$element_type,
       value = finish_column(convert_column(raw_column, name), raw_column$type, name))
}
