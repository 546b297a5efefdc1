/* progress.h: the progress bar of long runs and batches (prefix prog_).
 *
 * Shows, on one self-overwriting stderr line, the share done, the simulated
 * date, the day and run counts and the time remaining. It is drawn only when
 * the stream is a terminal (isatty) and not --quiet: it never reaches a file,
 * a pipe or a CSV. Redraws are throttled to a few per second. The wall clock
 * is read here for the display only; nothing simulated depends on it.
 */
#ifndef ECNYSIM_PROGRESS_H
#define ECNYSIM_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROG_NO_DAY INT32_MIN

typedef struct {
    FILE *to;
    bool on;          /* drawing at all */
    bool drawn;       /* something is on the line (prog_end ends it) */
    int runs_total;   /* 1 for a single run: no run counter is shown */
    double began_s, last_s;
} prog_bar;

/* Starts a bar on `to` (stderr); it stays off when quiet or `to` is not a terminal. */
void prog_begin(prog_bar *p, FILE *to, bool quiet, int runs_total);
/* fraction: share of all the work done, 0..1; day: calendar day number of the
 * simulated date to show (PROG_NO_DAY for none); day_index/days: the day count
 * of the current run (days 0: not shown); runs_done: finished runs. Redraws at
 * most 4 times a second unless force. */
void prog_update(prog_bar *p, double fraction, int32_t day, int32_t day_index, int32_t days, int runs_done,
                 bool force);
/* Ends the line (when anything was drawn). */
void prog_end(prog_bar *p);
/* Formats the line prog_update draws (no carriage return), for tests. */
void prog_format(char *buf, size_t len, double fraction, int32_t day, int32_t day_index, int32_t days, int runs_done,
                 int runs_total, double elapsed_s);

#endif
