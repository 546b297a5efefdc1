/* table.c: data CSV reader over libcsv; see table.h.
 * The file is fed to libcsv one physical line at a time so every record
 * knows the line it started on. Reads are bounded: a line stops being read
 * at TAB_MAX_LINE bytes and a file at TAB_MAX_BYTES, so a device, a giant
 * line or a file that never ends is refused after a bounded amount of work
 * and memory. A row with more fields than the header, and a header naming a
 * column twice, are refused. Files are read through zlib: a gzip file
 * (FILE.gz, written by `run --compress`) reads as its contents, a plain file
 * as itself, and FILE.gz is read for a missing FILE. Cost: O(file size);
 * fields are copied once. tab_stream, at the end, is the other way in: a
 * plain file streamed in 64 KiB blocks, one row in memory at a time, for
 * results files too large to hold (a batch's daily.csv). */
#include "sim/table.h"

#include <csv.h>
#include <ctype.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "sim/calendar.h"

#define TAB_MAX_LINE (1u << 16)
#define TAB_MAX_BYTES ((size_t)64 << 20)
#define TAB_MAX_COLUMNS 256

typedef struct {
    char **field;
    size_t n;
    int line;
} tab_row;

struct tab_table {
    char *path;
    char **header;
    size_t n_header;
    tab_row *rows;
    size_t n_rows, cap_rows;
    /* parse state */
    char **cur;
    size_t n_cur, cap_cur;
    int line, record_line, header_line;
    bool oom;
    err_list *errs; /* rows with more fields than the header are reported here */
};

static char *dup_mem(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void on_field(void *data, size_t len, void *ctx)
{
    tab_table *t = ctx;
    if (t->n_cur == 0)
        t->record_line = t->line;
    if (t->n_cur == t->cap_cur) {
        size_t cap = t->cap_cur ? t->cap_cur * 2 : 16;
        char **g = realloc(t->cur, cap * sizeof *g);
        if (!g) {
            t->oom = true;
            return;
        }
        t->cur = g;
        t->cap_cur = cap;
    }
    char *f = dup_mem(data ? data : "", data ? len : 0);
    if (!f) {
        t->oom = true;
        return;
    }
    t->cur[t->n_cur++] = f;
}

static void on_row(int term, void *ctx)
{
    tab_table *t = ctx;
    (void)term;
    if (t->n_cur == 0)
        return;
    if (!t->header) {
        t->header = t->cur;
        t->n_header = t->n_cur;
        t->header_line = t->record_line;
    } else {
        if (t->n_rows == t->cap_rows) {
            size_t cap = t->cap_rows ? t->cap_rows * 2 : 64;
            tab_row *g = realloc(t->rows, cap * sizeof *g);
            if (!g) {
                t->oom = true;
                for (size_t i = 0; i < t->n_cur; i++)
                    free(t->cur[i]);
                free(t->cur);
                goto reset;
            }
            t->rows = g;
            t->cap_rows = cap;
        }
        t->rows[t->n_rows++] = (tab_row){t->cur, t->n_cur, t->record_line};
        if (t->n_cur > t->n_header)
            err_add(t->errs, "%s:%d: the row has %zu fields, the header %zu: expected at most %zu (quote a value "
                             "holding a comma)", t->path, t->record_line, t->n_cur, t->n_header, t->n_header);
    }
reset:
    t->cur = NULL;
    t->n_cur = t->cap_cur = 0;
}

void tab_free(tab_table *t)
{
    if (!t)
        return;
    for (size_t r = 0; r < t->n_rows; r++) {
        for (size_t i = 0; i < t->rows[r].n; i++)
            free(t->rows[r].field[i]);
        free(t->rows[r].field);
    }
    for (size_t i = 0; i < t->n_header; i++)
        free(t->header[i]);
    for (size_t i = 0; i < t->n_cur; i++)
        free(t->cur[i]);
    free(t->cur);
    free(t->header);
    free(t->rows);
    free(t->path);
    free(t);
}

static bool valid_utf8_line(const unsigned char *s, size_t n, size_t *bad)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c == 0) {
            *bad = i;
            return false;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = len && i + len <= n && c >= 0xC2 && c <= 0xF4;
        for (size_t k = 1; ok && k < len; k++)
            ok = (s[i + k] & 0xC0) == 0x80;
        if (!ok) {
            *bad = i;
            return false;
        }
        i += len;
    }
    return true;
}

/* Reads one line (up to and with its '\n') into *buf, at most max bytes:
 * returns the length, 0 at the end of the file, -1 on a read error and
 * -2 when the line is longer than max (the rest is not read). */
static long read_line(gzFile f, char **buf, size_t *cap, size_t max)
{
    size_t n = 0;
    for (;;) {
        int c = gzgetc(f);
        if (c == -1) {
            int zerr = Z_OK;
            gzerror(f, &zerr);
            return zerr != Z_OK ? -1 : (long)n; /* Z_BUF_ERROR: a .gz cut short */
        }
        if (n == max)
            return -2;
        if (n + 2 > *cap) {
            size_t grown = *cap ? *cap * 2 : 256;
            char *g = realloc(*buf, grown);
            if (!g)
                return -3;
            *buf = g;
            *cap = grown;
        }
        (*buf)[n++] = (char)c;
        (*buf)[n] = '\0';
        if (c == '\n')
            return (long)n;
    }
}

