# The warm-start server: a preloaded R that forks one satellite per job (docs/protocol.md
# section 11, docs/launchpad.md "Fork-server contract").
#
# Frames arrive on the original stdin and leave on the original stdout, both moved aside by the
# native helper so stray output cannot corrupt the channel. Single-threaded on purpose: fork()
# in a process with threads can leave locks held in the child. SIGCHLD wakes the loop.
#
# Spares: the server keeps EXTENSA_WARM_SPARES children forked ahead of demand (one is forked on
# demand when none is left). A spare leads its own session and, when EXTENSA_SANDBOX_LIB is set,
# has already entered its namespaces (it waits outside as the PID namespace's reaper; its child,
# PID 1 inside, forked PID 2, which built the read-only view of the file system). A FORK hands the
# job to the oldest spare through its pipe; the spare binds the job's directory and socket,
# switches root, becomes the job's worker account and only then runs anything of the job
# (docs/security.md, "Warm start inside the sandbox"). Every job gets a fresh process.

FORK_CHANNEL_MAX_PAYLOAD <- 1048576
# spares that die before getting a job, in a row, after which the server stops making them
MAX_SPARE_FAILURES <- 3L
MAX_SPARES <- 16L
# How long a replacement spare may wait, in seconds: making one (a fork of this R, its namespaces,
# its rehearsal) takes a core for milliseconds, which a short job on two cores would otherwise lose.
# While at least LOW_SPARES are left, a replacement waits for the running jobs to end and then
# REPLENISH_GRACE more (a call arriving back to back must not queue behind fork()), but never
# longer than REPLENISH_DELAY after the spares first ran short. Below LOW_SPARES it is made at once.
REPLENISH_DELAY <- 0.05
REPLENISH_GRACE <- 0.01
LOW_SPARES <- 2L

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
  server$sandbox <- sandbox_from_environment()
  server$spare_target <- spares_from_environment()
  server$spares <- list()  # list(pid, pipe) each, oldest first
  server$spare_failures <- 0L
  server$short_since <- NULL  # when the spares first fell below their target, if they have
  server$last_job_end <- -Inf  # when the last job's child was reaped
  server$own_environment <- r_own_environment()
  send_message(server$writer, MSG$HELLO, list(runtime = RUNTIME, runtime_version = runtime_version(), pid = Sys.getpid(),
                                              sandbox = if (is.null(server$sandbox)) NULL else TRUE))
  tryCatch({
    repeat {
      # spares are made only when nothing waits: a FORK never queues behind a spare's fork()
      ready <- .Call(native$ext_forkserver_wait, channel[1], spare_wait_millis(spare_due_in(server)))
      if (!ready[1] && !ready[2]) {
        if (identical(spare_due_in(server), 0)) make_spare(server)
        next
      }
      if (ready[2]) reap(server)
      if (ready[1] && !handle_frame(server)) break
      reap(server)
    }
  }, extensa_connection_lost = function(e) NULL,
  finally = for (spare in server$spares) .Call(native$ext_close_fd, spare$pipe))  # end of file: spares exit
  EXIT_OK
}

# The C sandbox library and the job-independent spec when the launchpad sandboxes satellites
# (EXTENSA_SANDBOX_LIB, EXTENSA_SANDBOX_SPEC), else NULL. A library that cannot be loaded is
# logged and the server says in HELLO that it does not sandbox: the launchpad then starts jobs
# cold, sandboxed, rather than give them to this server.
sandbox_from_environment <- function() {
  library <- Sys.getenv("EXTENSA_SANDBOX_LIB")
  if (!nzchar(library)) return(NULL)
  failure <- .Call(native$ext_sandbox_load, library)
  if (!is.null(failure)) {
    .Call(native$ext_write_line, 2L, paste("extensa fork server: no warm sandboxed children:", failure))
    return(NULL)
  }
  list(spec = Sys.getenv("EXTENSA_SANDBOX_SPEC"))
}

