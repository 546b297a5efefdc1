/* fuzz_scenario.c: libFuzzer harness for the scenario loader (scn_load with
 * the real schema, ecny_schema).
 *
 * Each input is written to a temporary file and loaded as a scenario; when it
 * loads, the resolved scenario is written to /dev/null and every instance's
 * keys are read back, so the accessors run on whatever the loader accepted.
 * Leading lines "#set section.key=value" (a comment to iniparser) are also
 * passed as --set overrides, so the override path is fuzzed too.
 * Build and run: make fuzz FUZZ_SECONDS=60 (see docs/reliability.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/schema.h"
#include "sim/error.h"
#include "sim/scenario.h"

#define FZ_MAX_SETS 8

static char path[64];
static err_list *errs;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(path, sizeof path, "/tmp/ecnysim-fuzz-scn-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("fuzz_scenario: mkstemp");
        exit(1);
    }
    close(fd);
    errs = malloc(sizeof *errs);
    devnull = fopen("/dev/null", "w");
    if (!errs || !devnull)
        exit(1);
    return 0;
}

static void cleanup(void) { unlink(path); }

/* Reads every key of every instance through its typed accessor. */
static void read_back(const scn_doc *doc)
{
    for (size_t s = 0; s < ecny_schema.n_sections; s++) {
        const scn_section *sec = &ecny_schema.sections[s];
        if (!sec->keys)
            continue;
        size_t n = sec->named ? scn_count(doc, sec->name) : 1;
        for (size_t i = 0; i < n; i++) {
            const scn_instance *in = sec->named ? scn_nth(doc, sec->name, i) : scn_single(doc, sec->name);
            if (!in)
                continue;
            for (size_t k = 0; k < sec->n_keys; k++) {
                const scn_key *key = &sec->keys[k];
                char where[512];
                scn_where(doc, in, key->key, where, sizeof where);
                (void)scn_str(in, key->key);
                if (!scn_has(in, key->key))
                    continue;
                switch (key->type) {
                case SCN_INT: (void)scn_int(in, key->key); break;
                case SCN_REAL: (void)scn_real(in, key->key); break;
                case SCN_MONEY: (void)scn_fen(in, key->key); break;
                case SCN_BOOL: (void)scn_bool(in, key->key); break;
                case SCN_DATE: (void)scn_date(in, key->key); break;
                default: break;
                }
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int registered;
    if (!registered) {
        atexit(cleanup);
        registered = 1;
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return 0;
    }
    fclose(f);
    /* "#set k=v" lines at the start become overrides. */
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *sets[FZ_MAX_SETS];
    int n_sets = 0;
    char *p = copy;
    while (n_sets < FZ_MAX_SETS && strncmp(p, "#set ", 5) == 0) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        sets[n_sets++] = p + 5;
        if (!nl)
            break;
        p = nl + 1;
    }
    err_init(errs);
    scn_doc *doc = scn_load(&ecny_schema, path, sets, n_sets, errs);
    if (doc) {
        scn_write_resolved(doc, devnull);
        (void)scn_hash(doc);
        read_back(doc);
    }
    err_print(errs, devnull);
    scn_free(doc);
    free(copy);
    return 0;
}
