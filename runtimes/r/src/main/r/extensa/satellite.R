# One job's session with the engine (docs/protocol.md section 7): handshake, units of input, the
# script, output, OUTPUT parameters.
#
# R reads the socket itself; while a unit runs (the script, then its output) the native watcher
# looks at what the engine sends and interrupts the script on CANCEL, END or a lost connection.
# The script's stdout and stderr are streamed by the native capture thread. Every failure ends in
# an ERROR frame when the socket still works, then the process exits: the satellite never waits
# on an engine that is gone.

RUNTIME <- "r"
SCRIPT_FILE <- "<script>"
HANDSHAKE_TIMEOUT <- 60

EXIT_OK <- 0L
EXIT_SCRIPT_ERROR <- 1L
EXIT_PROTOCOL_ERROR <- 2L
EXIT_CANCELLED <- 3L
EXIT_CONNECTION_LOST <- 4L
EXIT_INTERNAL_ERROR <- 5L
EXIT_USAGE <- 64L
EXIT_CHILD_FAILED <- 70L
EXIT_CONNECT_FAILED <- 71L

# what the watcher saw (native watch.c)
REASON_NONE <- 0L
REASON_CANCEL <- 1L
REASON_END <- 2L
REASON_LOST <- 3L

runtime_version <- function() paste(R.version$major, R.version$minor, sep = ".")

session_error <- function(kind, message, exception = NULL, traceback = NULL, line = 0, detail = NULL) {
  stop(structure(class = c("extensa_session_error", "error", "condition"),
                 list(message = message, call = NULL, kind = kind, exception = exception, traceback = traceback,
                      line = line, detail = detail)))
}

cancelled <- function() {
  stop(structure(class = c("extensa_cancelled", "error", "condition"), list(message = "cancelled by the engine", call = NULL)))
}

engine_gone <- function(why) {
  stop(structure(class = c("extensa_engine_gone", "error", "condition"), list(message = why, call = NULL)))
}

new_session <- function(fd, job_id, secret) {
  s <- new.env(parent = emptyenv())
  s$fd <- fd
  s$job_id <- job_id
  s$secret <- secret
  s$reader <- new_reader(fd_source(fd))
  s$writer <- new_writer(fd)
  s$max_payload <- DEFAULT_MAX_PAYLOAD
  s$capturing <- FALSE
  s
}

# ---- frames in ------------------------------------------------------------------------------

# The next frame of one of the expected types; CANCEL, END, ERROR and the end of the stream end
# the session here, heartbeats are skipped.
next_frame <- function(s, expected) {
  repeat {
    frame <- read_frame(s$reader)
    if (is.null(frame)) engine_gone("the engine closed the connection")
    type <- frame$type
    if (type %in% c(MSG$HEARTBEAT, MSG$CANCEL, MSG$END, MSG$ERROR)) {
      message <- with_buffer(frame$payload, function(b) decode_message(type, b))
      if (type == MSG$HEARTBEAT) next
      if (type == MSG$CANCEL) cancelled()
      if (type == MSG$END) engine_gone("the engine said goodbye")
      engine_gone(paste("the engine reported an error:", message$message))
    }
    if (type %in% expected) return(frame)
    session_error(ERROR_PROTOCOL, sprintf("unexpected %s where %s was expected", message_name(type),
                                          paste(vapply(expected, message_name, ""), collapse = " or ")))
  }
}

next_message <- function(s, type) {
  frame <- next_frame(s, type)
  with_buffer(frame$payload, function(b) decode_message(frame$type, b))
}

# ---- the session ----------------------------------------------------------------------------

