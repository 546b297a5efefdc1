/* output.h: results folders and CSV files, written safely (prefix out_).
 *
 * A run writes into a hidden temporary folder next to its results folder
 * (ROOT/.NAME.partial-PID); out_commit renames it into place only when every
 * file is complete and closed, and only then removes the previous results of
 * that name. A run that fails calls out_abort, which removes the temporary
 * folder: existing results are never harmed and nothing half-written is left.
 * CSV fields are written with libcsv (strings quoted only when needed);
 * every write is checked, and the first failure is kept and reported.
 *
 * Fault injection for tests: ECNYSIM_FAIL_WRITE=N makes the Nth checked write
 * fail as if the disk were full.
 */
#ifndef ECNYSIM_OUTPUT_H
#define ECNYSIM_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/error.h"

typedef struct out_run out_run;
typedef struct out_csv out_csv;

/* Starts a results folder ROOT/NAME (ROOT is created if missing). NULL with
 * a message when the temporary folder cannot be made, when the location is
 * too long (nothing is made), or when another run holds ROOT/.NAME.lock (the
 * message names its pid and command). The lock is kept until commit or abort. */
out_run *out_begin(const char *root, const char *name, err_list *errs);
/* The final folder path (ROOT/NAME) and the temporary one being written. */
const char *out_final_dir(const out_run *run);
const char *out_temp_dir(const out_run *run);

/* From now on, CSV files of the run are written compressed, as FILE.gz
 * (zlib; reproducible bytes). Call before opening them. */
void out_set_compress(out_run *run, bool compress);
/* Opens a CSV file in the run with its header row. NULL on failure (the
 * run's error is set). Owned by the run: closed by commit or abort. */
out_csv *out_csv_open(out_run *run, const char *file, const char *const *columns, size_t n_columns);
void out_csv_str(out_csv *c, const char *s);
void out_csv_int(out_csv *c, int64_t v);
void out_csv_real(out_csv *c, double v); /* %.6g */
void out_csv_end_row(out_csv *c);
/* Flushes buffered rows to disk (used at day ends and on interruption). */
bool out_flush(out_run *run);

/* Opens a plain text file in the run (the manifest). Owned by the run. */
FILE *out_text_open(out_run *run, const char *file);

/* True when a write has failed; out_error says what. */
bool out_failed(const out_run *run);
const char *out_error(const out_run *run);

/* Closes every file and renames the folder into place. Returns false (with
 * a message) on any write or rename failure, or when the folder in place
 * holds results of another kind (out_check_kind), after cleaning up. Frees run. */
bool out_commit(out_run *run, err_list *errs);
/* The kind of the results folder dir: the first [section] of its
 * manifest.ini ("run", "batch", "calibration"). False when it has none. */
bool out_kind(const char *dir, char *kind, size_t kind_len);
/* True unless dir holds results of another kind than kind; then adds
 * "DIR: holds a single run ...: refusing to replace it with a batch". */
bool out_check_kind(const char *dir, const char *kind, err_list *errs);
/* Removes the temporary folder and frees run. NULL is fine. */
void out_abort(out_run *run);

/* Test hook: from now on, the Nth checked write fails (0: none), replacing
 * ECNYSIM_FAIL_WRITE, whose value is read once, at the first write. */
void out_test_fail_write_at(long n);

/* A checked fwrite for other writers (checkpoints): honours the fault injection. */
bool out_write(FILE *f, const void *data, size_t n);
/* Removes a folder and the files in it (one level). */
void out_remove_dir(const char *dir);

#endif
