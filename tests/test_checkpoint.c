/* test_checkpoint.c: checkpoints (sim/checkpoint.c, led_save, ev_save,
 * eng_save, wld_save, prg_save).
 *
 * The round trip: a world runs N days and is saved; a fresh world built from
 * the same scenario loads it; both run M more days and every published frame
 * (daily, ledger, programme and KPI tables) and the whole ledger must be the
 * same, day by day. Scenarios with programmes: default.ini (airdrop,
 * transit), chongqing_2022.ini (rural), suzhou_2023_kpi.ini (payroll, loans,
 * KPIs). Then the file's defences: a flipped byte, a truncated file and
 * another format version are refused before anything is loaded; a failing
 * write leaves the previous checkpoint file as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/schema.h"
#include "models/world.h"
#include "sim/checkpoint.h"
#include "sim/engine.h"
#include "sim/output.h"

typedef struct {
    scn_doc *doc;
    dat_set *data;
    wld_world *w;
    eng_engine *eng;
} sim;

static void sim_build(sim *s, const char *path, const char *const *sets, int n_sets)
{
    err_list *errs = malloc(sizeof *errs);
    assert_non_null(errs);
    err_init(errs);
    s->doc = scn_load(&ecny_schema, path, sets, n_sets, errs);
    if (!s->doc)
        err_print(errs, stderr);
    assert_non_null(s->doc);
    s->data = malloc(sizeof *s->data);
    assert_non_null(s->data);
    assert_true(dat_load("data", s->data, errs));
    s->w = wld_create(s->doc, s->data, errs);
    if (!s->w)
        err_print(errs, stderr);
    assert_non_null(s->w);
    s->eng = eng_alloc(wld_start_day(s->w), wld_days(s->w), 4096, (size_t)1 << 28);
    assert_non_null(s->eng);
    assert_true(wld_attach(s->w, s->eng));
    free(errs);
}

static void sim_free(sim *s)
{
    eng_free(s->eng);
    wld_free(s->w);
    free(s->data);
    scn_free(s->doc);
}

static void run_days(sim *s, int days)
{
    for (int d = 0; d < days && !eng_finished(s->eng); d++)
        assert_true(eng_step_day(s->eng));
}

static const char *tmp_path(void)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/ecnysim-test-ckp-%ld.ckp", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid());
    return path;
}

static bool save(sim *s, const char *path)
{
    ckp_header h = {0};
    snprintf(h.version, sizeof h.version, "test");
    h.seed = wld_seed(s->w);
    h.start_day = wld_start_day(s->w);
    h.day_index = eng_day_index(s->eng);
    h.n_days = eng_days(s->eng);
    char err[1024];
    ckp_writer *w = ckp_create(path, &h, err, sizeof err);
    if (!w)
        return false;
    eng_save(s->eng, w);
    wld_save(s->w, w);
    return ckp_finish(w, err, sizeof err);
}

static bool load(sim *s, const char *path, char *err, size_t err_len)
{
    ckp_header h;
    ckp_reader *r = ckp_open(path, &h, err, err_len);
    if (!r)
        return false;
    eng_load(s->eng, r);
    wld_load(s->w, r);
    return ckp_close(r, err, err_len);
}

static void assert_same_frames(const snap_frame *a, const snap_frame *b)
{
    assert_int_equal(a->day, b->day);
    assert_int_equal(a->n_tables, b->n_tables);
    for (int t = 0; t < a->n_tables; t++) {
        const snap_table *x = &a->table[t], *y = &b->table[t];
        assert_string_equal(x->file, y->file);
        assert_int_equal(x->n_rows, y->n_rows);
        assert_int_equal(x->n_columns, y->n_columns);
        size_t cells = (size_t)x->n_rows * (size_t)x->n_columns;
        if (x->value && cells)
            assert_memory_equal(x->value, y->value, cells * sizeof *x->value);
        for (size_t c = 0; x->text && c < cells; c++)
            assert_string_equal(x->text[c], y->text[c]);
    }
}

static void assert_same_ledgers(const led_ledger *a, const led_ledger *b)
{
    char why[256];
    assert_true(led_check(a, why, sizeof why));
    assert_true(led_check(b, why, sizeof why));
    assert_int_equal(led_accounts(a), led_accounts(b));
    assert_int_equal(led_circulation(a), led_circulation(b));
    assert_int_equal(led_issued_total(a), led_issued_total(b));
    assert_int_equal(led_earmark_lots(a), led_earmark_lots(b));
    for (led_acct i = 0; i < led_accounts(a); i++) {
        assert_int_equal(led_balance(a, i), led_balance(b, i));
        assert_int_equal(led_earmarked(a, i), led_earmarked(b, i));
    }
    led_day_stats ta, tb;
    led_totals(a, &ta);
    led_totals(b, &tb);
    assert_memory_equal(&ta, &tb, sizeof ta);
}

/* Runs first days, saves, loads into a fresh world, runs both more days. */
static void round_trip(const char *scenario, const char *const *sets, int n_sets, int first, int more)
{
    sim a, b;
    sim_build(&a, scenario, sets, n_sets);
    sim_build(&b, scenario, sets, n_sets);
    run_days(&a, first);
    assert_true(save(&a, tmp_path()));
    char err[1024] = "";
    bool ok = load(&b, tmp_path(), err, sizeof err);
    if (!ok)
        fprintf(stderr, "%s\n", err);
    assert_true(ok);
    assert_int_equal(eng_day_index(a.eng), eng_day_index(b.eng));
    assert_int_equal(eng_pending(a.eng), eng_pending(b.eng));
    assert_same_ledgers(wld_ledger(a.w), wld_ledger(b.w));
    for (int d = 0; d < more && !eng_finished(a.eng); d++) {
        assert_true(eng_step_day(a.eng));
        assert_true(eng_step_day(b.eng));
        assert_same_frames(wld_frame(a.w), wld_frame(b.w));
    }
    assert_int_equal(eng_events_run(a.eng), eng_events_run(b.eng));
    assert_same_ledgers(wld_ledger(a.w), wld_ledger(b.w));
    unlink(tmp_path());
    sim_free(&a);
    sim_free(&b);
}

