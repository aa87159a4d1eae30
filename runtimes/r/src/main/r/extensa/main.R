# Command line of the runtime: `satellite` (one job, cold start) or `forkserver` (warm starts).
#
# Cold start contract (set by the launchpad): EXTENSA_JOB_SOCKET (the engine's Unix socket),
# EXTENSA_JOB_ID, EXTENSA_JOB_SECRET (64 hex digits). The variables are removed from the
# environment before the script runs, so neither it nor its subprocesses see the secret.

USAGE <- "usage: extensa_bootstrap.R satellite|forkserver"

# How the launchpad tells a satellite its job. The socket and the secret are never visible to the
# script (a forked child gets them in its job environment and drops them too); the job id stays,
# as in Python's warm jobs, so a script can name its job.
JOB_VARIABLES <- c("EXTENSA_JOB_SOCKET", "EXTENSA_JOB_ID", "EXTENSA_JOB_SECRET")
HIDDEN_JOB_VARIABLES <- c("EXTENSA_JOB_SOCKET", "EXTENSA_JOB_SECRET")

native <- new.env(parent = emptyenv())

# Loads the helper library and keeps its registered entry points (ext_*) in `native`.
load_native <- function(path) {
  library <- dyn.load(path)
  routines <- getDLLRegisteredRoutines(library)$.Call
  for (name in names(routines)) assign(name, routines[[name]], envir = native)
  invisible(library)
}

# What every job process gets before any script runs.
prepare_runtime <- function() {
  install_exit_hooks()
}

hex_bytes <- function(hex) {
  if (!grepl("^([0-9a-fA-F]{2})*$", hex)) return(NULL)
  if (!nzchar(hex)) return(raw(0))
  as.raw(strtoi(substring(hex, seq(1L, nchar(hex), 2L), seq(2L, nchar(hex), 2L)), 16L))
}

satellite_main <- function() {
  values <- Sys.getenv(JOB_VARIABLES, unset = NA)
  missing <- names(values)[is.na(values)]
  if (length(missing)) {
    .Call(native$ext_write_line, 2L, sprintf("extensa satellite: environment variable %s is not set", missing[1]))
    return(EXIT_USAGE)
  }
  Sys.unsetenv(HIDDEN_JOB_VARIABLES)
  secret <- hex_bytes(values[["EXTENSA_JOB_SECRET"]])
  if (is.null(secret)) {
    .Call(native$ext_write_line, 2L, "extensa satellite: EXTENSA_JOB_SECRET is not hexadecimal")
    return(EXIT_USAGE)
  }
  prepare_runtime()
  run_session(values[["EXTENSA_JOB_SOCKET"]], values[["EXTENSA_JOB_ID"]], secret)
}

main <- function(args) {
  if (length(args) != 1L || !(args %in% c("satellite", "forkserver"))) {
    .Call(native$ext_write_line, 2L, USAGE)
    return(EXIT_USAGE)
  }
  if (args == "forkserver") {
    prepare_runtime()
    return(forkserver_main())
  }
  satellite_main()
}
