/* checkpoint.c: the checkpoint file format; see checkpoint.h.
 *
 * Checksum: the byte stream is cut into 64-bit little-endian words (a short
 * last word zero-padded); each word is folded in by a multiply-rotate mix
 * and the length is folded in at the end. It catches truncation, flipped
 * bits and torn writes; it is not a defence against a forger. Cost: one
 * multiply per 8 bytes, far below the disk's speed.
 *
 * Every write goes through out_write (sim/output.h): one checked fwrite per
 * put, so a full disk (or ECNYSIM_FAIL_WRITE) is seen at the first failing
 * one and the file is abandoned, leaving the previous checkpoint as it was.
 */
#define _GNU_SOURCE /* renameat2 */
#include "sim/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/output.h"
#include "sim/assert.h"
#include "sim/rng.h"

static const char ckp_magic[8] = {'E', 'C', 'N', 'Y', 'C', 'K', 'P', 'T'};
#define CKP_BOM 0x01020304u
#define CKP_END CKP_TAG('E', 'N', 'D', '!')
#define CKP_BUF (1u << 20)

/* ---------------------------------------------------------------- checksum */

typedef struct {
    uint64_t h, total;
    uint8_t carry[8];
    unsigned n_carry;
} ckp_sum;

static inline uint64_t ckp_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline void sum_word(ckp_sum *s, uint64_t w)
{
    s->h = ckp_rotl(s->h ^ (w * 0x9e3779b97f4a7c15ull), 31) * 0xbf58476d1ce4e5b9ull;
}

static void sum_init(ckp_sum *s)
{
    memset(s, 0, sizeof *s);
    s->h = 0x6a09e667f3bcc908ull;
}

static void sum_update(ckp_sum *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    s->total += n;
    while (s->n_carry && n) {
        s->carry[s->n_carry++] = *p++;
        n--;
        if (s->n_carry == 8) {
            uint64_t w;
            memcpy(&w, s->carry, 8);
            sum_word(s, w);
            s->n_carry = 0;
        }
    }
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        sum_word(s, w);
    }
    while (n--)
        s->carry[s->n_carry++] = *p++;
}

static uint64_t sum_final(const ckp_sum *in)
{
    ckp_sum s = *in;
    if (s.n_carry) {
        memset(s.carry + s.n_carry, 0, 8 - s.n_carry);
        uint64_t w;
        memcpy(&w, s.carry, 8);
        sum_word(&s, w);
    }
    sum_word(&s, s.total);
    return rng_fmix64(s.h);
}

/* ------------------------------------------------------------------ writer */

struct ckp_writer {
    FILE *f;
    ckp_sum sum;
    bool failed;
    int err_no;
    char path[CKP_STR_MAX + 16], tmp[CKP_STR_MAX + 32];
    char *buf;
};

void ckp_put(ckp_writer *w, const void *data, size_t n)
{
    SIM_ASSERT(w && (data || n == 0), "a writer and %zu bytes", n);
    if (w->failed || n == 0)
        return;
    errno = 0;
    if (!out_write(w->f, data, n)) {
        w->failed = true;
        w->err_no = errno ? errno : EIO;
        return;
    }
    sum_update(&w->sum, data, n);
}

void ckp_put_u32(ckp_writer *w, uint32_t v) { ckp_put(w, &v, sizeof v); }
void ckp_put_i32(ckp_writer *w, int32_t v) { ckp_put(w, &v, sizeof v); }
void ckp_put_u64(ckp_writer *w, uint64_t v) { ckp_put(w, &v, sizeof v); }
void ckp_put_i64(ckp_writer *w, int64_t v) { ckp_put(w, &v, sizeof v); }
void ckp_put_f64(ckp_writer *w, double v) { ckp_put(w, &v, sizeof v); }
void ckp_put_tag(ckp_writer *w, uint32_t tag) { ckp_put_u32(w, tag); }

void ckp_put_str(ckp_writer *w, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n >= CKP_STR_MAX)
        n = CKP_STR_MAX - 1;
    ckp_put_u32(w, (uint32_t)n);
    ckp_put(w, s, n);
}