session_run <- function(s) {
  tryCatch({
    handshake(s)
    init <- next_message(s, MSG$SESSION_INIT)
    start_capture(s)
    serve(s, init)
    EXIT_OK
  },
  extensa_cancelled = function(e) {
    sync_output(s)
    send_error(s, ERROR_CANCELLED, "cancelled by the engine")
    EXIT_CANCELLED
  },
  extensa_engine_gone = function(e) EXIT_CONNECTION_LOST,
  extensa_connection_lost = function(e) EXIT_CONNECTION_LOST,
  extensa_session_error = function(e) {
    sync_output(s)
    send_error(s, e$kind, conditionMessage(e), e$exception, e$traceback, e$line, e$detail)
    switch(e$kind, protocol = EXIT_PROTOCOL_ERROR, internal = EXIT_INTERNAL_ERROR, EXIT_SCRIPT_ERROR)
  },
  extensa_type_error = function(e) {
    sync_output(s)
    send_error(s, ERROR_TYPE, conditionMessage(e))
    EXIT_SCRIPT_ERROR
  },
  extensa_protocol_error = function(e) {
    send_error(s, ERROR_PROTOCOL, conditionMessage(e))
    EXIT_PROTOCOL_ERROR
  },
  error = function(e) {
    # a fault of the satellite itself must still reach the engine, with where it happened
    send_error(s, ERROR_INTERNAL, paste("satellite failure:", conditionMessage(e)), class(e)[1],
               deparse(conditionCall(e), nlines = 1L))
    EXIT_INTERNAL_ERROR
  },
  interrupt = function(e) {
    send_error(s, ERROR_INTERNAL, "the satellite was interrupted")
    EXIT_INTERNAL_ERROR
  })
}

handshake <- function(s) {
  .Call(native$ext_set_recv_timeout, s$fd, HANDSHAKE_TIMEOUT)
  send_message(s$writer, MSG$HELLO, list(job_id = s$job_id, secret = s$secret, runtime = RUNTIME,
                                         runtime_version = runtime_version(), pid = Sys.getpid(),
                                         max_frame = DEFAULT_MAX_PAYLOAD))
  frame <- read_frame(s$reader)
  if (is.null(frame)) engine_gone("the engine closed the connection during the handshake")
  if (frame$type == MSG$ERROR) engine_gone("the engine refused the handshake")
  if (frame$type != MSG$WELCOME) protocol_error("expected WELCOME, got ", message_name(frame$type))
  welcome <- with_buffer(frame$payload, function(b) decode_message(frame$type, b))
  s$max_payload <- min(DEFAULT_MAX_PAYLOAD, welcome$max_frame)
  # the script's own libpq connection string for the loopback socket (holds the job's token)
  if (!is.null(welcome$loopback_dsn)) Sys.setenv(EXTENSA_LOOPBACK_DSN = welcome$loopback_dsn)
  s$loopback <- isTRUE(welcome$loopback)
  .Call(native$ext_writer_set_max, s$writer, s$max_payload)
  .Call(native$ext_set_recv_timeout, s$fd, 0)
}

# From here on the script's output is streamed, and the watcher can stop a running unit.
start_capture <- function(s) {
  s$saved_stderr <- .Call(native$ext_capture_start, s$writer)
  s$capturing <- TRUE
  .Call(native$ext_watch_start, s$fd, s$writer, cancel_error_payload())
}

# What the watcher sends when a script ignores CANCEL; made once (in a fork server, before any fork).
cached <- new.env(parent = emptyenv())
cancel_error_payload <- function() {
  if (is.null(cached$cancel_error)) {
    cached$cancel_error <- unlist(encode_message(MSG$ERROR, list(kind = ERROR_CANCELLED,
                                                                 message = "the script did not stop after cancel")))
  }
  cached$cancel_error
}

sync_output <- function(s) {
  if (isTRUE(s$capturing)) {
    flush(stdout())
    flush(stderr())
    .Call(native$ext_capture_sync)
  }
}

send_error <- function(s, kind, message, exception = NULL, traceback = NULL, line = 0, detail = NULL) {
  values <- list(kind = kind, exception = exception, message = message,
                 traceback = if (length(traceback)) as.list(traceback) else NULL,
                 line = if (!is.null(line) && line > 0) line else NULL, detail = detail)
  tryCatch(send_message(s$writer, MSG$ERROR, values), error = function(e) NULL)
}

serve <- function(s, init) {
  loopback_attach()
  loopback_state$session <- s
  statements <- parse_script(init$script)
  params <- init$param
  values <- lapply(params, function(p) param_value(decode_column(p$value, 1, paste("param", p$name)), p$name))
  schema <- init$column
  repeat {
    input <- read_unit(s, schema, init$has_input)
    reset_globals()
    for (i in seq_along(params)) assign(params[[i]]$name, values[[i]], envir = globalenv())
    assign(init$input_name, input$frame, envir = globalenv())
    end <- input$end
    rm(input)
    .Call(native$ext_watch_begin, TRUE)
    # docs/protocol.md 7.1: QUERY only while the last unit's script runs, all input being sent
    s$loopback_open <- isTRUE(s$loopback) && isTRUE(end$last)
    run_script(s, statements)
    s$loopback_open <- FALSE
    send_output(s, get0(init$output_name, envir = globalenv(), inherits = FALSE), init$output_name, end$unit)
    check_stop(s, .Call(native$ext_watch_end))
    if (end$last) break
  }
  send_output_params(s, params)
  send_message(s$writer, MSG$END)
}