tab_table *tab_read(const char *path, const char *const *required, size_t n_required, err_list *errs)
{
    int before = errs->count;
    tab_table *t = calloc(1, sizeof *t);
    if (!t || !(t->path = dup_mem(path, strlen(path)))) {
        free(t);
        err_add_kind(errs, ERR_MEMORY, "%s: out of memory", path);
        return NULL;
    }
    t->errs = errs;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT) { /* results written with --compress */
        char gz_path[4200];
        snprintf(gz_path, sizeof gz_path, "%s.gz", path);
        int gfd = open(gz_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (gfd >= 0) {
            char *renamed = dup_mem(gz_path, strlen(gz_path));
            if (renamed) {
                free(t->path);
                t->path = renamed;
                path = t->path;
                fd = gfd;
            } else {
                close(gfd);
            }
        }
        errno = ENOENT;
    }
    if (fd < 0) {
        err_add(errs, "%s: cannot open data file: %s", path, strerror(errno));
        tab_free(t);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        err_add(errs, "%s:1: not a regular file (a folder, a device or a pipe): expected a CSV data file", path);
        close(fd);
        tab_free(t);
        return NULL;
    }
    gzFile f = gzdopen(fd, "rb");
    if (!f) {
        err_add_kind(errs, ERR_MEMORY, "%s: out of memory", path);
        close(fd);
        tab_free(t);
        return NULL;
    }
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI);
    /* A bounded line reader, not fgets (a NUL byte must be seen and
     * refused, not end the line) nor getline (unbounded). */
    char *line = NULL;
    size_t line_cap = 0, total = 0;
    bool in_header_comments = true, failed = false;
    while (!failed) {
        long got = read_line(f, &line, &line_cap, TAB_MAX_LINE);
        if (got == 0)
            break;
        if (got == -1) {
            int zerr = Z_OK;
            const char *why = gzerror(f, &zerr);
            if (strncmp(why, "<fd:", 4) == 0 && strstr(why, ": ")) /* zlib names the fd: we name the file */
                why = strstr(why, ": ") + 2;
            err_add(errs, "%s:%d: cannot read: %s", path, t->line + 1,
                    zerr == Z_ERRNO ? strerror(errno ? errno : EIO) : why);
            failed = true;
            break;
        }
        if (got == -3) {
            err_add_kind(errs, ERR_MEMORY, "%s: out of memory", path);
            failed = true;
            break;
        }
        t->line++;
        if (got == -2) {
            err_add(errs, "%s:%d: line longer than %u bytes: expected a CSV row", path, t->line, TAB_MAX_LINE);
            failed = true;
            break;
        }
        size_t n = (size_t)got;
        total += n;
        if (total > TAB_MAX_BYTES) {
            err_add(errs, "%s:%d: the file is over %zu MiB: expected a data file of pilot areas, banks or "
                          "categories", path, t->line, TAB_MAX_BYTES >> 20);
            failed = true;
            break;
        }
        size_t bad;
        if (!valid_utf8_line((unsigned char *)line, n, &bad)) {
            err_add(errs, "%s:%d: byte %zu is not UTF-8 text: expected a UTF-8 CSV file", path, t->line, bad + 1);
            failed = true;
            break;
        }
        if (in_header_comments && !t->header && p.pstate == 0 && line[0] == '#')
            continue;
        if (!t->header && p.pstate == 0 && (line[0] == '\n' || (line[0] == '\r' && line[1] == '\n')))
            continue;
        in_header_comments = false;
        if (csv_parse(&p, line, n, on_field, on_row, t) != n) {
            err_add(errs, "%s:%d: %s: expected comma-separated fields, quotes only around whole fields", path,
                    t->line, csv_strerror(csv_error(&p)));
            failed = true;
        }
        if (t->oom) {
            err_add_kind(errs, ERR_MEMORY, "%s: out of memory", path);
            failed = true;
        }
    }
    if (!failed && csv_fini(&p, on_field, on_row, t) != 0) {
        err_add(errs, "%s:%d: %s: a quoted field is not closed", path, t->line, csv_strerror(csv_error(&p)));
        failed = true;
    }
    csv_free(&p);
    free(line);
    gzclose(f);
    if (!failed && !t->header)
        err_add(errs, "%s:1: the file is empty: expected a header row", path);
    if (!failed && t->header && t->n_header > TAB_MAX_COLUMNS)
        err_add(errs, "%s:%d: the header has %zu columns: expected at most %d", path, t->header_line, t->n_header,
                TAB_MAX_COLUMNS);
    for (size_t i = 0; !failed && t->header && t->n_header <= TAB_MAX_COLUMNS && i < t->n_header; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(t->header[i], t->header[j]) == 0) {
                err_add(errs, "%s:%d: the header names column '%s' twice (columns %zu and %zu): expected each "
                              "column once", path, t->header_line, t->header[i], j + 1, i + 1);
                break;
            }
    for (size_t i = 0; !failed && t->header && i < n_required; i++) {
        bool found = false;
        for (size_t h = 0; h < t->n_header; h++)
            found |= strcmp(t->header[h], required[i]) == 0;
        if (!found)
            err_add(errs, "%s:%d: header has no column '%s': expected a column named '%s'", path, t->header_line,
                    required[i], required[i]);
    }
    if (errs->count != before) {
        tab_free(t);
        return NULL;
    }
    t->errs = NULL;
    return t;
}

