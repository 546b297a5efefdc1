/* fuzz_table.c: libFuzzer harness for the data CSV loader (tab_read and
 * dat_load).
 *
 * The first byte of an input picks the target, the rest is the file:
 *   0, 1, 2: the input replaces cities.csv, banks.csv or
 *            merchant_categories.csv in a copy of data/ (ECNYSIM_DATA_DIR,
 *            default "data") and dat_load validates the whole set;
 *   3:       tab_read with two required columns, then every typed reader
 *            (tab_int, tab_real, tab_date, tab_text) on every row.
 * Build and run: make fuzz FUZZ_SECONDS=60 (see docs/reliability.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/data.h"
#include "sim/error.h"
#include "sim/table.h"

static const char *const files[3] = {"cities.csv", "banks.csv", "merchant_categories.csv"};
static char root[64];
static char dir[3][128];
static err_list *errs;
static dat_set *set;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[8192];
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    return ok;
}

static void cleanup(void)
{
    char p[256];
    for (int d = 0; d < 3; d++) {
        for (int i = 0; i < 3; i++) {
            snprintf(p, sizeof p, "%s/%s", dir[d], files[i]);
            unlink(p);
        }
        rmdir(dir[d]);
    }
    snprintf(p, sizeof p, "%s/any.csv", root);
    unlink(p);
    rmdir(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *src = getenv("ECNYSIM_DATA_DIR");
    src = src && *src ? src : "data";
    snprintf(root, sizeof root, "/tmp/ecnysim-fuzz-tab-XXXXXX");
    if (!mkdtemp(root)) {
        perror("fuzz_table: mkdtemp");
        exit(1);
    }
    for (int d = 0; d < 3; d++) {
        snprintf(dir[d], sizeof dir[d], "%s/d%d", root, d);
        if (mkdir(dir[d], 0700) != 0)
            exit(1);
        for (int i = 0; i < 3; i++) {
            char from[512], to[256];
            snprintf(from, sizeof from, "%s/%s", src, files[i]);
            snprintf(to, sizeof to, "%s/%s", dir[d], files[i]);
            if (!copy_file(from, to)) {
                fprintf(stderr, "fuzz_table: cannot copy %s (run from the repository root or set ECNYSIM_DATA_DIR)\n",
                        from);
                exit(1);
            }
        }
    }
    atexit(cleanup);
    errs = malloc(sizeof *errs);
    set = malloc(sizeof *set);
    devnull = fopen("/dev/null", "w");
    if (!errs || !set || !devnull)
        exit(1);
    return 0;
}

static void read_all(const tab_table *t)
{
    static const char *const cols[] = {"id", "name", "date", "value", "missing"};
    for (size_t r = 0; r < tab_rows(t); r++) {
        (void)tab_line(t, r);
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
            int64_t i;
            double x;
            int32_t day;
            const char *s;
            (void)tab_get(t, r, cols[c]);
            (void)tab_int(t, r, cols[c], -1000000, 1000000, &i, errs);
            (void)tab_real(t, r, cols[c], -1e9, 1e9, &x, errs);
            (void)tab_date(t, r, cols[c], &day, errs);
            (void)tab_text(t, r, cols[c], &s, errs);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int target = data[0] % 4;
    char path[256];
    if (target < 3)
        snprintf(path, sizeof path, "%s/%s", dir[target], files[target]);
    else
        snprintf(path, sizeof path, "%s/any.csv", root);
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    if (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1) {
        fclose(f);
        return 0;
    }
    fclose(f);
    err_init(errs);
    if (target < 3) {
        memset(set, 0, sizeof *set);
        if (dat_load(dir[target], set, errs)) {
            for (int i = 0; i < set->n_cities; i++)
                (void)dat_find_city(set, set->city[i].area);
            for (int i = 0; i < set->n_categories; i++)
                (void)dat_find_category(set, set->category[i].category);
        }
    } else {
        static const char *const req[] = {"id", "name"};
        tab_table *t = tab_read(path, req, 2, errs);
        if (t) {
            (void)tab_path(t);
            read_all(t);
        }
        tab_free(t);
    }
    err_print(errs, devnull);
    return 0;
}