reset_globals <- function() {
  rm(list = ls(globalenv(), all.names = TRUE), envir = globalenv())
}

# ---- input ----------------------------------------------------------------------------------

# The batches of one unit, converted column by column as they arrive (the common types read
# straight into their final vectors): list(frame, end).
read_unit <- function(s, schema, has_input) {
  builders <- lapply(schema, function(spec) input_builder(spec$type, spec$element_type, spec$name))
  rows <- 0
  repeat {
    frame <- next_frame(s, c(MSG$INPUT_BATCH, MSG$END_OF_INPUT))
    if (frame$type == MSG$END_OF_INPUT) {
      end <- with_buffer(frame$payload, function(b) decode_message(frame$type, b))
      break
    }
    rows <- rows + with_buffer(frame$payload, function(b) {
      batch <- decode_batch(decode_message(frame$type, b), "INPUT_BATCH", parse_decimals = FALSE)
      if (length(batch$columns) != length(schema)) {
        protocol_error("INPUT_BATCH has ", length(batch$columns), " columns, the schema ", length(schema))
      }
      for (i in seq_along(schema)) {
        if (batch$columns[[i]]$type != schema[[i]]$type) {
          protocol_error(sprintf("INPUT_BATCH column '%s' is %s, the schema says %s", schema[[i]]$name,
                                 type_name(batch$columns[[i]]$type), type_name(schema[[i]]$type)))
        }
      }
      for (i in seq_along(schema)) builders[[i]]$add(batch$columns[[i]])
      batch$rows
    })
  }
  if (!has_input) return(list(frame = data.frame(), end = end))
  columns <- lapply(builders, function(builder) builder$finish())
  names <- vapply(schema, function(spec) spec$name, "")
  list(frame = input_frame(columns, names, rows), end = end)
}

# ---- the script -----------------------------------------------------------------------------

# The script's top-level statements, each a `{` block carrying its srcref so the calls it makes
# know their line in <script>; a parse error is an ERROR of kind "syntax".
parse_script <- function(script) {
  lines <- strsplit(script, "\r?\n")[[1]]
  source_file <- srcfilecopy(SCRIPT_FILE, if (length(lines)) lines else "")
  exprs <- tryCatch(parse(text = script, keep.source = TRUE, srcfile = source_file), error = function(e) {
    text <- conditionMessage(e)
    located <- regmatches(text, regexec("^<script>:([0-9]+):([0-9]+): ([^\n]*)", text))[[1]]
    if (!length(located)) session_error(ERROR_SYNTAX, text, "parse error")
    context <- strsplit(sub("^[^\n]*\n?", "", text), "\n")[[1]]
    line <- as.numeric(located[2])
    # the parser places "unexpected end of input" on the line after the last one
    detail <- if (line > length(lines)) {
      line <- max(1, length(lines))
      sprintf("line %d, at the end of the script", line)
    } else {
      sprintf("line %s, column %s", located[2], located[3])
    }
    session_error(ERROR_SYNTAX, located[4], "parse error", c(located[1], context), line, detail)
  })
  srcrefs <- attr(exprs, "srcref")
  lapply(seq_along(exprs), function(i) {
    block <- call("{", exprs[[i]])
    attr(block, "srcref") <- list(srcrefs[[i]], srcrefs[[i]])
    structure(list(code = block, line = srcrefs[[i]][1]))
  })
}

run_statement <- function(code) eval(code, globalenv())

# R prints deferred warnings when a top-level call returns, which a satellite never does: print
# each one as it happens instead, as options(warn = 1) would; warn >= 2 still makes it an error.
show_warning <- function(w) {
  level <- getOption("warn", 0)
  if (!is.numeric(level) || level >= 2) return(invisible())
  if (level >= 0) {
    call <- conditionCall(w)
    text <- if (is.null(call) || is_machinery_call(call)) paste("Warning:", conditionMessage(w))
            else paste0("Warning in ", paste(deparse(call, nlines = 1L), collapse = ""), " : ", conditionMessage(w))
    cat(text, "\n", sep = "", file = stderr())
  }
  invokeRestart("muffleWarning")
}

