# When the fork server makes its next spare: a short job on two cores must not share them with a
# fork of the whole R, so a replacement waits for running jobs, but not for long, nor when none is left.

new_server <- function(spares = list(), target = 2L) {
  server <- new.env(parent = emptyenv())
  server$spare_target <- target
  server$spares <- spares
  server$spare_failures <- 0L
  server$children <- new.env(parent = emptyenv())
  server$short_since <- NULL
  server
}

test("an empty server makes spares at once", function() {
  expect_identical(spare_due_in(new_server(), now = 100), 0)
})

test("a full server makes none, and poll() then waits for frames alone", function() {
  server <- new_server(list(list(pid = 11L, pipe = -1L), list(pid = 12L, pipe = -1L)))
  expect_true(is.null(spare_due_in(server, now = 100)))
  expect_identical(spare_wait_millis(NULL), -1L)
})

test("a replacement waits while a job runs, but no longer than the delay", function() {
  server <- new_server(list(list(pid = 12L, pipe = -1L)))
  assign("11", "job-a", envir = server$children)
  expect_true(abs(spare_due_in(server, now = 100) - REPLENISH_DELAY) < 1e-9)
  expect_true(abs(spare_due_in(server, now = 100 + REPLENISH_DELAY / 2) - REPLENISH_DELAY / 2) < 1e-9)
  expect_identical(spare_wait_millis(0.0201), 21L, "poll() wakes no earlier than the spare is due")
  expect_identical(spare_due_in(server, now = 100 + REPLENISH_DELAY), 0)
})

test("a replacement is made once the jobs end", function() {
  server <- new_server(list(list(pid = 12L, pipe = -1L)))
  assign("11", "job-a", envir = server$children)
  expect_true(spare_due_in(server, now = 100) > 0)
  rm(list = "11", envir = server$children)
  expect_identical(spare_due_in(server, now = 100.001), 0)
})

test("a server without spares never waits", function() {
  server <- new_server()
  assign("11", "job-a", envir = server$children)
  expect_identical(spare_due_in(server, now = 100), 0)
})

test("under steady load the delay counts from the first shortfall", function() {
  server <- new_server(list(list(pid = 12L, pipe = -1L)), target = 3L)
  assign("11", "job-a", envir = server$children)
  spare_due_in(server, now = 100)
  assign("13", "job-b", envir = server$children)
  expect_identical(spare_due_in(server, now = 100 + REPLENISH_DELAY), 0)
  server$spares[[2]] <- list(pid = 14L, pipe = -1L)
  expect_identical(spare_due_in(server, now = 100 + REPLENISH_DELAY + 0.001), 0)
})
