/* output.c: results folders written to a temporary name and renamed when
 * complete; CSV through libcsv; see output.h. Every byte goes through
 * checked_write so a full disk is seen at the first failing write.
 *
 * One writer per results location: out_begin takes an exclusive flock on
 * ROOT/.NAME.lock (holding "pid = N; command = ..."), kept until commit or
 * abort, so two runs given the same --out cannot race in the renames; the
 * second is told which run holds it. A commit never replaces results of
 * another kind (a single run's folder by a batch, or the reverse): the kind
 * is the first [section] of manifest.ini.
 *
 * Compressed output (out_set_compress, `run --compress`): each CSV is written
 * as FILE.gz through zlib, the same bytes inside; the gzip header carries no
 * time or name, so the files are as reproducible as plain ones. Compressed
 * files are flushed only when closed. tab_read reads FILE.gz for FILE. */
#include "sim/output.h"

#include <csv.h>
#include <zlib.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUT_MAX_FILES 32
#define OUT_PATH_LEN 4096

struct out_csv {
    out_run *run;
    FILE *f;
    gzFile gz; /* instead of f when the run is compressed */
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
    char lock_path[OUT_PATH_LEN];
    int lock_fd;
    bool compress;
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
    if (c->gz) {
        if (injected_failure() || (n && gzwrite(c->gz, s, (unsigned)n) != (int)n)) {
            errno = errno ? errno : ENOSPC;
            set_error(c->run, c->name, errno);
        }
        return;
    }
    if (!out_write(c->f, s, n))
        set_error(c->run, c->name, errno ? errno : EIO);
}

/* Makes path and its missing parents; on failure removes the folders it
 * made, so a path that cannot be made leaves nothing behind. */
static int mkdir_p(const char *path)
{
    char tmp[OUT_PATH_LEN];
    char *made[OUT_PATH_LEN / 2];
    int n_made = 0, err = 0;
    snprintf(tmp, sizeof tmp, "%s/", path);
    for (char *p = tmp + 1; *p && !err; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0777) == 0)
            made[n_made++] = p;
        else if (errno != EEXIST)
            err = errno;
        *p = '/';
    }
    while (err && n_made > 0) {
        char *end = made[--n_made];
        *end = '\0';
        rmdir(tmp);
    }
    errno = err;
    return err ? -1 : 0;
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
        err_add_kind(errs, ERR_USAGE, "%s: exists and is not a folder: expected a results folder or a new name", final_dir);
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
        err_add_kind(errs, ERR_USAGE, "%s: is a folder with no manifest.ini, not ecnysim results: refusing to replace it "
                      "(expected a results folder, an empty folder or a new name)", final_dir);
    return empty;
}

bool out_kind(const char *dir, char *kind, size_t kind_len)
{
    char path[OUT_PATH_LEN + 32], line[512];
    snprintf(path, sizeof path, "%s/manifest.ini", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool found = false;
    for (int n = 0; !found && n < 64 && fgets(line, sizeof line, f); n++) {
        if (line[0] != '[')
            continue;
        size_t len = strcspn(line + 1, "]\n");
        snprintf(kind, kind_len, "%.*s", (int)len, line + 1);
        found = true;
    }
    fclose(f);
    return found;
}

static const char *kind_words(const char *kind)
{
    return strcmp(kind, "run") == 0 ? "a single run" : strcmp(kind, "batch") == 0 ? "a batch" : kind;
}

bool out_check_kind(const char *dir, const char *kind, err_list *errs)
{
    char old[64];
    if (!out_kind(dir, old, sizeof old) || strcmp(old, kind) == 0)
        return true;
    err_add_kind(errs, ERR_USAGE, "%s: holds %s ([%s] in its manifest.ini): refusing to replace it with %s: expected a new "
                  "--out DIR (or remove %s first)", dir, kind_words(old), old, kind_words(kind), dir);
    return false;
}

/* Takes ROOT/.NAME.lock. The file is removed by its holder at the end; a
 * holder killed leaves it unlocked (the kernel drops the lock), and the next
 * run takes it. After flock, the path must still name the locked file: if
 * the holder removed it in between, lock the new one. */
static bool take_lock(out_run *run, const char *root, const char *name, err_list *errs)
{
    snprintf(run->lock_path, sizeof run->lock_path, "%s/.%s.lock", root, name);
    for (int attempt = 0; attempt < 8; attempt++) {
        int fd = open(run->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            err_add_kind(errs, ERR_IO, "%s: cannot create the lock of the results folder: %s", run->lock_path, strerror(errno));
            return false;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            char holder[512] = "";
            ssize_t n = pread(fd, holder, sizeof holder - 1, 0);
            holder[n > 0 ? n : 0] = '\0';
            holder[strcspn(holder, "\n")] = '\0';
            err_add_kind(errs, ERR_USAGE, "%s: another ecnysim run is writing these results (%s): expected one run per results "
                          "folder: wait for it to finish, or use another --out",
                    run->final_dir, holder[0] ? holder : "its lock is held");
            close(fd);
            return false;
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(run->lock_path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
            char text[600], cmd[400] = "";
            int cf = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
            if (cf >= 0) {
                ssize_t n = read(cf, cmd, sizeof cmd - 1);
                close(cf);
                for (ssize_t i = 0; i < n - 1; i++)
                    if (cmd[i] == '\0')
                        cmd[i] = ' ';
                cmd[n > 0 ? n : 0] = '\0';
            }
            int len = snprintf(text, sizeof text, "pid = %ld; command = %s\n", (long)getpid(), cmd);
            if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)len, 0) != len) {
                /* the lock holds without its note */
            }
            run->lock_fd = fd;
            return true;
        }
        close(fd);
    }
    err_add_kind(errs, ERR_IO, "%s: cannot take the lock of the results folder: it keeps changing", run->lock_path);
    return false;
}

