/* test_assert.c: SIM_ASSERT (sim/assert.h): a true condition costs nothing
 * and returns; a false one prints the condition, file:line, its message and
 * the run's context (seed, simulated day, city) and aborts. The failing
 * cases run in a forked child whose stderr comes back through a pipe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/assert.h"
#include "sim/calendar.h"

typedef void (*child_fn)(void);

/* Runs fn in a child; returns its stderr in out and its wait status. */
static int run_child(child_fn fn, char *out, size_t out_len)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], STDERR_FILENO);
        fn();
        _exit(0); /* not reached when the assertion fails */
    }
    close(fd[1]);
    size_t n = 0;
    ssize_t got;
    while (n + 1 < out_len && (got = read(fd[0], out + n, out_len - 1 - n)) > 0)
        n += (size_t)got;
    out[n] = '\0';
    close(fd[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static int bank = 41;

/* The failing line, FAIL_LINE: the first of the function's body. */
enum { FAIL_LINE = __LINE__ + 3 };
static void fail_bank(void)
{
    SIM_ASSERT(bank < 16, "bank %d of %d", bank, 16);
}

static void fail_with_context(void)
{
    sim_assert_seed(12345);
    sim_assert_day(cal_day_from_ymd(2021, 5, 3));
    sim_assert_city(7);
    fail_bank();
}

static void fail_without_context(void)
{
    sim_assert_clear();
    const void *world = NULL;
    SIM_ASSERT(world != NULL, "a world");
}

static void pass(void)
{
    SIM_ASSERT(1 + 1 == 2, "arithmetic");
}

static void test_assert_true_returns(void **state)
{
    (void)state;
    char out[1024];
    int status = run_child(pass, out, sizeof out);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_string_equal(out, "");
}

static void test_assert_false_aborts_with_context(void **state)
{
    (void)state;
    char out[1024], where[64];
    int status = run_child(fail_with_context, out, sizeof out);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    snprintf(where, sizeof where, "tests/test_assert.c:%d: assertion failed: ", FAIL_LINE);
    assert_non_null(strstr(out, where));
    assert_non_null(strstr(out, "assertion failed: bank < 16: bank 41 of 16 ("));
    assert_non_null(strstr(out, "seed 12345"));
    assert_non_null(strstr(out, "day 2021-05-03"));
    assert_non_null(strstr(out, "city 7"));
}

static void test_assert_without_context_names_none(void **state)
{
    (void)state;
    char out[1024];
    int status = run_child(fail_without_context, out, sizeof out);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(out, "assertion failed: world != NULL: a world\n"));
    assert_null(strstr(out, "seed"));
    assert_null(strstr(out, "city"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assert_true_returns),
        cmocka_unit_test(test_assert_false_aborts_with_context),
        cmocka_unit_test(test_assert_without_context_names_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
