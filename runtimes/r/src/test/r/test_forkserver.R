# When the fork server makes its next spare: a short job on two cores must not share them with a
# fork of the whole R, nor a call arriving back to back queue behind one; but the spares must not
# run out either.

new_server <- function(spares = 0L, target = 4L) {
  server <- new.env(parent = emptyenv())
  server$spare_target <- target
  server$spare_failures <- 0L
  server$children <- new.env(parent = emptyenv())
  server$short_since <- NULL
  server$last_job_end <- -Inf
  set_spares(server, spares)
  server
}

set_spares <- function(server, n) {
  server$spares <- lapply(seq_len(n), function(i) list(pid = 100L + i, pipe = -1L))
}

near <- function(actual, expected) abs(actual - expected) < 1e-9

test("an empty server makes spares at once", function() {
  expect_identical(spare_due_in(new_server(), now = 100), 0)
})

test("a full server makes none, and poll() then waits for frames alone", function() {
  expect_true(is.null(spare_due_in(new_server(4L), now = 100)))
  expect_identical(spare_wait_millis(NULL), -1L)
  expect_identical(spare_wait_millis(0.0201), 21L, "poll() wakes no earlier than the spare is due")
})

test("a replacement waits while a job runs, but no longer than the delay", function() {
  server <- new_server(3L)
  assign("11", "job-a", envir = server$children)
  expect_true(near(spare_due_in(server, now = 100), REPLENISH_DELAY))
  expect_true(near(spare_due_in(server, now = 100 + REPLENISH_DELAY / 2), REPLENISH_DELAY / 2))
  expect_identical(spare_due_in(server, now = 100 + REPLENISH_DELAY), 0)
})

test("a replacement is made a grace period after the jobs end", function() {
  server <- new_server(3L)
  assign("11", "job-a", envir = server$children)
  spare_due_in(server, now = 100)
  rm(list = "11", envir = server$children)
  server$last_job_end <- 100.01
  expect_true(near(spare_due_in(server, now = 100.01), REPLENISH_GRACE))
  expect_identical(spare_due_in(server, now = 100.01 + REPLENISH_GRACE), 0)
})

test("below the low mark a replacement is made at once", function() {
  server <- new_server(LOW_SPARES - 1L)
  assign("11", "job-a", envir = server$children)
  expect_identical(spare_due_in(server, now = 100), 0)
})

test("under steady load the delay counts from the first shortfall", function() {
  server <- new_server(3L)
  assign("11", "job-a", envir = server$children)
  spare_due_in(server, now = 100)
  assign("13", "job-b", envir = server$children)
  set_spares(server, 2L)
  expect_identical(spare_due_in(server, now = 100 + REPLENISH_DELAY), 0)
  set_spares(server, 4L)
  expect_true(is.null(spare_due_in(server, now = 100.1)))
  set_spares(server, 3L)
  expect_true(near(spare_due_in(server, now = 100.2), REPLENISH_DELAY), "a new shortfall")
})