void ckp_put_array(ckp_writer *w, const void *a, size_t elem, uint64_t count)
{
    SIM_ASSERT(w && elem > 0 && (a || count == 0), "%llu elements of %zu bytes", (unsigned long long)count, elem);
    ckp_put_u64(w, count);
    /* Chunks of at most 256 MiB: one fwrite per chunk, still streamed. */
    const char *p = a;
    uint64_t bytes = count * (uint64_t)elem;
    while (bytes > 0 && !w->failed) {
        size_t n = bytes > ((uint64_t)1 << 28) ? (size_t)1 << 28 : (size_t)bytes;
        ckp_put(w, p, n);
        p += n;
        bytes -= n;
    }
}

void ckp_put_rng(ckp_writer *w, const gsl_rng *r)
{
    uint64_t s[4];
    rng_get_state(r, s);
    ckp_put(w, s, sizeof s);
}

bool ckp_write_failed(const ckp_writer *w) { return w->failed; }

ckp_writer *ckp_create(const char *path, const ckp_header *h, char *err, size_t err_len)
{
    SIM_ASSERT(path && h && err && err_len > 0, "a path, a header and room for the error");
    ckp_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, err_len, "%s: out of memory", path);
        return NULL;
    }
    snprintf(w->path, sizeof w->path, "%s", path);
    snprintf(w->tmp, sizeof w->tmp, "%s.tmp", path);
    w->f = fopen(w->tmp, "wb");
    if (!w->f) {
        snprintf(err, err_len, "%s: cannot create the checkpoint: %s", w->tmp, strerror(errno));
        free(w);
        return NULL;
    }
    w->buf = malloc(CKP_BUF);
    if (w->buf)
        setvbuf(w->f, w->buf, _IOFBF, CKP_BUF);
    sum_init(&w->sum);
    ckp_put(w, ckp_magic, sizeof ckp_magic);
    ckp_put_u32(w, CKP_VERSION);
    ckp_put_u32(w, CKP_BOM);
    ckp_put_str(w, h->version);
    ckp_put_u64(w, h->scenario_hash);
    ckp_put_u64(w, h->seed);
    ckp_put_i32(w, h->start_day);
    ckp_put_i32(w, h->day_index);
    ckp_put_i32(w, h->n_days);
    ckp_put_i32(w, h->checkpoint_every);
    ckp_put_str(w, h->results_root);
    ckp_put_str(w, h->results_name);
    ckp_put_str(w, h->scenario_file);
    return w;
}

static void writer_free(ckp_writer *w)
{
    if (w->f)
        fclose(w->f);
    w->f = NULL;
    free(w->buf);
    free(w);
}

void ckp_abandon(ckp_writer *w)
{
    if (!w)
        return;
    if (w->f)
        fclose(w->f);
    w->f = NULL;
    unlink(w->tmp);
    free(w->buf);
    free(w);
}

bool ckp_finish(ckp_writer *w, char *err, size_t err_len)
{
    ckp_put_tag(w, CKP_END);
    uint64_t sum = sum_final(&w->sum);
    ckp_put_u64(w, sum);
    if (!w->failed && fflush(w->f) != 0) {
        w->failed = true;
        w->err_no = errno;
    }
    if (!w->failed && fsync(fileno(w->f)) != 0) {
        w->failed = true;
        w->err_no = errno;
    }
    if (!w->failed && fclose(w->f) != 0) {
        w->failed = true;
        w->err_no = errno;
    }
    w->f = NULL;
    if (!w->failed && rename(w->tmp, w->path) != 0) {
        w->failed = true;
        w->err_no = errno;
    }
    if (w->failed) {
        snprintf(err, err_len, "%s: cannot write the checkpoint: %s (the previous checkpoint is untouched)",
                 w->tmp, strerror(w->err_no ? w->err_no : EIO));
        ckp_abandon(w);
        return false;
    }
    writer_free(w);
    return true;
}

/* ------------------------------------------------------------------ reader */

struct ckp_reader {
    FILE *f;
    bool failed;
    uint64_t left; /* bytes before the end tag and checksum */
    char path[CKP_STR_MAX + 16];
    char error[CKP_STR_MAX + 512];
    char *buf;
};

void ckp_fail(ckp_reader *r, const char *fmt, ...)
{
    if (r->failed)
        return;
    r->failed = true;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->error, sizeof r->error, "%s: %s", r->path, msg);
}

