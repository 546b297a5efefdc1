/* output.c: results folders written to a temporary name and renamed when
 * complete; CSV through libcsv; see output.h. Every byte goes through
 * checked_write so a full disk is seen at the first failing write. */
#include "sim/output.h"

#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUT_MAX_FILES 32
#define OUT_PATH_LEN 4096

struct out_csv {
    out_run *run;
    FILE *f;
    bool row_started;
    char name[256];
};

struct out_run {
    char final_dir[OUT_PATH_LEN];
    char temp_dir[OUT_PATH_LEN];
    out_csv csv[OUT_MAX_FILES];
    int n_csv;
    FILE *text[OUT_MAX_FILES];
    char text_name[OUT_MAX_FILES][256];
    int n_text;
    char error[OUT_PATH_LEN + 256];
};

static long fail_at = -1, writes_done;

static bool injected_failure(void)
{
    if (fail_at < 0) {
        const char *s = getenv("ECNYSIM_FAIL_WRITE");
        fail_at = s && *s ? atol(s) : 0;
    }
    return fail_at > 0 && ++writes_done == fail_at;
}

void out_test_fail_write_at(long n)
{
    fail_at = n > 0 ? n : 0;
    writes_done = 0;
}

bool out_write(FILE *f, const void *data, size_t n)
{
    if (injected_failure()) {
        errno = ENOSPC;
        return false;
    }
    return fwrite(data, 1, n, f) == n;
}

static void set_error(out_run *run, const char *file, int err)
{
    if (!run->error[0])
        snprintf(run->error, sizeof run->error, "%s/%s: cannot write: %s", run->final_dir, file, strerror(err));
}

static void csv_write_bytes(out_csv *c, const char *s, size_t n)
{
    if (c->run->error[0])
        return;
    if (!out_write(c->f, s, n))
        set_error(c->run, c->name, errno ? errno : EIO);
}

static int mkdir_p(const char *path)
{
    char tmp[OUT_PATH_LEN];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

void out_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[OUT_PATH_LEN + 256];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            /* errno is read only after a failed unlink (Linux says EISDIR
             * for a folder, POSIX allows EPERM). */
            if (unlink(path) != 0 && (errno == EISDIR || errno == EPERM))
                out_remove_dir(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* A commit replaces what is at the final path: refuse unless it is absent, an
 * empty folder or a results folder (one with a manifest.ini), so --out naming
 * a file or a folder of the user's is never moved away or emptied. */
static bool replaceable(const char *final_dir, err_list *errs)
{
    struct stat st;
    char manifest[OUT_PATH_LEN + 32];
    if (lstat(final_dir, &st) != 0)
        return true;
    if (!S_ISDIR(st.st_mode)) {
        err_add(errs, "%s: exists and is not a folder: expected a results folder or a new name", final_dir);
        return false;
    }
    snprintf(manifest, sizeof manifest, "%s/manifest.ini", final_dir);
    if (access(manifest, F_OK) == 0)
        return true;
    DIR *d = opendir(final_dir);
    struct dirent *e;
    bool empty = true;
    while (d && empty && (e = readdir(d)))
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    if (d)
        closedir(d);
    if (!empty)
        err_add(errs, "%s: is a folder with no manifest.ini, not ecnysim results: refusing to replace it "
                      "(expected a results folder, an empty folder or a new name)", final_dir);
    return empty;
}

out_run *out_begin(const char *root, const char *name, err_list *errs)
{
    out_run *run = calloc(1, sizeof *run);
    if (!run) {
        err_add(errs, "out of memory");
        return NULL;
    }
    if (mkdir_p(root) != 0) {
        err_add(errs, "%s: cannot create the results folder: %s", root, strerror(errno));
        free(run);
        return NULL;
    }
    snprintf(run->final_dir, sizeof run->final_dir, "%s/%s", root, name);
    snprintf(run->temp_dir, sizeof run->temp_dir, "%s/.%s.partial-%ld", root, name, (long)getpid());
    if (!replaceable(run->final_dir, errs)) {
        free(run);
        return NULL;
    }
    out_remove_dir(run->temp_dir);
    if (mkdir(run->temp_dir, 0777) != 0) {
        err_add(errs, "%s: cannot create a folder for the results: %s", run->temp_dir, strerror(errno));
        free(run);
        return NULL;
    }
    return run;
}

const char *out_final_dir(const out_run *run) { return run->final_dir; }
const char *out_temp_dir(const out_run *run) { return run->temp_dir; }

static FILE *open_in_run(out_run *run, const char *file)
{
    char path[OUT_PATH_LEN + 256];
    snprintf(path, sizeof path, "%s/%s", run->temp_dir, file);
    FILE *f = fopen(path, "w");
    if (!f)
        set_error(run, file, errno);
    return f;
}

out_csv *out_csv_open(out_run *run, const char *file, const char *const *columns, size_t n_columns)
{
    if (run->n_csv >= OUT_MAX_FILES) {
        set_error(run, file, EMFILE);
        return NULL;
    }
    FILE *f = open_in_run(run, file);
    if (!f)
        return NULL;
    out_csv *c = &run->csv[run->n_csv++];
    c->run = run;
    c->f = f;
    snprintf(c->name, sizeof c->name, "%s", file);
    for (size_t i = 0; i < n_columns; i++)
        out_csv_str(c, columns[i]);
    out_csv_end_row(c);
    return c;
}

static void separator(out_csv *c)
{
    if (c->row_started)
        csv_write_bytes(c, ",", 1);
    c->row_started = true;
}

void out_csv_str(out_csv *c, const char *s)
{
    separator(c);
    size_t n = strlen(s);
    if (strpbrk(s, ",\"\r\n") == NULL && (n == 0 || (s[0] != ' ' && s[n - 1] != ' '))) {
        csv_write_bytes(c, s, n);
        return;
    }
    if (c->run->error[0])
        return;
    if (injected_failure() || csv_fwrite(c->f, s, n) != 0)
        set_error(c->run, c->name, errno ? errno : EIO);
}

void out_csv_int(out_csv *c, int64_t v)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)v);
    separator(c);
    csv_write_bytes(c, buf, (size_t)n);
}

