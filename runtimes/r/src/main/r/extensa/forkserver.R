# The warm-start server: a preloaded R that forks one satellite per job (docs/protocol.md
# section 11, docs/launchpad.md "Fork-server contract").
#
# Frames arrive on the original stdin and leave on the original stdout, both moved aside by the
# native helper so stray output cannot corrupt the channel. Single-threaded on purpose: fork()
# in a process with threads can leave locks held in the child. SIGCHLD wakes the loop.

FORK_CHANNEL_MAX_PAYLOAD <- 1048576

forkserver_main <- function() {
  # start-up takes seconds on a busy machine; a launchpad that dies meanwhile closes stdin
  if (!compile_runtime() || launchpad_gone()) return(EXIT_OK)
  warm_up()
  if (launchpad_gone()) return(EXIT_OK)
  channel <- .Call(native$ext_forkserver_channel)
  server <- new.env(parent = emptyenv())
  server$reader <- new_reader(fd_source(channel[1]), FORK_CHANNEL_MAX_PAYLOAD)
  server$writer <- new_writer(channel[2])
  server$children <- new.env(parent = emptyenv())
  send_message(server$writer, MSG$HELLO, list(runtime = RUNTIME, runtime_version = runtime_version(), pid = Sys.getpid()))
  tryCatch({
    repeat {
      ready <- .Call(native$ext_forkserver_wait, channel[1])
      if (ready[2]) reap(server)
      if (ready[1] && !handle_frame(server)) break
      reap(server)
    }
  }, extensa_connection_lost = function(e) NULL)
  EXIT_OK
}

# Byte-compiles every function of the runtime now: R's JIT would compile each on its first call,
# in every child again, since a child's compiled code dies with it (most of a warm job's time).
# FALSE when the launchpad went away meanwhile.
compile_runtime <- function() {
  runtime <- environment(compile_runtime)
  names <- ls(runtime, all.names = TRUE)
  for (i in seq_along(names)) {
    if (i %% 20L == 0L && launchpad_gone()) return(FALSE)
    f <- get(names[i], envir = runtime, inherits = FALSE)
    if (is.function(f) && !is.primitive(f)) assign(names[i], compiler::cmpfun(f), envir = runtime)
  }
  TRUE
}

launchpad_gone <- function() .Call(native$ext_input_closed)

# The variables R's front end set for this process (R_HOME, R_SHARE_DIR, library paths, ...).
r_own_environment <- function() {
  all <- Sys.getenv()
  keys <- names(all)
  keep <- (grepl("^R_", keys) & keys != "R_SESSION_TMPDIR") | keys == "LD_LIBRARY_PATH"
  structure(as.character(all[keep]), names = keys[keep])
}

# Runs what every job runs, once, before the first fork: lazy loads, method caches and first-call
# work then happen here, and children inherit them done. The closing collection leaves a compact
# heap, so a short job allocates into free space instead of collecting (a child's collection
# writes to every page it shares with the server, copying them all). Returns the sample frame.
warm_up <- function() {
  sample <- data.frame(i = c(1L, NA), d = c(0.5, NA), s = c("a", NA), b = c(TRUE, NA),
                       day = as.Date(c("2000-01-01", NA)), at = utc_posixct(c(0, NA)),
                       f = factor(c("x", NA)), stringsAsFactors = FALSE)
  columns <- lapply(names(sample), function(n) infer_column(sample[[n]], n)$slice(1, 2))
  bytes <- unlist(batch_parts(2, columns))
  batch <- with_buffer(bytes, function(b) decode_batch(decode_message(MSG$INPUT_BATCH, b), "warm-up"))
  values <- lapply(seq_along(batch$columns), function(i) {
    combine_parts(list(convert_column(batch$columns[[i]], names(sample)[i])), batch$columns[[i]]$type, names(sample)[i])
  })
  frame <- input_frame(values, names(sample), batch$rows)
  evaluate(parse_script("warmed <- nrow(frame)\nsummary(frame)"))
  reset_globals()
  gc()
  invisible(frame)
}

# Handles one frame from the launchpad; FALSE when the launchpad is gone or said goodbye.
handle_frame <- function(server) {
  frame <- tryCatch(read_frame(server$reader), extensa_protocol_error = function(e) {
    report(server, ERROR_PROTOCOL, conditionMessage(e))
    FALSE
  })
  if (is.null(frame) || isFALSE(frame)) return(FALSE)
  if (frame$type == MSG$END) return(FALSE)
  if (frame$type == MSG$HEARTBEAT) return(TRUE)
  if (frame$type != MSG$FORK) {
    report(server, ERROR_PROTOCOL, sprintf("unexpected %s on the fork channel", message_name(frame$type)))
    return(TRUE)
  }
  fork <- tryCatch(with_buffer(frame$payload, function(b) {
    m <- decode_message(frame$type, b)
    m$secret <- slice_raw(m$secret)
    m
  }), extensa_protocol_error = function(e) {
    report(server, ERROR_PROTOCOL, conditionMessage(e))
    NULL
  })
  if (!is.null(fork)) fork_job(server, fork)
  TRUE
}

fork_job <- function(server, fork) {
  pid <- .Call(native$ext_fork)
  if (is.character(pid)) {
    report(server, ERROR_INTERNAL, pid, fork$job_id)
    return(invisible())
  }
  if (pid == 0L) {
    code <- tryCatch(child_main(fork), error = function(e) EXIT_CHILD_FAILED)
    .Call(native$ext_exit, code)
  }
  assign(as.character(pid), fork$job_id, envir = server$children)
  send_message(server$writer, MSG$FORKED, list(job_id = fork$job_id, pid = pid))
}

reap <- function(server) {
  ended <- .Call(native$ext_reap)
  for (i in seq_along(ended$pid)) {
    key <- as.character(ended$pid[i])
    job_id <- get0(key, envir = server$children, inherits = FALSE)
    if (is.null(job_id)) next
    rm(list = key, envir = server$children)
    send_message(server$writer, MSG$CHILD_EXITED, list(job_id = job_id, pid = ended$pid[i],
                                                       exit_code = ended$exit_code[i], signal = ended$signal[i]))
  }
}

report <- function(server, kind, message, job_id = NULL) {
  send_message(server$writer, MSG$ERROR, list(kind = kind, message = message, detail = job_id))
}

# Runs in the forked child: becomes a clean job process, then runs the session exactly as a cold
# start does.
child_main <- function(fork) {
  names <- vapply(fork$env, function(v) v$name, "")
  values <- vapply(fork$env, function(v) v$value, "")
  values <- values[!(names %in% HIDDEN_JOB_VARIABLES)]
  names <- names[!(names %in% HIDDEN_JOB_VARIABLES)]
  own <- r_own_environment()
  failure <- .Call(native$ext_become_job, fork$work_dir, names, values, if (is.null(fork$output_path)) "" else fork$output_path)
  if (!is.null(failure)) {
    return(report_startup_failure(fork$socket_path, fork$job_id, fork$secret, paste("cannot start the job:", failure)))
  }
  # the job's environment replaced the fork server's: R's own variables come back where the job
  # sets none, as a cold satellite gets them from R's front end (R.home() and packages need them)
  restore <- own[!(names(own) %in% names)]
  if (length(restore)) do.call(Sys.setenv, as.list(restore))
  # nothing of the fork server's R session reaches the job; the random generator reseeds itself
  # from the time and the child's pid on first use
  reset_globals()
  run_session(fork$socket_path, fork$job_id, fork$secret)
}