void ckp_get(ckp_reader *r, void *data, size_t n)
{
    SIM_ASSERT(r && (data || n == 0), "a reader and %zu bytes", n);
    if (r->failed) {
        memset(data, 0, n);
        return;
    }
    if (n > r->left || fread(data, 1, n, r->f) != n) {
        memset(data, 0, n);
        ckp_fail(r, "truncated checkpoint: a section ends early (expected a complete file)");
        return;
    }
    r->left -= n;
}

uint32_t ckp_get_u32(ckp_reader *r) { uint32_t v; ckp_get(r, &v, sizeof v); return v; }
int32_t ckp_get_i32(ckp_reader *r) { int32_t v; ckp_get(r, &v, sizeof v); return v; }
uint64_t ckp_get_u64(ckp_reader *r) { uint64_t v; ckp_get(r, &v, sizeof v); return v; }
int64_t ckp_get_i64(ckp_reader *r) { int64_t v; ckp_get(r, &v, sizeof v); return v; }
double ckp_get_f64(ckp_reader *r) { double v; ckp_get(r, &v, sizeof v); return v; }

static void get_str(ckp_reader *r, char *out, size_t out_len)
{
    uint32_t n = ckp_get_u32(r);
    out[0] = '\0';
    if (n >= CKP_STR_MAX || n >= out_len) {
        ckp_fail(r, "corrupt checkpoint: a text field of %u bytes", n);
        return;
    }
    ckp_get(r, out, n);
    out[r->failed ? 0 : n] = '\0';
}

static void tag_text(uint32_t tag, char out[5])
{
    for (int i = 0; i < 4; i++) {
        char c = (char)(tag >> (8 * i));
        out[i] = c >= 32 && c < 127 ? c : '?';
    }
    out[4] = '\0';
}

bool ckp_expect_tag(ckp_reader *r, uint32_t tag, const char *section)
{
    uint32_t got = ckp_get_u32(r);
    if (!r->failed && got != tag) {
        char a[5], b[5];
        tag_text(tag, a);
        tag_text(got, b);
        ckp_fail(r, "corrupt checkpoint: expected the %s section ('%s'), found '%s'", section, a, b);
    }
    return !r->failed;
}

uint64_t ckp_get_count(ckp_reader *r, uint64_t max, const char *what)
{
    uint64_t n = ckp_get_u64(r);
    if (!r->failed && n > max) {
        ckp_fail(r, "the checkpoint holds %llu %s, more than this scenario has room for (%llu): "
                    "it was written for another scenario",
                 (unsigned long long)n, what, (unsigned long long)max);
        return 0;
    }
    return r->failed ? 0 : n;
}

uint64_t ckp_get_array(ckp_reader *r, void *a, size_t elem, uint64_t max, const char *what)
{
    SIM_ASSERT(r && elem > 0 && (a || max == 0), "up to %llu elements of %zu bytes", (unsigned long long)max, elem);
    uint64_t n = ckp_get_count(r, max, what);
    char *p = a;
    uint64_t bytes = n * (uint64_t)elem;
    while (bytes > 0 && !r->failed) {
        size_t k = bytes > ((uint64_t)1 << 28) ? (size_t)1 << 28 : (size_t)bytes;
        ckp_get(r, p, k);
        p += k;
        bytes -= k;
    }
    return r->failed ? 0 : n;
}

void ckp_get_rng(ckp_reader *r, gsl_rng *rng)
{
    uint64_t s[4];
    ckp_get(r, s, sizeof s);
    if (!r->failed && (s[0] | s[1] | s[2] | s[3]) == 0)
        ckp_fail(r, "corrupt checkpoint: a random stream's state is all zero");
    if (!r->failed)
        rng_set_state(rng, s);
}

bool ckp_read_failed(const ckp_reader *r) { return r->failed; }
const char *ckp_read_error(const ckp_reader *r) { return r->error; }

static void reader_free(ckp_reader *r)
{
    if (r->f)
        fclose(r->f);
    free(r->buf);
    free(r);
}

