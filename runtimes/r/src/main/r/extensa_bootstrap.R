# Entry point the launchpad runs: Rscript --vanilla extensa_bootstrap.R satellite|forkserver
#
# The runtime's code lives in an environment of its own (parent: base), never in the global
# environment, which belongs to the script; a script that rm()s or redefines things cannot touch it.
local({
  file <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])
  home <- dirname(normalizePath(file))
  extensa <- new.env(parent = baseenv())
  for (part in c("wire.R", "columns.R", "convert.R", "infer.R", "satellite.R", "forkserver.R", "main.R")) {
    sys.source(file.path(home, "extensa", part), envir = extensa, keep.source = FALSE)
  }
  extensa$load_native(file.path(home, "extensa", "extensa_native.so"))
  status <- extensa$main(commandArgs(trailingOnly = TRUE))
  .Call(extensa$native$ext_exit, as.integer(status))
})