is_machinery_call <- function(call) {
  is.call(call) && identical(call[[1]], as.name("eval")) && length(call) == 3L && identical(call[[2]], as.name("code"))
}

# Runs the statements in the global environment; returns NULL, or what stopped them.
evaluate <- function(statements) {
  failure <- NULL
  stack <- NULL
  current <- 0
  tryCatch(
    withCallingHandlers(
      for (statement in statements) {
        current <- statement$line
        run_statement(statement$code)
      },
      error = function(e) stack <<- record_stack(e), warning = show_warning),
    extensa_exit = function(e) failure <<- list(what = "exit", condition = e, line = current),
    error = function(e) failure <<- list(what = "error", condition = e, stack = stack, line = current),
    interrupt = function(e) failure <<- list(what = "interrupt", line = current))
  failure
}

# The call stack where an error is signalled, before it unwinds: calls and their functions.
record_stack <- function(e) {
  n <- sys.nframe()
  list(calls = sys.calls(), functions = lapply(seq_len(n), sys.function))
}

run_script <- function(s, statements) {
  failure <- evaluate(statements)
  reason <- .Call(native$ext_script_done)
  sync_output(s)
  check_stop(s, reason)
  if (is.null(failure)) return(invisible())
  if (failure$what == "exit") {
    session_error(ERROR_EXIT, conditionMessage(failure$condition), "quit", NULL, failure$line)
  }
  if (failure$what == "interrupt") {
    session_error(ERROR_SCRIPT, "the script was interrupted", "interrupt", NULL, failure$line)
  }
  script_error(failure$condition, failure$stack, failure$line)
}

check_stop <- function(s, reason) {
  if (reason == REASON_CANCEL) cancelled()
  if (reason == REASON_END) engine_gone("the engine ended the session")
  if (reason == REASON_LOST) engine_gone("the connection to the engine was lost")
}

# The script's frames from the stack recorded when the error was signalled: from the first call
# the script made to the call that signalled, without the satellite's frames around them (the
# statement runner and eval before, the condition handler machinery after).
script_frames <- function(calls, functions) {
  base <- NA
  cut <- length(calls) + 1
  for (k in seq_along(functions)) {
    if (is.na(base) && identical(functions[[k]], run_statement)) base <- k
    if (identical(functions[[k]], record_stack)) cut <- k - 1  # the handler that called it
  }
  if (is.na(base)) return(list())
  if (cut > 1 && identical(functions[[cut - 1]], .handleSimpleError)) cut <- cut - 1
  # eval() shows up as two frames with the same call
  start <- base + 1
  while (start < cut && identical(calls[[start]], calls[[base + 1]])) start <- start + 1
  if (start > cut - 1) return(list())
  calls[start:(cut - 1)]
}

srcref_line <- function(call) {
  ref <- attr(call, "srcref")
  if (is.null(ref)) return(NA)
  file <- attr(ref, "srcfile")
  if (is.environment(file) && identical(file$filename, SCRIPT_FILE)) ref[1] else NA
}

script_error <- function(e, stack, statement_line) {
  frames <- if (is.null(stack)) list() else script_frames(stack$calls, stack$functions)
  lines <- vapply(frames, srcref_line, 0)
  traceback <- vapply(seq_along(frames), function(i) {
    text <- paste(deparse(frames[[i]], width.cutoff = 200L, nlines = 1L), collapse = "")
    if (is.na(lines[i])) sprintf("%d: %s", i, text) else sprintf("%d: %s at %s#%d", i, text, SCRIPT_FILE, lines[i])
  }, "")
  known <- lines[!is.na(lines)]
  line <- if (length(known)) known[length(known)] else statement_line
  call <- conditionCall(e)
  message <- conditionMessage(e)
  header <- if (is.null(call) || is_machinery_call(call)) paste("Error:", message)
            else paste0("Error in ", paste(deparse(call, nlines = 1L), collapse = ""), " : ", message)
  session_error(ERROR_SCRIPT, message, class(e)[1], c(traceback, header), line)
}