/* Checks the whole file: its checksum over every byte before the last 8. */
static bool verify(ckp_reader *r, uint64_t size)
{
    if (size < sizeof ckp_magic + 8 + 4 + 8) {
        ckp_fail(r, "truncated checkpoint (%llu bytes): expected a complete file", (unsigned long long)size);
        return false;
    }
    char magic[8];
    if (fread(magic, 1, 8, r->f) != 8 || memcmp(magic, ckp_magic, 8) != 0) {
        ckp_fail(r, "not an ecnysim checkpoint (bad magic): expected a state.ckp written by 'run --checkpoint-every'");
        return false;
    }
    uint32_t version = 0, bom = 0;
    if (fread(&version, 4, 1, r->f) != 1 || fread(&bom, 4, 1, r->f) != 1) {
        ckp_fail(r, "truncated checkpoint: expected a complete file");
        return false;
    }
    if (bom != CKP_BOM) {
        ckp_fail(r, "checkpoint written on a machine of the other byte order: expected one written here");
        return false;
    }
    if (version != CKP_VERSION) {
        ckp_fail(r, "checkpoint format version %u: this ecnysim reads version %u only (resume with the version "
                    "that wrote it, or start the run again)", version, CKP_VERSION);
        return false;
    }
    rewind(r->f);
    ckp_sum s;
    sum_init(&s);
    uint64_t body = size - 8;
    char *chunk = malloc(CKP_BUF);
    if (!chunk) {
        ckp_fail(r, "out of memory");
        return false;
    }
    uint64_t done = 0;
    while (done < body) {
        size_t want = body - done > CKP_BUF ? CKP_BUF : (size_t)(body - done);
        if (fread(chunk, 1, want, r->f) != want) {
            free(chunk);
            ckp_fail(r, "cannot read the checkpoint: %s", strerror(errno ? errno : EIO));
            return false;
        }
        sum_update(&s, chunk, want);
        done += want;
    }
    free(chunk);
    uint64_t stored;
    uint32_t end_tag;
    if (fread(&stored, 8, 1, r->f) != 1) {
        ckp_fail(r, "truncated checkpoint: expected a complete file");
        return false;
    }
    /* The end tag is the last 4 bytes before the checksum. */
    if (fseek(r->f, (long)(body - 4), SEEK_SET) != 0 || fread(&end_tag, 4, 1, r->f) != 1 || end_tag != CKP_END ||
        stored != sum_final(&s)) {
        ckp_fail(r, "corrupt or truncated checkpoint (checksum mismatch): expected a complete, unmodified file; "
                    "resume from an earlier copy or start the run again");
        return false;
    }
    rewind(r->f);
    r->left = body - 4;
    return true;
}

ckp_reader *ckp_open(const char *path, ckp_header *h, char *err, size_t err_len)
{
    SIM_ASSERT(path && h && err && err_len > 0, "a path, a header and room for the error");
    ckp_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, err_len, "%s: out of memory", path);
        return NULL;
    }
    snprintf(r->path, sizeof r->path, "%s", path);
    memset(h, 0, sizeof *h);
    r->f = fopen(path, "rb");
    struct stat st;
    if (!r->f || fstat(fileno(r->f), &st) != 0) {
        snprintf(err, err_len, "%s: cannot open the checkpoint: %s", path, strerror(errno));
        reader_free(r);
        return NULL;
    }
    r->buf = malloc(CKP_BUF);
    if (r->buf)
        setvbuf(r->f, r->buf, _IOFBF, CKP_BUF);
    if (!verify(r, (uint64_t)st.st_size)) {
        snprintf(err, err_len, "%s", r->error);
        reader_free(r);
        return NULL;
    }
    char magic[8];
    ckp_get(r, magic, 8);
    (void)ckp_get_u32(r); /* version, checked */
    (void)ckp_get_u32(r); /* byte order, checked */
    get_str(r, h->version, sizeof h->version);
    h->scenario_hash = ckp_get_u64(r);
    h->seed = ckp_get_u64(r);
    h->start_day = ckp_get_i32(r);
    h->day_index = ckp_get_i32(r);
    h->n_days = ckp_get_i32(r);
    h->checkpoint_every = ckp_get_i32(r);
    get_str(r, h->results_root, sizeof h->results_root);
    get_str(r, h->results_name, sizeof h->results_name);
    get_str(r, h->scenario_file, sizeof h->scenario_file);
    if (!r->failed && (h->day_index < 0 || h->n_days < 1 || h->day_index > h->n_days))
        ckp_fail(r, "corrupt checkpoint: day %d of %d", h->day_index, h->n_days);
    if (r->failed) {
        snprintf(err, err_len, "%s", r->error);
        reader_free(r);
        return NULL;
    }
    return r;
}

