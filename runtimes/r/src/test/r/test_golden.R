# The golden files of testdata/protocol (docs/protocol.md section 12): every frame read through the
# native reader, compared with its .json (frame header, field tree, batch and parameter values),
# decoded, re-encoded through the native writer and, for canonical files, compared byte for byte;
# every invalid/ file rejected.

json <- function(path) jsonlite::fromJSON(path, simplifyVector = FALSE)

hex <- function(bytes) paste(as.character(bytes), collapse = "")

special_float <- function(v) {
  if (is.nan(v)) return("NaN")
  if (is.infinite(v)) return(if (v > 0) "Infinity" else "-Infinity")
  v
}

# The generic field tree of a payload, in the .json's form.
field_tree <- function(buffer, start, end) {
  lapply(field_headers(buffer, start, end, "payload"), function(h) {
    node <- list(tag = h$tag, kind = kind_name(h$kind))
    if (h$flags %% 2 == 1) node$critical <- TRUE
    kind <- kind_name(h$kind)
    if (kind == "STRUCT") {
      node$fields <- field_tree(buffer, h$offset, h$offset + h$length)
    } else if (kind == "INT") {
      node$int <- int64_text(read_at(buffer, h$offset, "integer", 2L, 4L))
    } else if (kind == "FLOAT") {
      node$float <- special_float(read_at(buffer, h$offset, "double", 1L, 8L))
    } else if (kind == "BOOL") {
      node$bool <- decode_value(buffer, h, "payload")
    } else if (kind == "TEXT") {
      node$text <- decode_value(buffer, h, "payload")
    } else {
      node$hex <- hex(slice_raw(slice(buffer, h$offset, h$length)))
    }
    node
  })
}

fix_int32 <- function(v) {
  v <- as.double(v)
  v[is.na(v)] <- -2147483648
  v
}

# A raw column's values in the .json's neutral form (NULL for NULL).
neutral_values <- function(column) {
  type <- TYPE_NAMES[[column$type]]
  rows <- column$rows
  values <- switch(type,
    BOOL = as.list(as.logical(slice_raw(column$data))),
    INT16 = as.list(as.double(slice_values(column$data, "integer", 2L, rows))),
    INT32 = , DATE = as.list(fix_int32(slice_values(column$data, "integer", 4L, rows))),
    INT64 = , TIMESTAMP = , TIMESTAMPTZ = , TIME = {
      words <- slice_values(column$data, "integer", 4L, 2 * rows)
      lapply(seq_len(rows), function(i) int64_text(words[c(2 * i - 1, 2 * i)]))
    },
    FLOAT32 = , FLOAT64 = lapply(slice_values(column$data, "double", if (type == "FLOAT32") 4L else 8L, rows), special_float),
    DECIMAL = as.list(decimal_text(column)),
    TEXT = , JSON = as.list(column$text),
    BYTES = lapply(split_bytes(column), function(b) if (is.null(b)) NULL else hex(b)),
    UUID = as.list(convert_column(column, "uuid")),
    INTERVAL = {
      words <- slice_values(column$data, "integer", 4L, 4 * rows)
      lapply(seq_len(rows), function(i) {
        w <- words[(4 * i - 3):(4 * i)]
        list(micros = int64_text(w[1:2]), days = fix_int32(w[3]), months = fix_int32(w[4]))
      })
    },
    ARRAY = {
      elements <- neutral_values(column$child)
      lapply(seq_len(rows), function(i) {
        flat <- elements[seq.int(column$offsets[i] + 1, length.out = column$offsets[i + 1] - column$offsets[i])]
        shape <- if (!is.null(column$shapes)) {
          column$shapes[seq.int(column$shape_offsets[i] + 1, length.out = column$shape_offsets[i + 1] - column$shape_offsets[i])]
        } else if (length(flat)) length(flat) else integer(0)
        list(shape = as.list(as.double(shape)), elements = flat)
      })
    })
  if (!is.null(column$validity)) values[column$validity == as.raw(0L)] <- list(NULL)
  values
}

# A .json expectation in neutral_values' form: FLOAT32 rounded to binary32, numbers as doubles.
normalize <- function(type, element_type, value) {
  if (is.null(value)) return(NULL)
  if (type == "FLOAT32" && is.numeric(value)) return(readBin(writeBin(as.double(value), raw(), size = 4L), "double", 1L, size = 4L))
  if (type == "ARRAY") {
    return(list(shape = lapply(value$shape, as.double), elements = lapply(value$elements, function(e) normalize(element_type, NULL, e))))
  }
  if (type == "INTERVAL") return(list(micros = value$micros, days = as.double(value$days), months = as.double(value$months)))
  if (is.numeric(value)) return(as.double(value))
  value
}