size_t tab_rows(const tab_table *t) { return t->n_rows; }
const char *tab_path(const tab_table *t) { return t->path; }
int tab_line(const tab_table *t, size_t row) { return t->rows[row].line; }
int tab_header_line(const tab_table *t) { return t->header_line; }

const char *tab_get(const tab_table *t, size_t row, const char *column)
{
    for (size_t h = 0; h < t->n_header; h++)
        if (strcmp(t->header[h], column) == 0)
            return h < t->rows[row].n ? t->rows[row].field[h] : "";
    return "";
}

bool tab_int(const tab_table *t, size_t row, const char *column, int64_t min, int64_t max, int64_t *out,
             err_list *errs)
{
    const char *s = tab_get(t, row, column);
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno == ERANGE || v < min || v > max) {
        err_add(errs, "%s:%d: column '%s' is '%s': expected a whole number in %lld..%lld", t->path,
                t->rows[row].line, column, s, (long long)min, (long long)max);
        return false;
    }
    *out = v;
    return true;
}

bool tab_decimal(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (isdigit((unsigned char)*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++, digits++;
    }
    if (digits == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

bool tab_real(const tab_table *t, size_t row, const char *column, double min, double max, double *out,
              err_list *errs)
{
    const char *s = tab_get(t, row, column);
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (!tab_decimal(s) || *end || errno == ERANGE || !isfinite(v) || v < min || v > max) {
        err_add(errs, "%s:%d: column '%s' is '%s': expected a number in %g..%g", t->path, t->rows[row].line,
                column, s, min, max);
        return false;
    }
    *out = v;
    return true;
}

bool tab_date(const tab_table *t, size_t row, const char *column, int32_t *out, err_list *errs)
{
    const char *s = tab_get(t, row, column);
    if (!cal_parse_date(s, out)) {
        err_add(errs, "%s:%d: column '%s' is '%s': expected a real date YYYY-MM-DD", t->path, t->rows[row].line,
                column, s);
        return false;
    }
    return true;
}

bool tab_text(const tab_table *t, size_t row, const char *column, const char **out, err_list *errs)
{
    const char *s = tab_get(t, row, column);
    if (!*s) {
        err_add(errs, "%s:%d: column '%s' is empty: expected a value", t->path, t->rows[row].line, column);
        return false;
    }
    *out = s;
    return true;
}

/* ---- streaming: one row in memory at a time (tab_stream) ---- */

typedef struct {
    char **field;
    size_t n, cap;
    int line;
    bool (*row)(void *ctx, char **field, size_t n, int line);
    void *ctx;
    bool stop, oom;
} stream_reader;

static void stream_field(void *s, size_t len, void *data)
{
    stream_reader *r = data;
    if (r->stop)
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        char **f = realloc(r->field, cap * sizeof *f);
        if (!f) {
            r->stop = r->oom = true;
            return;
        }
        r->field = f;
        r->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        r->stop = r->oom = true;
        return;
    }
    memcpy(copy, s ? s : "", len);
    copy[len] = '\0';
    r->field[r->n++] = copy;
}

static void stream_end_row(int c, void *data)
{
    (void)c;
    stream_reader *r = data;
    r->line++;
    if (!r->stop && r->n > 0 && r->field[0][0] != '#')
        r->stop = !r->row(r->ctx, r->field, r->n, r->line);
    for (size_t i = 0; i < r->n; i++)
        free(r->field[i]);
    r->n = 0;
}

bool tab_stream(const char *path, bool (*row)(void *ctx, char **field, size_t n, int line), void *ctx,
                err_list *errs)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_add(errs, "%s: cannot read: %s", path, strerror(errno));
        return false;
    }
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_APPEND_NULL);
    stream_reader r = {.row = row, .ctx = ctx};
    char buf[65536];
    size_t n;
    bool ok = true;
    while (!r.stop && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (csv_parse(&p, buf, n, stream_field, stream_end_row, &r) != n) {
            err_add(errs, "%s:%d: %s", path, r.line + 1, csv_strerror(csv_error(&p)));
            ok = false;
            break;
        }
    }
    if (ok && !r.stop)
        csv_fini(&p, stream_field, stream_end_row, &r);
    if (ferror(f)) {
        err_add(errs, "%s: read error", path);
        ok = false;
    }
    if (r.oom)
        err_add_kind(errs, ERR_MEMORY, "%s: out of memory", path);
    ok = ok && !r.stop;
    for (size_t i = 0; i < r.n; i++)
        free(r.field[i]);
    free(r.field);
    csv_free(&p);
    fclose(f);
    return ok;
}
