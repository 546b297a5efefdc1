/* test_dist.c: unit tests of sim/dist (cmocka), serial build.
 *
 * The partition is a pure function of the weights: largest first to the
 * least-loaded rank, ties to the lower index and rank; more ranks than items
 * leave ranks empty. The serial exchange is an exact copy and the serial
 * reductions leave buffers as they are (one rank's sum is itself).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "sim/dist.h"

static void test_dist_partition_greedy_known_answer(void **state)
{
    (void)state;
    /* 32.05 M (chongqing), 24.87 M, 20.94 M, 12.75 M, 17.56 M over 2 ranks */
    const int64_t w[5] = {32050000, 24870000, 20940000, 12750000, 17560000};
    int owner[5];
    dst_partition(w, 5, 2, owner);
    /* 32.05 -> r0; 24.87 -> r1; 20.94 -> r1 (45.81); 17.56 -> r0 (49.61); 12.75 -> r1 */
    assert_int_equal(owner[0], 0);
    assert_int_equal(owner[1], 1);
    assert_int_equal(owner[2], 1);
    assert_int_equal(owner[4], 0);
    assert_int_equal(owner[3], 1);
}

static void test_dist_partition_ties_and_empty_ranks(void **state)
{
    (void)state;
    const int64_t w[3] = {5, 5, 5};
    int owner[3];
    dst_partition(w, 3, 4, owner);
    assert_int_equal(owner[0], 0);
    assert_int_equal(owner[1], 1);
    assert_int_equal(owner[2], 2); /* rank 3 owns nothing */
    dst_partition(w, 3, 1, owner);
    for (int i = 0; i < 3; i++)
        assert_int_equal(owner[i], 0);
}

static void test_dist_serial_is_one_rank(void **state)
{
    (void)state;
    assert_int_equal(dst_rank(), 0);
    assert_int_equal(dst_size(), 1);
    int64_t buf[3] = {12345, -7, 0};
    assert_true(dst_reduce_sum_i64(buf, 3));
    assert_true(dst_allreduce_sum_i64(buf, 3));
    assert_true(buf[0] == 12345 && buf[1] == -7 && buf[2] == 0);
    int flag = 1;
    assert_true(dst_bcast_int(&flag));
    assert_int_equal(flag, 1);
}

static void test_dist_serial_exchange_copies(void **state)
{
    (void)state;
    const int64_t send[4] = {2, 2, 12345, 678};
    int64_t count = 4, got = -1, *recv = NULL;
    assert_true(dst_alltoallv_i64(send, &count, &recv, &got));
    assert_int_equal(got, 4);
    for (int i = 0; i < 4; i++)
        assert_true(recv[i] == send[i]);
    free(recv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dist_partition_greedy_known_answer),
        cmocka_unit_test(test_dist_partition_ties_and_empty_ranks),
        cmocka_unit_test(test_dist_serial_is_one_rank),
        cmocka_unit_test(test_dist_serial_exchange_copies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
