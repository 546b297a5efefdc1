/* test_flows.c: cross-city flows (models/flows.c) in one process (cmocka).
 *
 * A real two-city world with a travel flow and a b2b flow: what is received
 * on day d+1 is exactly what was sent on day d; the ledger invariant holds
 * every day (check_ledger); the receiving city's e-CNY figures rise with the
 * flow and a city outside every flow is untouched by it; the ledger.csv
 * 'all' row is the sum of the city rows.
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

#include "models/world_int.h"
#include "tests/support/world_fixture.h"

typedef wfx fixture;

static void build(fixture *f, const char *ini)
{
    wfx_build(f, ini, NULL, 0);
}

static void destroy(fixture *f)
{
    wfx_free(f);
}

static const snap_table *table(const wld_world *w, const char *file)
{
    const snap_frame *fr = wld_frame(w);
    for (int t = 0; t < fr->n_tables; t++)
        if (strcmp(fr->table[t].file, file) == 0)
            return &fr->table[t];
    return NULL;
}

#define SCENARIO_HEAD                                                                                   \
    "[scenario]\nstart = 2022-05-02\ndays = 40\nseed = 12345\nscale = 4000\n"                           \
    "[adoption]\nwhitelist_start_pct = 100\nawareness_promo = 0.2\n[firms]\nadopt_base = 0.05\n"      \
    "[city.chengdu]\n[city.chongqing]\n[city.shenzhen]\n"
#define FLOWS                                                                                           \
    "[flow.trip]\nfrom = chengdu\nto = chongqing\nkind = travel\ntravellers_per_1000 = 50\necny_pct = 80\n" \
    "[flow.supply]\nfrom = chongqing\nto = chengdu\nkind = b2b\npayments_per_firm = 0.3\n"

static void test_flows_received_next_day_equals_sent(void **state)
{
    (void)state;
    fixture f;
    build(&f, SCENARIO_HEAD FLOWS);
    int64_t sent_before[2] = {0, 0}, total_received = 0;
    for (int d = 0; d < 40; d++) {
        assert_true(eng_step_day(f.eng)); /* check_ledger: the invariant held */
        const snap_table *t = table(f.w, "flows.csv");
        assert_non_null(t);
        assert_int_equal(t->n_rows, 2);
        for (int k = 0; k < 2; k++) {
            const int64_t *row = &t->value[(size_t)k * t->n_columns];
            /* received today == sent yesterday, count and value (columns 3, 4 and 0, 1) */
            assert_true(row[4] == sent_before[k]);
            total_received += row[4];
            sent_before[k] = row[1];
        }
    }
    assert_true(total_received > 0);
    destroy(&f);
}

static void test_flows_change_receivers_not_bystanders(void **state)
{
    (void)state;
    fixture a, b;
    build(&a, SCENARIO_HEAD FLOWS);
    build(&b, SCENARIO_HEAD);
    int64_t retail_with = 0, retail_without = 0;
    bool shenzhen_same = true;
    for (int d = 0; d < 40; d++) {
        assert_true(eng_step_day(a.eng));
        assert_true(eng_step_day(b.eng));
        const snap_table *ta = table(a.w, "daily.csv"), *tb = table(b.w, "daily.csv");
        int n = ta->n_columns;
        retail_with += ta->value[(size_t)1 * n + M_VALUE_RETAIL];
        retail_without += tb->value[(size_t)1 * n + M_VALUE_RETAIL];
        if (memcmp(&ta->value[(size_t)2 * n], &tb->value[(size_t)2 * n], (size_t)n * sizeof(int64_t)) != 0)
            shenzhen_same = false;
    }
    assert_true(retail_with > retail_without); /* chongqing's merchants took the travellers' spending */
    assert_true(shenzhen_same);
    assert_null(table(b.w, "flows.csv"));
    destroy(&a);
    destroy(&b);
}

static void test_flows_all_row_is_sum_of_cities(void **state)
{
    (void)state;
    fixture f;
    build(&f, SCENARIO_HEAD FLOWS);
    for (int d = 0; d < 20; d++) {
        assert_true(eng_step_day(f.eng));
        const snap_table *t = table(f.w, "ledger.csv");
        assert_int_equal(t->n_rows, 4);
        for (int c = 0; c < t->n_columns; c++) {
            int64_t sum = 0;
            for (int r = 0; r < 3; r++)
                sum += t->value[(size_t)r * t->n_columns + c];
            assert_true(t->value[(size_t)3 * t->n_columns + c] == sum);
        }
    }
    destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flows_received_next_day_equals_sent),
        cmocka_unit_test(test_flows_change_receivers_not_bystanders),
        cmocka_unit_test(test_flows_all_row_is_sum_of_cities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