static void drop_lock(out_run *run)
{
    if (run->lock_fd < 0)
        return;
    unlink(run->lock_path);
    close(run->lock_fd);
    run->lock_fd = -1;
}

out_run *out_begin(const char *root, const char *name, err_list *errs)
{
    out_run *run = calloc(1, sizeof *run);
    if (!run) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return NULL;
    }
    run->lock_fd = -1;
    /* The longest path made here is ROOT/.NAME.partial-PID/FILE: refuse a
     * location that cannot hold it before making any folder. */
    if (strlen(root) + strlen(name) + 300 >= OUT_PATH_LEN || strlen(name) > 200 || !name[0]) {
        err_add(errs, "%s/%s: the results location is too long or has no name: expected a folder path under %d "
                      "characters", root, name, OUT_PATH_LEN - 300);
        free(run);
        return NULL;
    }
    if (mkdir_p(root) != 0) {
        err_add_kind(errs, ERR_IO, "%s: cannot create the results folder: %s", root, strerror(errno));
        free(run);
        return NULL;
    }
    snprintf(run->final_dir, sizeof run->final_dir, "%s/%s", root, name);
    snprintf(run->temp_dir, sizeof run->temp_dir, "%s/.%s.partial-%ld", root, name, (long)getpid());
    if (!replaceable(run->final_dir, errs) || !take_lock(run, root, name, errs)) {
        free(run);
        return NULL;
    }
    out_remove_dir(run->temp_dir);
    if (mkdir(run->temp_dir, 0777) != 0) {
        err_add_kind(errs, ERR_IO, "%s: cannot create a folder for the results: %s", run->temp_dir, strerror(errno));
        drop_lock(run);
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

void out_set_compress(out_run *run, bool compress) { run->compress = compress; }

out_csv *out_csv_open(out_run *run, const char *file, const char *const *columns, size_t n_columns)
{
    if (run->n_csv >= OUT_MAX_FILES) {
        set_error(run, file, EMFILE);
        return NULL;
    }
    FILE *f = NULL;
    gzFile gz = NULL;
    char name[256];
    snprintf(name, sizeof name, "%s%s", file, run->compress ? ".gz" : "");
    if (run->compress) {
        char path[OUT_PATH_LEN + 256];
        snprintf(path, sizeof path, "%s/%s", run->temp_dir, name);
        gz = gzopen(path, "wb6");
        if (!gz) {
            set_error(run, name, errno ? errno : ENOMEM);
            return NULL;
        }
    } else if (!(f = open_in_run(run, file))) {
        return NULL;
    }
    out_csv *c = &run->csv[run->n_csv++];
    c->run = run;
    c->f = f;
    c->gz = gz;
    snprintf(c->name, sizeof c->name, "%s", name);
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
    if (c->gz) { /* quoted as csv_fwrite quotes: "...", with '"' doubled */
        csv_write_bytes(c, "\"", 1);
        for (const char *q = s, *e; *q; q = e) {
            e = strchr(q, '"');
            if (!e) {
                csv_write_bytes(c, q, strlen(q));
                break;
            }
            e++;
            csv_write_bytes(c, q, (size_t)(e - q));
            csv_write_bytes(c, "\"", 1);
        }
        csv_write_bytes(c, "\"", 1);
        return;
    }
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
    for (int i = 0; i < run->n_csv; i++) /* a compressed file is flushed when closed */
        if (run->csv[i].f && fflush(run->csv[i].f) != 0)
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
        if (run->csv[i].gz && gzclose(run->csv[i].gz) != Z_OK)
            set_error(run, run->csv[i].name, errno ? errno : EIO);
        run->csv[i].f = NULL;
        run->csv[i].gz = NULL;
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
        err_add_kind(errs, ERR_IO, "%s (previous results, if any, are untouched)", run->error);
        out_abort(run);
        return false;
    }
    char kind[64];
    if (out_kind(run->temp_dir, kind, sizeof kind) && !out_check_kind(run->final_dir, kind, errs)) {
        out_abort(run);
        return false;
    }
    char old[OUT_PATH_LEN + 64];
    snprintf(old, sizeof old, "%s.old-%ld", run->final_dir, (long)getpid());
    bool had_old = rename(run->final_dir, old) == 0;
    if (rename(run->temp_dir, run->final_dir) != 0) {
        err_add_kind(errs, ERR_IO, "%s: cannot move the results into place: %s", run->final_dir, strerror(errno));
        if (had_old)
            rename(old, run->final_dir);
        out_abort(run);
        return false;
    }
    if (had_old)
        out_remove_dir(old);
    drop_lock(run);
    free(run);
    return true;
}

void out_abort(out_run *run)
{
    if (!run)
        return;
    close_all(run);
    out_remove_dir(run->temp_dir);
    drop_lock(run);
    free(run);
}