# quit() and q() must not end the process from inside a script: they report an ERROR of kind exit.
install_exit_hooks <- function() {
  exit <- function(save = "default", status = 0, runLast = TRUE) {
    stop(structure(class = c("extensa_exit", "condition"),
                   list(message = sprintf("script called quit(status = %s)", format(status)), call = sys.call(),
                        status = status)))
  }
  for (name in c("quit", "q")) {
    unlockBinding(name, baseenv())
    assign(name, exit, envir = baseenv())
    lockBinding(name, baseenv())
  }
}

# ---- output ---------------------------------------------------------------------------------

send_output <- function(s, value, name, unit) {
  if (is.matrix(value)) value <- as.data.frame(value, stringsAsFactors = FALSE)
  if (is.null(value) || (is.data.frame(value) && length(value) == 0L)) {
    send_message(s$writer, MSG$OUTPUT_SCHEMA, list(absent = TRUE))
    send_message(s$writer, MSG$OUTPUT_END, list(unit = unit, row_count = 0))
    return(invisible())
  }
  if (!is.data.frame(value)) {
    session_error(ERROR_TYPE, sprintf("%s must be a data.frame, not %s; wrap it, e.g. %s <- data.frame(x)",
                                      name, class(value)[1], name))
  }
  rows <- nrow(value)
  names <- names(value)
  names[is.na(names)] <- "NA"
  # data.frame(payload = as.raw(serialize(model, NULL))): as in SQL Server, a frame of raw columns
  # is one row holding each whole vector as one bytea value
  whole <- all(vapply(value, is.raw, TRUE))
  if (whole) rows <- 1L
  columns <- lapply(seq_along(value), function(i) {
    column <- if (whole) bytes_column(list(as.vector(value[[i]])), names[i]) else infer_column(value[[i]], names[i])
    if (column$rows != rows) {
      session_error(ERROR_TYPE, sprintf("column '%s' of %s has %d values for %d rows", names[i], name, column$rows, rows))
    }
    column
  })
  specs <- lapply(seq_along(columns), function(i) {
    list(name = names[i], type = columns[[i]]$type, pg_type = columns[[i]]$pg_type, element_type = columns[[i]]$element_type)
  })
  send_message(s$writer, MSG$OUTPUT_SCHEMA, list(column = specs, absent = FALSE))
  row_bytes <- Reduce(`+`, lapply(columns, function(c) c$row_bytes))
  for (bounds in batch_bounds(rows, row_bytes)) {
    check_stop(s, .Call(native$ext_watch_reason))
    a <- bounds[1]
    b <- bounds[2]
    parts <- batch_parts(b - a + 1, lapply(columns, function(column) column$slice(a, b)))
    size <- parts_length(parts)
    if (size > s$max_payload) {
      session_error(ERROR_TYPE, sprintf("output rows %.0f..%.0f take %.0f bytes, more than the engine's frame limit of %.0f",
                                        a - 1, b - 1, size, s$max_payload))
    }
    write_frame(s$writer, MSG$OUTPUT_BATCH, parts)
  }
  send_message(s$writer, MSG$OUTPUT_END, list(unit = unit, row_count = rows))
}

null_value <- function(type) {
  width <- WIDTH[[type]]
  list(type = type, rows = 1, null_count = 1, validity = as.raw(0L),
       offsets = if (is.na(width)) c(0L, 0L) else NULL, data = if (is.na(width)) raw(0) else raw(width))
}

send_output_params <- function(s, params) {
  out <- list()
  for (p in params) {
    if (!isTRUE(p$is_output)) next
    value <- get0(p$name, envir = globalenv(), inherits = FALSE)
    column <- infer_value(value, p$name)
    if (is.null(column)) {
      type <- if (p$type == T_ARRAY) T_TEXT else p$type
      raw_column <- null_value(type)
      pg_type <- PG_TYPES[[type]]
    } else {
      raw_column <- column$slice(1, 1)
      type <- column$type
      pg_type <- column$pg_type
    }
    out[[length(out) + 1L]] <- list(name = p$name, type = type, pg_type = pg_type, value = encoded(column_parts(raw_column)))
  }
  send_message(s$writer, MSG$OUTPUT_PARAMS, list(param = if (length(out)) out else NULL))
}