# Equality that tells -0 from 0 and does not care about integer vs double.
same <- function(a, b) {
  if (is.null(a) || is.null(b)) return(is.null(a) && is.null(b))
  if (is.numeric(a) && is.numeric(b)) {
    return(length(a) == length(b) && all(a == b) && all(a != 0 | sign(1 / a) == sign(1 / b)))
  }
  if (is.list(a) || is.list(b)) {
    if (!is.list(a) || !is.list(b) || length(a) != length(b)) return(FALSE)
    if (!identical(names(a), names(b))) return(FALSE)
    return(all(vapply(seq_along(a), function(i) same(a[[i]], b[[i]]), TRUE)))
  }
  identical(a, b)
}

read_file_frames <- function(path, max_payload = DEFAULT_MAX_PAYLOAD) {
  fd <- .Call(native$ext_open_file, path, FALSE)
  on.exit(.Call(native$ext_close, fd))
  reader <- new_reader(fd_source(fd), max_payload)
  frames <- list()
  repeat {
    frame <- read_frame(reader)
    if (is.null(frame)) return(frames)
    frames[[length(frames) + 1L]] <- frame
  }
}

check_golden <- function(name) {
  bin <- file.path(testdata, paste0(name, ".bin"))
  description <- json(file.path(testdata, paste0(name, ".json")))
  frames <- read_file_frames(bin)
  expect_identical(length(frames), length(description$frames), "frames")
  out_path <- tempfile(fileext = ".bin")
  out <- .Call(native$ext_open_file, out_path, TRUE)
  writer <- new_writer(out)
  for (i in seq_along(frames)) {
    frame <- frames[[i]]
    expected <- description$frames[[i]]
    expect_identical(message_name(frame$type), expected$type, "type")
    expect_equal(frame$type, as.integer(expected$code), "code")
    expect_equal(frame$sequence, as.double(expected$sequence), "sequence")
    expect_equal(length(frame$payload), as.integer(expected$length), "length")
    with_buffer(frame$payload, function(b) {
      expect_true(same(field_tree(b, 0, length(frame$payload)), expected$fields), paste(name, "field tree"))
      message <- decode_message(frame$type, b)
      parts <- if (!is.null(expected$batch)) {
        batch <- decode_batch(message)
        expect_equal(batch$rows, as.double(expected$batch$row_count), "row_count")
        expect_identical(length(batch$columns), length(expected$batch$columns), "columns")
        for (k in seq_along(batch$columns)) {
          column <- batch$columns[[k]]
          want <- expected$batch$columns[[k]]
          expect_identical(TYPE_NAMES[[column$type]], want$type, "column type")
          if (!is.null(want$element_type)) expect_identical(TYPE_NAMES[[column$child$type]], want$element_type, "element type")
          got <- neutral_values(column)
          wanted <- lapply(want$values, function(v) normalize(want$type, want$element_type, v))
          expect_true(same(got, wanted), sprintf("%s column %d: %s != %s", name, k, show(got), show(wanted)))
        }
        # re-encoded from the decoded raw columns, not from the generic field lists
        batch_parts(batch$rows, batch$columns)
      } else {
        if (!is.null(expected$params)) {
          params <- message$param
          expect_identical(length(params), length(expected$params), "params")
          for (k in seq_along(params)) {
            want <- expected$params[[k]]
            expect_identical(params[[k]]$name, want$name, "param name")
            expect_identical(TYPE_NAMES[[params[[k]]$type]], want$type, "param type")
            column <- decode_column(params[[k]]$value, 1)
            expect_true(same(neutral_values(column)[[1]], normalize(want$type, want$element_type, want$value)),
                        paste(name, "param", want$name))
            message$param[[k]]$value <- encoded(column_parts(column))
          }
        }
        encode_message(frame$type, message)
      }
      write_frame(writer, frame$type, parts)
    })
  }
  .Call(native$ext_close, out)
  if (isTRUE(description$canonical)) {
    original <- readBin(bin, "raw", file.size(bin))
    again <- readBin(out_path, "raw", max(1, file.size(out_path)))[seq_len(file.size(out_path))]
    expect_true(identical(again, original), paste(name, "re-encodes byte for byte"))
  }
  unlink(out_path)
}

names <- sort(sub("\\.bin$", "", list.files(testdata, pattern = "\\.bin$")))

test("golden files exist", function() expect_true(length(names) > 30))

for (name in names) local({
  golden <- name
  test(paste("golden", golden), function() check_golden(golden))
})

invalid <- sort(sub("\\.bin$", "", list.files(file.path(testdata, "invalid"), pattern = "\\.bin$")))

test("invalid files exist", function() expect_true(length(invalid) > 20))

for (name in invalid) local({
  bad <- name
  test(paste("invalid", bad, "is rejected"), function() {
    caught <- tryCatch({
      for (frame in read_file_frames(file.path(testdata, "invalid", paste0(bad, ".bin")))) {
        with_buffer(frame$payload, function(b) {
          message <- decode_message(frame$type, b)
          if (frame$type %in% c(MSG$INPUT_BATCH, MSG$OUTPUT_BATCH)) decode_batch(message)
          for (p in message$param) decode_column(p$value, 1)
        })
      }
      NULL
    }, extensa_protocol_error = function(e) e, extensa_connection_lost = function(e) e)
    expect_true(!is.null(caught), paste(bad, "was accepted"))
  })
})
