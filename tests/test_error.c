/* test_error.c: the error record's kinds and the exit status they decide
 * (sim/error.c): a run's own failure outranks a bad input in any order,
 * the first of the same rank stays, and messages past ERR_MAX still count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"

static void test_error_empty_is_success(void **state)
{
    (void)state;
    err_list e;
    err_init(&e);
    assert_int_equal(e.kind, ERR_NONE);
    assert_int_equal(err_exit_status(&e), 0);
}

static void test_error_input_and_usage_exit_2(void **state)
{
    (void)state;
    err_list e;
    err_init(&e);
    err_add(&e, "s.ini:%d: unknown key 'envelop_yuan'", 12345);
    assert_int_equal(e.kind, ERR_INPUT);
    assert_int_equal(err_exit_status(&e), 2);
    assert_string_equal(e.msg[0], "s.ini:12345: unknown key 'envelop_yuan'");
    err_init(&e);
    err_add_kind(&e, ERR_USAGE, "results/x: holds a batch");
    err_add(&e, "s.ini:3: bad date");
    assert_int_equal(e.kind, ERR_USAGE); /* the first of the same rank stays */
    assert_int_equal(err_exit_status(&e), 2);
}

static void test_error_runtime_kinds_exit_1(void **state)
{
    (void)state;
    const err_kind runtime[] = {ERR_IO, ERR_MEMORY, ERR_INVARIANT, ERR_INTERRUPTED};
    for (size_t i = 0; i < sizeof runtime / sizeof runtime[0]; i++) {
        err_list e;
        err_init(&e);
        err_add_kind(&e, runtime[i], "failed");
        assert_int_equal(e.kind, runtime[i]);
        assert_int_equal(err_exit_status(&e), 1);
    }
}

static void test_error_memory_outranks_input_in_any_order(void **state)
{
    (void)state;
    err_list e;
    err_init(&e);
    err_add(&e, "s.ini:1: bad value");
    err_add_kind(&e, ERR_MEMORY, "out of memory");
    err_add(&e, "s.ini:2: bad value");
    assert_int_equal(e.kind, ERR_MEMORY);
    assert_int_equal(err_exit_status(&e), 1);
    assert_int_equal(e.count, 3);
    err_init(&e);
    err_add_kind(&e, ERR_IO, "disk full");
    err_add_kind(&e, ERR_MEMORY, "out of memory"); /* the first runtime kind stays */
    err_add(&e, "s.ini:2: bad value");
    assert_int_equal(e.kind, ERR_IO);
}

static void test_error_kind_counts_past_the_kept_messages(void **state)
{
    (void)state;
    err_list *e = malloc(sizeof *e);
    assert_non_null(e);
    err_init(e);
    for (int i = 0; i < ERR_MAX + 7; i++)
        err_add(e, "s.ini:%d: bad", i + 1);
    err_add_kind(e, ERR_MEMORY, "out of memory"); /* not kept, still weighs */
    assert_int_equal(e->count, ERR_MAX + 8);
    assert_int_equal(err_exit_status(e), 1);
    assert_string_equal(e->msg[ERR_MAX - 1], "s.ini:64: bad");
    free(e);
}

static void test_error_kind_names(void **state)
{
    (void)state;
    assert_string_equal(err_kind_name(ERR_INPUT), "input");
    assert_string_equal(err_kind_name(ERR_MEMORY), "memory");
    assert_string_equal(err_kind_name(ERR_INTERRUPTED), "interrupted");
    assert_string_equal(err_kind_name((err_kind)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_empty_is_success),
        cmocka_unit_test(test_error_input_and_usage_exit_2),
        cmocka_unit_test(test_error_runtime_kinds_exit_1),
        cmocka_unit_test(test_error_memory_outranks_input_in_any_order),
        cmocka_unit_test(test_error_kind_counts_past_the_kept_messages),
        cmocka_unit_test(test_error_kind_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