# ---- entry points ---------------------------------------------------------------------------

# Connects to the engine's job socket and runs the session; returns the exit code.
run_session <- function(socket_path, job_id, secret) {
  fd <- .Call(native$ext_connect, socket_path)
  if (is.character(fd)) {
    .Call(native$ext_write_line, 2L, sprintf("extensa satellite: cannot connect to %s: %s", socket_path, fd))
    return(EXIT_CONNECT_FAILED)
  }
  code <- session_run(new_session(fd, job_id, secret))
  .Call(native$ext_close, fd)
  code
}

# Plays a trivial call through the session code, the engine's side included, against frames it
# writes into a pipe itself (no socket, no threads, output to /dev/null), and leaves nothing
# behind. A fork server runs it once before it forks; a spare child runs it again while it waits
# for its job: a forked child's first allocations and first writes into the server's heap copy a
# page each (thousands per job), and this way the spare pays for them ahead of the job.
rehearse <- function() {
  fds <- .Call(native$ext_pipe)
  sink <- .Call(native$ext_open_file, "/dev/null", TRUE)
  on.exit({
    .Call(native$ext_close_fd, fds[1])
    .Call(native$ext_close_fd, fds[2])
    if (is.numeric(sink)) .Call(native$ext_close_fd, sink)
    reset_globals()
    loopback_state$session <- NULL
  })
  if (is.character(sink)) stop(sink)
  engine <- new_writer(fds[2])
  column <- infer_column(1L, "x")
  send_message(engine, MSG$WELCOME, list(max_frame = DEFAULT_MAX_PAYLOAD))
  send_message(engine, MSG$SESSION_INIT, list(
    script = "OutputDataSet <- InputDataSet", input_name = "InputDataSet", output_name = "OutputDataSet",
    column = list(list(name = "x", type = column$type, pg_type = column$pg_type)), has_input = TRUE))
  write_frame(engine, MSG$INPUT_BATCH, batch_parts(1, list(column$slice(1, 1))))
  send_message(engine, MSG$END_OF_INPUT, list(last = TRUE, unit = 0))
  s <- new_session(fds[1], "rehearsal", raw(32))
  s$writer <- new_writer(sink)
  handshake(s)
  serve(s, next_message(s, MSG$SESSION_INIT))
  invisible()
}

# Greets the engine and sends ERROR of kind internal: the job could not start.
report_startup_failure <- function(socket_path, job_id, secret, message) {
  fd <- .Call(native$ext_connect, socket_path)
  if (is.character(fd)) return(EXIT_INTERNAL_ERROR)
  tryCatch({
    .Call(native$ext_set_recv_timeout, fd, HANDSHAKE_TIMEOUT)
    writer <- new_writer(fd)
    send_message(writer, MSG$HELLO, list(job_id = job_id, secret = secret, runtime = RUNTIME,
                                         runtime_version = runtime_version(), pid = Sys.getpid(),
                                         max_frame = DEFAULT_MAX_PAYLOAD))
    # let the handshake finish, so the engine reads the error as the answer to its WELCOME
    read_frame(new_reader(fd_source(fd)))
    send_message(writer, MSG$ERROR, list(kind = ERROR_INTERNAL, message = message))
  }, error = function(e) NULL)
  .Call(native$ext_close, fd)
  EXIT_INTERNAL_ERROR
}

# ---- calls back into the database (docs/protocol.md 7.1) -----------------------------------

# The session the loopback functions talk to: the process's one session, set when it starts serving.
loopback_state <- new.env(parent = emptyenv())

# extensa_query(), extensa_execute() and extensa_connection_string() for scripts: an environment
# on the search path, since the global environment is the script's and is emptied per unit.
# Attached once per process: a fork server does it before it forks, since attach() writes into
# R's global variable cache, which a child would otherwise copy page by page.
loopback_attach <- function() {
  if (isTRUE(loopback_state$attached)) return(invisible())
  api <- new.env(parent = emptyenv())
  api$extensa_query <- function(sql, params = list()) loopback_call(loopback_state$session, sql, params)$frame
  api$extensa_execute <- function(sql, params = list()) loopback_call(loopback_state$session, sql, params)$row_count
  api$extensa_connection_string <- function() {
    dsn <- Sys.getenv("EXTENSA_LOOPBACK_DSN")
    if (!nzchar(dsn)) stop("extensa_connection_string: this call has no loopback connection", call. = FALSE)
    dsn
  }
  attach(api, name = "extensa:loopback", warn.conflicts = FALSE)
  loopback_state$attached <- TRUE
}

