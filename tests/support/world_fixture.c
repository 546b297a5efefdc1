/* world_fixture.c: see world_fixture.h. */
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
#include "tests/support/world_fixture.h"

void wfx_build(wfx *f, const char *ini, const char *const *sets, int n_sets)
{
    char path[] = "/tmp/ecny_test_world_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, ini, strlen(ini)), (ssize_t)strlen(ini));
    close(fd);
    err_list errs;
    err_init(&errs);
    f->doc = scn_load(&ecny_schema, path, sets, n_sets, &errs);
    unlink(path);
    if (!f->doc)
        err_print(&errs, stderr);
    assert_non_null(f->doc);
    assert_true(dat_load("data", &f->data, &errs));
    f->w = wld_create(f->doc, &f->data, &errs);
    if (!f->w)
        err_print(&errs, stderr);
    assert_non_null(f->w);
    f->eng = eng_alloc(wld_start_day(f->w), wld_days(f->w), 1024, 1u << 24);
    assert_non_null(f->eng);
    assert_true(wld_attach(f->w, f->eng));
}

void wfx_run_days(wfx *f, int days)
{
    for (int d = 0; d < days; d++)
        assert_true(eng_step_day(f->eng));
}

void wfx_run_to(wfx *f, int32_t day)
{
    while (eng_start_day(f->eng) + eng_day_index(f->eng) < day)
        assert_true(eng_step_day(f->eng));
}

void wfx_check_ledger(wfx *f)
{
    char why[256] = "";
    bool ok = led_check(wld_ledger(f->w), why, sizeof why);
    if (!ok)
        print_message("led_check: %s\n", why);
    assert_true(ok);
}

void wfx_free(wfx *f)
{
    eng_free(f->eng);
    wld_free(f->w);
    scn_free(f->doc);
}