void out_csv_real(out_csv *c, double v)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%.6g", v);
    separator(c);
    csv_write_bytes(c, buf, (size_t)n);
}

void out_csv_end_row(out_csv *c)
{
    csv_write_bytes(c, "\n", 1);
    c->row_started = false;
}

bool out_flush(out_run *run)
{
    for (int i = 0; i < run->n_csv; i++)
        if (fflush(run->csv[i].f) != 0)
            set_error(run, run->csv[i].name, errno);
    for (int i = 0; i < run->n_text; i++)
        if (fflush(run->text[i]) != 0)
            set_error(run, run->text_name[i], errno);
    return !run->error[0];
}

FILE *out_text_open(out_run *run, const char *file)
{
    if (run->n_text >= OUT_MAX_FILES) {
        set_error(run, file, EMFILE);
        return NULL;
    }
    FILE *f = open_in_run(run, file);
    if (f) {
        snprintf(run->text_name[run->n_text], sizeof run->text_name[0], "%s", file);
        run->text[run->n_text++] = f;
    }
    return f;
}

bool out_failed(const out_run *run) { return run->error[0] != '\0'; }
const char *out_error(const out_run *run) { return run->error; }

static void close_all(out_run *run)
{
    for (int i = 0; i < run->n_csv; i++) {
        if (run->csv[i].f && fclose(run->csv[i].f) != 0)
            set_error(run, run->csv[i].name, errno);
        run->csv[i].f = NULL;
    }
    for (int i = 0; i < run->n_text; i++) {
        if (run->text[i] && ferror(run->text[i]))
            set_error(run, run->text_name[i], EIO);
        if (run->text[i] && fclose(run->text[i]) != 0)
            set_error(run, run->text_name[i], errno);
        run->text[i] = NULL;
    }
}

bool out_commit(out_run *run, err_list *errs)
{
    close_all(run);
    if (run->error[0]) {
        err_add(errs, "%s (previous results, if any, are untouched)", run->error);
        out_abort(run);
        return false;
    }
    char old[OUT_PATH_LEN + 64];
    snprintf(old, sizeof old, "%s.old-%ld", run->final_dir, (long)getpid());
    bool had_old = rename(run->final_dir, old) == 0;
    if (rename(run->temp_dir, run->final_dir) != 0) {
        err_add(errs, "%s: cannot move the results into place: %s", run->final_dir, strerror(errno));
        if (had_old)
            rename(old, run->final_dir);
        out_abort(run);
        return false;
    }
    if (had_old)
        out_remove_dir(old);
    free(run);
    return true;
}

void out_abort(out_run *run)
{
    if (!run)
        return;
    close_all(run);
    out_remove_dir(run->temp_dir);
    free(run);
}