# One statement run as the caller on the caller's connection: list(frame, row_count); a failure
# is an R error of class extensa_query_error carrying the SQLSTATE.
loopback_call <- function(s, sql, params) {
  if (!isTRUE(s$loopback_open)) {
    stop(if (!isTRUE(s$loopback)) "extensa_query: this call cannot query back (parallel, partitioned and streaming calls have no loopback)"
         else "extensa_query: only the script of a call's last unit may query back", call. = FALSE)
  }
  if (!is.character(sql) || length(sql) != 1 || is.na(sql)) stop("extensa_query: sql must be one string", call. = FALSE)
  values <- list(sql = enc2utf8(sql))
  if (length(params)) values$parameter <- lapply(unname(as.list(params)), function(p) list(value = loopback_text(p)))
  send_message(s$writer, MSG$QUERY, values)
  frame <- next_frame(s, c(MSG$QUERY_RESULT, MSG$QUERY_ERROR))
  result <- with_buffer(frame$payload, function(b) decode_message(frame$type, b))
  if (frame$type == MSG$QUERY_ERROR) loopback_error(result)
  schema <- result$column
  parts <- vector("list", length(schema))
  rows <- 0
  repeat {
    frame <- next_frame(s, c(MSG$QUERY_BATCH, MSG$QUERY_END, MSG$QUERY_ERROR))
    if (frame$type != MSG$QUERY_BATCH) break
    converted <- with_buffer(frame$payload, function(b) {
      batch <- decode_batch(decode_message(frame$type, b), "QUERY_BATCH")
      if (length(batch$columns) != length(schema)) protocol_error("QUERY_BATCH has ", length(batch$columns), " columns")
      list(rows = batch$rows, values = lapply(seq_along(schema), function(i) convert_column(batch$columns[[i]], schema[[i]]$name)))
    })
    rows <- rows + converted$rows
    for (i in seq_along(schema)) parts[[i]] <- c(parts[[i]], list(converted$values[[i]]))
  }
  end <- with_buffer(frame$payload, function(b) decode_message(frame$type, b))
  if (frame$type == MSG$QUERY_ERROR) loopback_error(end)
  if (!isTRUE(result$returns_rows)) return(list(frame = data.frame(), row_count = end$row_count))
  columns <- lapply(seq_along(schema), function(i) {
    spec <- schema[[i]]
    p <- parts[[i]]
    if (!length(p)) p <- list(convert_column(empty_column(spec$type, spec$element_type), spec$name))
    combine_parts(p, spec$type, spec$name)
  })
  list(frame = input_frame(columns, vapply(schema, function(spec) spec$name, ""), rows), row_count = end$row_count)
}

loopback_error <- function(e) {
  text <- paste0(e$message, " (SQLSTATE ", e$sqlstate, ")")
  stop(structure(class = c("extensa_query_error", "error", "condition"),
                 list(message = text, call = NULL, sqlstate = e$sqlstate, detail = e$detail, hint = e$hint)))
}

# A parameter in PostgreSQL's text form; NULL and NA are SQL NULL (an absent value).
loopback_text <- function(p) {
  if (is.raw(p)) return(paste0("\\x", paste(format(p), collapse = "")))
  if (is.null(p) || length(p) == 0) return(NULL)
  if (length(p) != 1) stop("extensa_query: each parameter is one value, not ", length(p), call. = FALSE)
  if (is.na(p)) return(NULL)
  if (is.factor(p)) return(enc2utf8(as.character(p)))
  if (is.logical(p)) return(if (p) "true" else "false")
  if (inherits(p, "POSIXct")) return(paste0(format(p, "%Y-%m-%d %H:%M:%OS6", tz = "UTC"), "+00"))
  if (inherits(p, "Date")) return(format(p, "%Y-%m-%d"))
  if (is.double(p)) {
    if (is.nan(p)) return("NaN")
    if (is.infinite(p)) return(if (p > 0) "Infinity" else "-Infinity")
    return(sprintf("%.17g", p))
  }
  enc2utf8(as.character(p))
}