bool ckp_close(ckp_reader *r, char *err, size_t err_len)
{
    if (!r->failed && r->left != 0)
        ckp_fail(r, "corrupt checkpoint: %llu bytes left unread after the last section (written by another "
                    "build?)", (unsigned long long)r->left);
    if (!r->failed) {
        uint32_t tag;
        if (fread(&tag, 4, 1, r->f) != 1 || tag != CKP_END)
            ckp_fail(r, "corrupt checkpoint: no end tag after the last section");
    }
    bool ok = !r->failed;
    if (!ok)
        snprintf(err, err_len, "%s", r->error);
    reader_free(r);
    return ok;
}

void ckp_discard(ckp_reader *r)
{
    if (r)
        reader_free(r);
}

/* ------------------------------------------------------------------- files */

bool ckp_hash_file(const char *path, uint64_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    ckp_sum s;
    sum_init(&s);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sum_update(&s, buf, n);
    bool ok = !ferror(f);
    fclose(f);
    *out = sum_final(&s);
    return ok;
}

bool ckp_fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0 || errno == EINVAL; /* some file systems refuse fsync on a folder */
    close(fd);
    return ok;
}

bool ckp_copy_file(const char *src, const char *dst, char *err, size_t err_len)
{
    SIM_ASSERT(src && dst && err && err_len > 0, "two paths and room for the error");
    FILE *in = fopen(src, "rb");
    if (!in) {
        snprintf(err, err_len, "%s: cannot read: %s", src, strerror(errno));
        return false;
    }
    FILE *out = fopen(dst, "wb");
    if (!out) {
        snprintf(err, err_len, "%s: cannot create: %s", dst, strerror(errno));
        fclose(in);
        return false;
    }
    char *buf = malloc(CKP_BUF);
    bool ok = buf != NULL;
    size_t n;
    errno = 0;
    while (ok && (n = fread(buf, 1, CKP_BUF, in)) > 0)
        ok = out_write(out, buf, n);
    int e = errno;
    ok = ok && !ferror(in) && fflush(out) == 0 && fsync(fileno(out)) == 0;
    if (!ok && !e)
        e = errno ? errno : EIO;
    if (fclose(out) != 0)
        ok = false;
    fclose(in);
    free(buf);
    if (!ok) {
        snprintf(err, err_len, "%s: cannot write: %s", dst, strerror(e ? e : EIO));
        unlink(dst);
    }
    return ok;
}

bool ckp_commit_dir(const char *tmp_dir, const char *dir, char *err, size_t err_len)
{
    SIM_ASSERT(tmp_dir && dir && err && err_len > 0, "two folders and room for the error");
    ckp_fsync_path(tmp_dir);
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (rename(tmp_dir, dir) != 0) {
            snprintf(err, err_len, "%s: cannot move the checkpoint into place: %s", dir, strerror(errno));
            return false;
        }
    } else {
#ifdef RENAME_EXCHANGE
        if (renameat2(AT_FDCWD, tmp_dir, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
            out_remove_dir(tmp_dir); /* now the previous checkpoint */
            goto done;
        }
#endif
        /* No atomic exchange here: move the old one aside first; between the
         * two renames the previous checkpoint is DIR.old (resume finds it). */
        char old[CKP_STR_MAX + 32];
        snprintf(old, sizeof old, "%s.old", dir);
        out_remove_dir(old);
        if (rename(dir, old) != 0 || rename(tmp_dir, dir) != 0) {
            snprintf(err, err_len, "%s: cannot move the checkpoint into place: %s", dir, strerror(errno));
            rename(old, dir);
            return false;
        }
        out_remove_dir(old);
    }
#ifdef RENAME_EXCHANGE
done:
#endif
    {
        char parent[CKP_STR_MAX + 16];
        snprintf(parent, sizeof parent, "%s", dir);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent)
            *slash = '\0';
        else
            snprintf(parent, sizeof parent, "%s", slash ? "/" : ".");
        ckp_fsync_path(parent);
    }
    return true;
}