spares_from_environment <- function() {
  n <- suppressWarnings(as.integer(Sys.getenv("EXTENSA_WARM_SPARES", "0")))
  if (is.na(n)) 0L else max(0L, min(MAX_SPARES, n))
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
# writes to every page it shares with the server, copying them all). A second one releases the
# node pages the first freed, and the C heap gives them back to the system: with R's start-up
# heap of 2M nodes that is about 60 MB fewer pages every fork copies the mappings of and every
# job's processes tear down. Returns the sample frame.
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
  rehearse()
  gc()
  gc()
  .Call(native$ext_trim_heap)
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

wants_spare <- function(server) {
  length(server$spares) < server$spare_target && server$spare_failures < MAX_SPARE_FAILURES
}

# Seconds until the next spare should be made (0: now), NULL when none is wanted (see
# REPLENISH_DELAY for when).
spare_due_in <- function(server, now = proc.time()[["elapsed"]]) {
  if (!wants_spare(server)) {
    server$short_since <- NULL
    return(NULL)
  }
  if (is.null(server$short_since)) server$short_since <- now
  if (length(server$spares) < min(LOW_SPARES, server$spare_target)) return(0)
  due <- server$short_since + REPLENISH_DELAY
  if (!length(server$children)) due <- min(due, server$last_job_end + REPLENISH_GRACE)
  max(0, due - now)
}

# poll()'s timeout for a spare due in `seconds`: -1 (none due) waits for a frame or a child alone
spare_wait_millis <- function(seconds) {
  if (is.null(seconds)) -1L else as.integer(ceiling(seconds * 1000))
}

# Forks a spare: its own session, then (sandboxed) its namespaces, the namespace's init and the
# read-only file system view, all before any job exists; then it waits for one job on its pipe.
# Returns the spare's pid, or NULL when the fork failed.
make_spare <- function(server) {
  forked <- .Call(native$ext_spare_fork)
  if (is.character(forked)) {
    server$spare_failures <- server$spare_failures + 1L
    .Call(native$ext_write_line, 2L, paste("extensa fork server: cannot fork a spare:", forked))
    return(NULL)
  }
  if (forked[1] == 0L) {
    code <- tryCatch(spare_main(forked[2], server$sandbox, server$own_environment), error = function(e) {
      .Call(native$ext_write_line, 2L, paste("extensa fork server: spare failed:", conditionMessage(e)))
      EXIT_CHILD_FAILED
    })
    .Call(native$ext_exit, code)
  }
  server$spares[[length(server$spares) + 1L]] <- list(pid = forked[1], pipe = forked[2])
  forked[1]
}

# Hands the job to the oldest spare (a new one when none is left) and answers FORKED with the
# spare's pid: the process the launchpad watches and kills.
fork_job <- function(server, fork) {
  if (nzchar(if (is.null(fork$sandbox)) "" else fork$sandbox) != !is.null(server$sandbox)) {
    report(server, ERROR_INTERNAL, paste("FORK: the job's sandbox spec and this fork server's sandbox",
                                         "(EXTENSA_SANDBOX_LIB) must come together"), fork$job_id)
    return(invisible())
  }
  job <- serialize(fork, NULL)
  repeat {
    if (!length(server$spares)) {
      if (server$spare_failures >= MAX_SPARE_FAILURES || is.null(make_spare(server))) {
        report(server, ERROR_INTERNAL, "fork failed: spare children keep failing (see the fork server's log)", fork$job_id)
        return(invisible())
      }
    }
    spare <- server$spares[[1]]
    server$spares[[1]] <- NULL
    # far below a pipe's capacity: does not wait for the spare; FALSE when that spare died
    if (.Call(native$ext_write_all_close, spare$pipe, job)) break
  }
  assign(as.character(spare$pid), fork$job_id, envir = server$children)
  send_message(server$writer, MSG$FORKED, list(job_id = fork$job_id, pid = spare$pid))
}

reap <- function(server) {
  ended <- .Call(native$ext_reap)
  for (i in seq_along(ended$pid)) {
    key <- as.character(ended$pid[i])
    job_id <- get0(key, envir = server$children, inherits = FALSE)
    if (is.null(job_id)) {
      spare_ended(server, ended$pid[i], ended$exit_code[i], ended$signal[i])
      next
    }
    rm(list = key, envir = server$children)
    server$last_job_end <- proc.time()[["elapsed"]]
    server$spare_failures <- 0L
    send_message(server$writer, MSG$CHILD_EXITED, list(job_id = job_id, pid = ended$pid[i],
                                                       exit_code = ended$exit_code[i], signal = ended$signal[i]))
  }
}

spare_ended <- function(server, pid, exit_code, signal) {
  for (i in seq_along(server$spares)) {
    if (server$spares[[i]]$pid == pid) {
      .Call(native$ext_close_fd, server$spares[[i]]$pipe)
      server$spares[[i]] <- NULL
      server$spare_failures <- server$spare_failures + 1L
      .Call(native$ext_write_line, 2L, sprintf(
        "extensa fork server: spare %d ended before it got a job (exit code %d, signal %d); %d in a row",
        pid, exit_code, signal, server$spare_failures))
      return(invisible())
    }
  }
}

report <- function(server, kind, message, job_id = NULL) {
  send_message(server$writer, MSG$ERROR, list(kind = kind, message = message, detail = job_id))
}

# Runs in a spare child: sandboxed up to the job-independent part (when the launchpad sandboxes),
# then one job from the pipe (or none: the fork server went away). Returns the exit code.
spare_main <- function(pipe, sandbox, own_environment) {
  if (!is.null(sandbox)) {
    failure <- .Call(native$ext_spare_sandbox, sandbox$spec)
    if (!is.null(failure)) {
      .Call(native$ext_write_line, 2L, paste("extensa fork server: spare failed:", failure))
      return(EXIT_CHILD_FAILED)
    }
  }
  # the page copies a job's first steps cost, taken now. No collection after it: a minor one
  # writes to some 1,300 pages shared with the server (copying each), twice the rehearsal's own
  # copies; the job saves less than a millisecond by it, and on two cores the next spare's
  # collection competes with the running job (bench: FORK to END p50 7.8 -> 5.3 ms, 40% less CPU)
  tryCatch(rehearse(), error = function(e) {
    .Call(native$ext_write_line, 2L, paste("extensa fork server: a spare's rehearsal failed:", conditionMessage(e)))
  })
  bytes <- .Call(native$ext_read_all, pipe)
  .Call(native$ext_close_fd, pipe)
  if (is.character(bytes)) {
    .Call(native$ext_write_line, 2L, paste("extensa fork server: spare cannot read its job:", bytes))
    return(EXIT_CHILD_FAILED)
  }
  if (!length(bytes)) return(EXIT_OK)
  child_main(unserialize(bytes), sandbox, own_environment)
}

# Runs in the spare once it has its job: becomes a clean job process (sandboxed with the server's
# spec and the job's part of it), then runs the session exactly as a cold start does.
child_main <- function(fork, sandbox, own) {
  names <- vapply(fork$env, function(v) v$name, "")
  values <- vapply(fork$env, function(v) v$value, "")
  values <- values[!(names %in% HIDDEN_JOB_VARIABLES)]
  names <- names[!(names %in% HIDDEN_JOB_VARIABLES)]
  failure <- .Call(native$ext_become_job, fork$work_dir, names, values,
                   if (is.null(fork$output_path)) "" else fork$output_path,
                   if (is.null(sandbox)) "" else paste0(sandbox$spec, fork$sandbox))
  if (!is.null(failure)) {
    # on the job's output too (the launchpad's tail of it), in case the engine cannot be reached
    .Call(native$ext_write_line, 2L, paste("extensa satellite: cannot start the job:", failure))
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