static void test_checkpoint_default_airdrop_transit(void **state)
{
    (void)state;
    /* Saved on 2020-10-14, inside the Luohu airdrop's spending window. */
    static const char *const sets[] = {"scenario.days=306"};
    round_trip("scenarios/default.ini", sets, 1, 196, 80);
}

static void test_checkpoint_rural(void **state)
{
    (void)state;
    round_trip("scenarios/chongqing_2022.ini", NULL, 0, 123, 120);
}

static void test_checkpoint_payroll_loans_kpi(void **state)
{
    (void)state;
    round_trip("scenarios/suzhou_2023_kpi.ini", NULL, 0, 1051, 150);
}

static void test_checkpoint_day_zero(void **state)
{
    (void)state;
    static const char *const sets[] = {"scenario.days=91"};
    round_trip("scenarios/default.ini", sets, 1, 0, 30);
}

/* A small valid file for the defence tests. */
static long write_small(char *path, size_t len)
{
    snprintf(path, len, "%s", tmp_path());
    sim s;
    static const char *const sets[] = {"scenario.days=61"};
    sim_build(&s, "scenarios/default.ini", sets, 1);
    run_days(&s, 20);
    assert_true(save(&s, path));
    sim_free(&s);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    return size;
}

static void poke(const char *path, long at, uint8_t x)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, at, SEEK_SET);
    int c = fgetc(f);
    fseek(f, at, SEEK_SET);
    fputc(c ^ x, f);
    fclose(f);
}

static void test_checkpoint_corrupt_refused(void **state)
{
    (void)state;
    char path[256], err[1024];
    long size = write_small(path, sizeof path);
    poke(path, size / 2, 0x10);
    ckp_header h;
    assert_null(ckp_open(path, &h, err, sizeof err));
    assert_non_null(strstr(err, "checksum"));
    unlink(path);
}

static void test_checkpoint_truncated_refused(void **state)
{
    (void)state;
    char path[256], err[1024];
    long size = write_small(path, sizeof path);
    assert_int_equal(truncate(path, size - 12345), 0);
    ckp_header h;
    assert_null(ckp_open(path, &h, err, sizeof err));
    assert_non_null(strstr(err, "truncated"));
    assert_int_equal(truncate(path, 10), 0);
    assert_null(ckp_open(path, &h, err, sizeof err));
    unlink(path);
}

static void test_checkpoint_version_refused(void **state)
{
    (void)state;
    char path[256], err[1024];
    write_small(path, sizeof path);
    poke(path, 8, 0x02); /* the format version follows the 8-byte magic */
    ckp_header h;
    assert_null(ckp_open(path, &h, err, sizeof err));
    assert_non_null(strstr(err, "version"));
    unlink(path);
}

static void test_checkpoint_other_scenario_refused(void **state)
{
    (void)state;
    char path[256], err[1024];
    write_small(path, sizeof path);
    sim s;
    static const char *const sets[] = {"scenario.days=61", "scenario.scale=400"};
    sim_build(&s, "scenarios/default.ini", sets, 2);
    assert_false(load(&s, path, err, sizeof err));
    assert_non_null(strstr(err, "another scenario"));
    sim_free(&s);
    unlink(path);
}

/* Every write of a checkpoint failing in turn: each attempt fails cleanly
 * and the previous file stays byte for byte. */
static void test_checkpoint_write_failure_keeps_previous(void **state)
{
    (void)state;
    char path[256], err[1024], tmp[300];
    long size = write_small(path, sizeof path);
    sim s;
    static const char *const sets[] = {"scenario.days=61"};
    sim_build(&s, "scenarios/default.ini", sets, 1);
    run_days(&s, 25);
    uint64_t before;
    assert_true(ckp_hash_file(path, &before));
    int failures = 0;
    for (long n = 1; n < 400; n += 7) {
        out_test_fail_write_at(n);
        bool ok = save(&s, path);
        out_test_fail_write_at(0);
        if (ok)
            break;
        failures++;
        uint64_t after;
        assert_true(ckp_hash_file(path, &after));
        assert_true(after == before);
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        assert_int_not_equal(access(tmp, F_OK), 0);
    }
    assert_true(failures > 10);
    ckp_header h;
    ckp_reader *r = ckp_open(path, &h, err, sizeof err);
    assert_non_null(r);
    assert_true(h.day_index == 20 || h.day_index == 25);
    ckp_discard(r);
    (void)size;
    sim_free(&s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checkpoint_default_airdrop_transit),
        cmocka_unit_test(test_checkpoint_rural),
        cmocka_unit_test(test_checkpoint_payroll_loans_kpi),
        cmocka_unit_test(test_checkpoint_day_zero),
        cmocka_unit_test(test_checkpoint_corrupt_refused),
        cmocka_unit_test(test_checkpoint_truncated_refused),
        cmocka_unit_test(test_checkpoint_version_refused),
        cmocka_unit_test(test_checkpoint_other_scenario_refused),
        cmocka_unit_test(test_checkpoint_write_failure_keeps_previous),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
