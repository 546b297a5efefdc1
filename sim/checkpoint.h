/* checkpoint.h: checkpoint files, streamed (prefix ckp_).
 *
 * A checkpoint is the whole state of a run at a day boundary, written so a
 * run killed at any moment can be resumed and finish byte-identical to one
 * that was never stopped (docs/checkpoint.md). This module knows the file
 * format only: a header, then sections each module writes through the small
 * put/get helpers below (ledger: led_save, events: ev_save, engine:
 * eng_save, world and programmes: wld_save), then an end tag and a checksum.
 *
 * File layout (little-endian, native widths; the byte-order mark refuses a
 * file from a machine of the other order):
 *   "ECNYCKPT"  u32 format version  u32 byte-order mark 0x01020304
 *   str ecnysim version  u64 scenario hash  u64 seed
 *   i32 start day  i32 day index (next day to run)  i32 days planned
 *   i32 checkpoint_every  str results root  str results name  str scenario file
 *   sections: u32 tag ("LEDG", "EVNT", ...) then the module's fields
 *   u32 tag "END!"  u64 checksum of every byte before it
 * Strings are u32 length + bytes. Arrays are u64 count + elements.
 *
 * Writing streams through a stdio buffer (a 1:1 checkpoint is GBs: nothing
 * is built in memory), every write checked through out_write (so
 * ECNYSIM_FAIL_WRITE reaches it), into PATH.tmp, then fflush + fsync +
 * rename: a reader sees the old file or the new one, never half of one.
 * Reading first checks the whole file (size, checksum, magic, version) and
 * only then hands out fields, so a corrupt or truncated file is refused
 * before any state is touched. Errors are sticky: after the first failure
 * every put/get does nothing and the get functions return 0.
 */
#ifndef ECNYSIM_CHECKPOINT_H
#define ECNYSIM_CHECKPOINT_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 2: a KPI's achieved, base and cost are integers (fen for money), not doubles. */
#define CKP_VERSION 5u /* 3: platforms in vouchers, offline trials; 4: ever_paid_wallets among the metrics, offline
                          * trials without per-device wallets and card flags; 5: merchants' expected starts */
#define CKP_TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define CKP_STR_MAX 4096

typedef struct {
    char version[64];       /* ecnysim version that wrote it */
    uint64_t scenario_hash; /* ckp_hash_file of the checkpoint folder's scenario.ini */
    uint64_t seed;
    int32_t start_day, day_index, n_days, checkpoint_every;
    char results_root[CKP_STR_MAX];
    char results_name[1024];
    char scenario_file[CKP_STR_MAX];
} ckp_header;

typedef struct ckp_writer ckp_writer;
typedef struct ckp_reader ckp_reader;

/* Opens PATH.tmp for writing and writes the header. NULL with a message in
 * err when the file cannot be created (nothing is left behind then). */
ckp_writer *ckp_create(const char *path, const ckp_header *h, char *err, size_t err_len);
void ckp_put(ckp_writer *w, const void *data, size_t n);
void ckp_put_u32(ckp_writer *w, uint32_t v);
void ckp_put_i32(ckp_writer *w, int32_t v);
void ckp_put_u64(ckp_writer *w, uint64_t v);
void ckp_put_i64(ckp_writer *w, int64_t v);
void ckp_put_f64(ckp_writer *w, double v);
void ckp_put_str(ckp_writer *w, const char *s);
void ckp_put_tag(ckp_writer *w, uint32_t tag);
/* u64 count, then count elements of elem bytes (one checked write). */
void ckp_put_array(ckp_writer *w, const void *a, size_t elem, uint64_t count);
void ckp_put_rng(ckp_writer *w, const gsl_rng *r); /* an rng_xoshiro stream */
bool ckp_write_failed(const ckp_writer *w);
/* Writes the end tag and checksum, flushes, fsyncs, renames PATH.tmp to
 * PATH. False with a message (PATH.tmp removed, PATH untouched) on any
 * failure. Frees w in every case. */
bool ckp_finish(ckp_writer *w, char *err, size_t err_len);
/* Removes PATH.tmp and frees w. NULL is fine. */
void ckp_abandon(ckp_writer *w);

/* Opens a checkpoint: checks its size, checksum, magic, byte order and
 * format version, and reads the header into *h. NULL with a message naming
 * the file and the problem (corrupt, truncated, other version). */
ckp_reader *ckp_open(const char *path, ckp_header *h, char *err, size_t err_len);
void ckp_get(ckp_reader *r, void *data, size_t n);
uint32_t ckp_get_u32(ckp_reader *r);
int32_t ckp_get_i32(ckp_reader *r);
uint64_t ckp_get_u64(ckp_reader *r);
int64_t ckp_get_i64(ckp_reader *r);
double ckp_get_f64(ckp_reader *r);
/* Expects the section tag; a different one fails the reader. */
bool ckp_expect_tag(ckp_reader *r, uint32_t tag, const char *section);
/* Reads an array written by ckp_put_array into a (room for max elements of
 * elem bytes); a count above max fails the reader naming what. Returns the
 * count (0 after a failure). */
uint64_t ckp_get_array(ckp_reader *r, void *a, size_t elem, uint64_t max, const char *what);
/* Reads a u64 count and fails the reader when it is above max. */
uint64_t ckp_get_count(ckp_reader *r, uint64_t max, const char *what);
void ckp_get_rng(ckp_reader *r, gsl_rng *rng);
/* Fails the reader with a message (first failure wins). Also for writers'
 * callers that find the state does not fit (a different scenario). */
void ckp_fail(ckp_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool ckp_read_failed(const ckp_reader *r);
const char *ckp_read_error(const ckp_reader *r);
/* Expects the end tag. Frees r. False with the message in err when any read
 * failed or the end is not where it should be. */
bool ckp_close(ckp_reader *r, char *err, size_t err_len);
/* Frees r without further checks (after reading only the header). */
void ckp_discard(ckp_reader *r);

/* 64-bit checksum of a file's bytes (the scenario's): false when unreadable. */
bool ckp_hash_file(const char *path, uint64_t *out);
/* Copies src to dst (created), every write checked, then fsync. False with
 * a message on failure. */
bool ckp_copy_file(const char *src, const char *dst, char *err, size_t err_len);
/* fsyncs a file or folder by path (best effort for folders). */
bool ckp_fsync_path(const char *path);
/* Moves the complete folder tmp_dir into place as dir in one step: when dir
 * exists the two are exchanged atomically (renameat2 RENAME_EXCHANGE) and
 * the old one, now at tmp_dir, removed; elsewhere, renamed. False with a
 * message on failure (dir then still holds the previous checkpoint). */
bool ckp_commit_dir(const char *tmp_dir, const char *dir, char *err, size_t err_len);

#endif
