# Runs the R satellite's tests (Maven's test phase): every test_*.R file in this directory.
# Tests see the runtime's internals: they run in an environment whose parent is the runtime's own.
# Prints "N passed, N failed" and exits non-zero on any failure.
local({
  here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])))
  home <- Sys.getenv("EXTENSA_R_HOME", file.path(here, "..", "..", "..", "target", "classes", "extensa-r"))
  extensa <- new.env(parent = baseenv())
  for (part in c("wire.R", "columns.R", "convert.R", "infer.R", "satellite.R", "forkserver.R", "main.R")) {
    sys.source(file.path(home, "extensa", part), envir = extensa, keep.source = FALSE)
  }
  extensa$load_native(file.path(home, "extensa", "extensa_native.so"))

  harness <- new.env(parent = extensa)
  sys.source(file.path(here, "harness.R"), envir = harness)
  harness$home <- home
  harness$testdata <- Sys.getenv("EXTENSA_TESTDATA", file.path(here, "..", "..", "..", "..", "..", "testdata", "protocol"))
  only <- commandArgs(trailingOnly = TRUE)
  for (file in sort(list.files(here, pattern = "^test_.*\\.R$", full.names = TRUE))) {
    if (length(only) && !(sub("\\.R$", "", basename(file)) %in% only)) next
    sys.source(file, envir = new.env(parent = harness))
  }
  failed <- harness$report()
  quit(save = "no", status = if (failed > 0) 1L else 0L)
})
