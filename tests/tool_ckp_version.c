/* tool_ckp_version.c: a test-only tool that makes a checkpoint look written
 * by another ecnysim version, for tests/e2e_checkpoint.sh.
 *
 *   tool_ckp_version SRC DST VERSION
 *
 * `ecnysim resume` warns and goes on when state.ckp names another ecnysim
 * version (cli/resume.c). That path cannot be reached by patching the
 * version's bytes: the whole-file checksum covers them, so such a file is
 * refused before the warning. This tool writes the file that VERSION would
 * have written from the same state, with the project's own code only: SRC is
 * opened with ckp_open (every check resume makes), DST is created with
 * ckp_create from SRC's header with VERSION in it, the sections are copied
 * byte for byte through ckp_get/ckp_put, and ckp_finish writes the end tag
 * and the checksum. No byte offset and no checksum is computed here, so the
 * tool follows the format when it changes, and the production reader keeps
 * every check it has (no flag skips the checksum).
 *
 * The sections' length is not stored: it is SRC's size less the header, the
 * end tag and the checksum. The header's length is measured by writing it
 * alone with the same writer (DST.hdr: header, end tag, checksum; removed
 * after), never by a formula of the layout. ckp_close then proves that the
 * copy stopped exactly at SRC's end tag, and DST is opened again with
 * ckp_open and its header compared field by field with SRC's.
 *
 * SRC and DST may be the same file: DST is written as DST.tmp and renamed
 * over DST only once SRC has been read to its end. Exit 0 when DST is
 * written and checked, 1 on any failure (a message on stderr; DST is
 * untouched unless the final check fails), 2 on bad usage. Cost: SRC read
 * twice (its check, the copy), DST written once and read once.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/checkpoint.h"

#define TOOL "tool_ckp_version"
#define TOOL_CHUNK ((size_t)1 << 20)
#define TOOL_TAIL 12u /* the end tag (u32) and the checksum (u64) after the sections */

static bool file_size(const char *path, uint64_t *out)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    *out = (uint64_t)st.st_size;
    return true;
}

/* The bytes ckp_create writes for h: those of a file holding h alone, less
 * its end tag and checksum. 0 with a message on failure. */
static uint64_t header_bytes(const char *dst, const ckp_header *h)
{
    char scratch[CKP_STR_MAX + 16], err[CKP_STR_MAX + 512];
    snprintf(scratch, sizeof scratch, "%s.hdr", dst);
    ckp_writer *w = ckp_create(scratch, h, err, sizeof err);
    if (!w || !ckp_finish(w, err, sizeof err)) {
        fprintf(stderr, TOOL ": %s\n", err);
        return 0;
    }
    uint64_t size = 0;
    bool ok = file_size(scratch, &size);
    unlink(scratch);
    if (!ok || size <= TOOL_TAIL) {
        fprintf(stderr, TOOL ": %s: cannot measure the header (%llu bytes)\n", scratch, (unsigned long long)size);
        return 0;
    }
    return size - TOOL_TAIL;
}

/* True when b is a, but for the version, which is want. */
static bool same_but_version(const ckp_header *a, const ckp_header *b, const char *want)
{
    return strcmp(b->version, want) == 0 && a->scenario_hash == b->scenario_hash && a->seed == b->seed &&
           a->start_day == b->start_day && a->day_index == b->day_index && a->n_days == b->n_days &&
           a->checkpoint_every == b->checkpoint_every && strcmp(a->results_root, b->results_root) == 0 &&
           strcmp(a->results_name, b->results_name) == 0 && strcmp(a->scenario_file, b->scenario_file) == 0;
}

/* Copies the sections (every byte between the header and the end tag) from
 * r to w. False with a message when either fails or r holds other than
 * exactly that many bytes; r is freed in every case, w never. */
static bool copy_sections(ckp_reader *r, ckp_writer *w, uint64_t bytes)
{
    char err[CKP_STR_MAX + 512];
    char *buf = malloc(TOOL_CHUNK);
    if (!buf) {
        fprintf(stderr, TOOL ": out of memory\n");
        ckp_discard(r);
        return false;
    }
    while (bytes > 0 && !ckp_read_failed(r) && !ckp_write_failed(w)) {
        size_t n = bytes > TOOL_CHUNK ? TOOL_CHUNK : (size_t)bytes;
        ckp_get(r, buf, n);
        if (!ckp_read_failed(r))
            ckp_put(w, buf, n);
        bytes -= n;
    }
    free(buf);
    /* ckp_close: no byte left before the end tag, and the end tag there. */
    if (!ckp_close(r, err, sizeof err)) {
        fprintf(stderr, TOOL ": %s\n", err);
        return false;
    }
    if (ckp_write_failed(w)) {
        fprintf(stderr, TOOL ": a write failed while copying the sections\n");
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    static ckp_header h, stamped, check; /* static: 9 KB each */
    if (argc != 4 || !argv[3][0] || strlen(argv[3]) >= sizeof h.version) {
        fprintf(stderr, "usage: " TOOL " SRC DST VERSION: SRC a state.ckp, DST the file to write (may be SRC), "
                        "VERSION the ecnysim version to name (1 to %zu characters)\n", sizeof h.version - 1);
        return 2;
    }
    const char *src = argv[1], *dst = argv[2], *version = argv[3];
    char err[CKP_STR_MAX + 512];
    uint64_t src_size = 0, dst_size = 0;
    if (!file_size(src, &src_size)) {
        fprintf(stderr, TOOL ": %s: cannot read it\n", src);
        return 1;
    }
    ckp_reader *r = ckp_open(src, &h, err, sizeof err);
    if (!r) {
        fprintf(stderr, TOOL ": %s\n", err);
        return 1;
    }
    uint64_t head = header_bytes(dst, &h);
    if (head == 0 || src_size < head + TOOL_TAIL) {
        if (head)
            fprintf(stderr, TOOL ": %s: %llu bytes, less than its header (%llu) and end\n", src,
                    (unsigned long long)src_size, (unsigned long long)head);
        ckp_discard(r);
        return 1;
    }
    stamped = h;
    snprintf(stamped.version, sizeof stamped.version, "%s", version);
    ckp_writer *w = ckp_create(dst, &stamped, err, sizeof err);
    if (!w) {
        fprintf(stderr, TOOL ": %s\n", err);
        ckp_discard(r);
        return 1;
    }
    if (!copy_sections(r, w, src_size - head - TOOL_TAIL)) {
        ckp_abandon(w);
        return 1;
    }
    if (!ckp_finish(w, err, sizeof err)) {
        fprintf(stderr, TOOL ": %s\n", err);
        return 1;
    }
    /* Read back as resume will: every check again, then the header. */
    r = ckp_open(dst, &check, err, sizeof err);
    if (!r) {
        fprintf(stderr, TOOL ": the file written does not open: %s\n", err);
        return 1;
    }
    ckp_discard(r);
    if (!same_but_version(&h, &check, version)) {
        fprintf(stderr, TOOL ": %s: the header read back differs from %s's but for the version\n", dst, src);
        return 1;
    }
    if (!file_size(dst, &dst_size) || dst_size + strlen(h.version) != src_size + strlen(version)) {
        fprintf(stderr, TOOL ": %s: %llu bytes, expected %s's %llu with the version's length changed\n", dst,
                (unsigned long long)dst_size, src, (unsigned long long)src_size);
        return 1;
    }
    return 0;
}
