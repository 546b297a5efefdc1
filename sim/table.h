/* table.h: reading data CSV files with libcsv (prefix tab_).
 *
 * A data file is optional '#' comment lines, a header row, then rows. The
 * whole file is read into rows of NUL-terminated fields, each row with its
 * line number, so loaders can validate every field and report FILE:LINE and
 * the column. Strict quoting (libcsv CSV_STRICT); text must be UTF-8.
 * tab_stream reads a file too large to hold one row at a time.
 */
#ifndef ECNYSIM_TABLE_H
#define ECNYSIM_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/error.h"

typedef struct tab_table tab_table;

/* Reads path; each column in required[] (n_required names) must be in the
 * header. NULL with messages in errs on any problem; the caller frees. */
tab_table *tab_read(const char *path, const char *const *required, size_t n_required, err_list *errs);
void tab_free(tab_table *t); /* NULL is fine */

size_t tab_rows(const tab_table *t);
const char *tab_path(const tab_table *t);
int tab_line(const tab_table *t, size_t row);
/* The line of the header row, for messages about the whole file. */
int tab_header_line(const tab_table *t);
/* The field of a column by name in row; "" when the row is short. */
const char *tab_get(const tab_table *t, size_t row, const char *column);

/* Typed field readers: on a bad value they add "FILE:LINE: column 'c' is 'v':
 * expected ..." to errs and return false. */
bool tab_int(const tab_table *t, size_t row, const char *column, int64_t min, int64_t max, int64_t *out,
             err_list *errs);
bool tab_real(const tab_table *t, size_t row, const char *column, double min, double max, double *out,
              err_list *errs);
bool tab_date(const tab_table *t, size_t row, const char *column, int32_t *out, err_list *errs);
bool tab_text(const tab_table *t, size_t row, const char *column, const char **out, err_list *errs);

/* Streams path row by row through libcsv (strict quoting), for files too
 * large to hold (a batch's daily.csv files): row gets each row's fields
 * (NUL-terminated, valid only during the call; the header is a row too) and
 * its line number; rows whose first field starts with '#' are skipped.
 * row returns false to stop: then false. Plain files only (no .csv.gz).
 * False with a FILE:LINE message in errs on a read or CSV error. Cost: one
 * row's fields in memory. */
bool tab_stream(const char *path, bool (*row)(void *ctx, char **field, size_t n, int line), void *ctx,
                err_list *errs);

/* True when s is a plain decimal number: [+-]digits[.digits][(e|E)[+-]digits]
 * with a digit before or after the point. strtod alone also takes
 * hexadecimal ("0x10", "0x1p4"), "inf", "nan" and leading spaces: every
 * real-valued input (data files, scenario keys) is checked with this first. */
bool tab_decimal(const char *s);

#endif
