/* world_checkpoint.c: a world's state in a checkpoint (sim/checkpoint.h):
 * every city's counters, segment counts, adopter columns, firm and merchant
 * account arrays, active ring and random streams, then the ledger and the
 * programmes. wld_load reads them into a world freshly built from the same
 * scenario; sizes that differ fail the reader with a message naming what
 * differs. Cost: O(agents + accounts) bytes.
 */
#include "models/world_int.h"

#include <stdint.h>

#include "models/flows.h"
#include "models/programme.h"
#include "sim/checkpoint.h"
#include "sim/assert.h"

#define WLD_CKP_TAG CKP_TAG('W', 'R', 'L', 'D')
#define WLD_CITY_TAG CKP_TAG('C', 'I', 'T', 'Y')

/* last_pay_day is int16 in memory, int32 in a checkpoint (the format kept
 * from before, "never paid" INT32_MIN / 2 there). */
enum { LAST_PAY_CHUNK = 4096 };
static void put_last_pay(ckp_writer *ck, const int16_t *v, uint32_t n)
{
    int32_t buf[LAST_PAY_CHUNK];
    ckp_put_u64(ck, n);
    for (uint32_t i = 0; i < n; i += LAST_PAY_CHUNK) {
        uint32_t k = n - i < LAST_PAY_CHUNK ? n - i : LAST_PAY_CHUNK;
        for (uint32_t j = 0; j < k; j++)
            buf[j] = v[i + j] == RES_NEVER_PAID ? INT32_MIN / 2 : v[i + j];
        ckp_put(ck, buf, k * sizeof *buf);
    }
}

static uint64_t get_last_pay(ckp_reader *ck, int16_t *v, uint32_t max)
{
    int32_t buf[LAST_PAY_CHUNK];
    uint64_t n = ckp_get_count(ck, max, "adopters");
    for (uint64_t i = 0; i < n && !ckp_read_failed(ck); i += LAST_PAY_CHUNK) {
        uint32_t k = n - i < LAST_PAY_CHUNK ? (uint32_t)(n - i) : LAST_PAY_CHUNK;
        ckp_get(ck, buf, k * sizeof *buf);
        for (uint32_t j = 0; j < k && !ckp_read_failed(ck); j++) {
            if (buf[j] == INT32_MIN / 2)
                v[i + j] = RES_NEVER_PAID;
            else if (buf[j] > RES_NEVER_PAID && buf[j] <= INT16_MAX)
                v[i + j] = (int16_t)buf[j];
            else
                ckp_fail(ck, "corrupt checkpoint: an adopter's last payment day %ld is out of range", (long)buf[j]);
        }
    }
    return ckp_read_failed(ck) ? 0 : n;
}

void wld_city_save(const wld_world *w, const wld_city *c, ckp_writer *ck)
{
    SIM_ASSERT(w && c && ck, "a world, its city and a checkpoint writer");
    ckp_put_tag(ck, WLD_CITY_TAG);
    ckp_put_u32(ck, c->agents);
    ckp_put_u32(ck, c->merchants_all);
    ckp_put_u32(ck, c->firms.total[0]);
    ckp_put_u32(ck, c->firms.total[1]);
    ckp_put(ck, c->seg_total, sizeof c->seg_total);
    ckp_put(ck, c->seg_unaware, sizeof c->seg_unaware);
    ckp_put(ck, c->seg_aware, sizeof c->seg_aware);
    ckp_put(ck, c->seg_downloaded, sizeof c->seg_downloaded);
    ckp_put(ck, c->seg_adopted, sizeof c->seg_adopted);
    ckp_put(ck, c->seg_never, sizeof c->seg_never);
    ckp_put_u32(ck, c->n_engaged);
    ckp_put_u32(ck, c->firms.engaged[0]);
    ckp_put_u32(ck, c->firms.engaged[1]);
    ckp_put_f64(ck, c->incentive_fen_30d);
    ckp_put_i64(ck, c->incentive_fen_today);
    ckp_put(ck, c->pay_ring, sizeof c->pay_ring);
    ckp_put(ck, c->value_ring, sizeof c->value_ring);
    ckp_put_f64(ck, c->usefulness);
    ckp_put_array(ck, c->wallet, sizeof *c->wallet, c->n_adopters);
    ckp_put_array(ck, c->segment, sizeof *c->segment, c->n_adopters);
    put_last_pay(ck, c->last_pay_day, c->n_adopters);
    ckp_put(ck, c->wallets_by_class, sizeof c->wallets_by_class);
    ckp_put_i64(ck, c->hard_wallets);
    ckp_put_i64(ck, c->rural_adopters);
    ckp_put_i64(ck, c->elderly_adopters);
    ckp_put_i64(ck, c->extra_wallets);
    ckp_put(ck, c->active_by_day, sizeof c->active_by_day);
    ckp_put_i32(ck, c->active_ring_day);
    for (int k = 0; k < 2; k++)
        ckp_put_array(ck, c->firms.wallet[k], sizeof(led_acct), c->firms.adopted[k]);
    ckp_put_array(ck, c->firms.paid_today, sizeof(led_acct), c->firms.n_paid_today);
    ckp_put_u32(ck, c->firms.treasury);
    ckp_put(ck, c->bank_acct, sizeof c->bank_acct);
    ckp_put_u32(ck, (uint32_t)w->data->n_categories);
    for (int k = 0; k < w->data->n_categories; k++) {
        ckp_put_u32(ck, c->merchants_total[k]);
        ckp_put_array(ck, c->accepting[k], sizeof(led_acct), c->merchants_accepting[k]);
    }
    ckp_put(ck, c->accept_due, sizeof c->accept_due);
    ckp_put(ck, c->accept_done, sizeof c->accept_done);
    ckp_put_array(ck, c->paid_today, sizeof(led_acct), c->n_paid_today);
    ckp_put_i64(ck, c->circulation_fen);
    ckp_put_rng(ck, c->rng_adoption);
    ckp_put_rng(ck, c->rng_shopping);
    ckp_put_rng(ck, c->rng_merchants);
    ckp_put_rng(ck, c->rng_population);
    ckp_put_rng(ck, c->rng_firms);
    ckp_put_rng(ck, c->rng_government);
    ckp_put(ck, c->m, sizeof c->m);
    ckp_put(ck, c->ledger_row, sizeof c->ledger_row);
    ckp_put_f64(ck, c->rural_awareness_boost);
    ckp_put(ck, c->wallets_by_bank, sizeof c->wallets_by_bank);
    ckp_put(ck, c->new_by_bank, sizeof c->new_by_bank);
    ckp_put(ck, c->merchants_by_bank, sizeof c->merchants_by_bank);
}

static void city_expect(ckp_reader *ck, const wld_city *c, uint32_t have, const char *what)
{
    uint32_t got = ckp_get_u32(ck);
    if (!ckp_read_failed(ck) && got != have)
        ckp_fail(ck, "[city.%s] has %u %s in the checkpoint, %u in this scenario: it was written for another "
                     "scenario or scale", c->name, got, what, have);
}

void wld_city_load(const wld_world *w, wld_city *c, ckp_reader *ck)
{
    SIM_ASSERT(w && c && ck, "a world, its city and a checkpoint reader");
    if (!ckp_expect_tag(ck, WLD_CITY_TAG, "city"))
        return;
    city_expect(ck, c, c->agents, "agents");
    city_expect(ck, c, c->merchants_all, "merchants");
    city_expect(ck, c, c->firms.total[0], "small and medium firms");
    city_expect(ck, c, c->firms.total[1], "large firms");
    ckp_get(ck, c->seg_total, sizeof c->seg_total);
    ckp_get(ck, c->seg_unaware, sizeof c->seg_unaware);
    ckp_get(ck, c->seg_aware, sizeof c->seg_aware);
    ckp_get(ck, c->seg_downloaded, sizeof c->seg_downloaded);
    ckp_get(ck, c->seg_adopted, sizeof c->seg_adopted);
    ckp_get(ck, c->seg_never, sizeof c->seg_never);
    c->n_engaged = ckp_get_u32(ck);
    c->firms.engaged[0] = ckp_get_u32(ck);
    c->firms.engaged[1] = ckp_get_u32(ck);
    c->incentive_fen_30d = ckp_get_f64(ck);
    c->incentive_fen_today = ckp_get_i64(ck);
    ckp_get(ck, c->pay_ring, sizeof c->pay_ring);
    ckp_get(ck, c->value_ring, sizeof c->value_ring);
    c->usefulness = ckp_get_f64(ck);
    c->n_adopters = (uint32_t)ckp_get_array(ck, c->wallet, sizeof *c->wallet, c->agents, "adopters");
    if (ckp_get_array(ck, c->segment, sizeof *c->segment, c->agents, "adopters") != c->n_adopters ||
        get_last_pay(ck, c->last_pay_day, c->agents) != c->n_adopters ||
        c->n_engaged > c->n_adopters) {
        ckp_fail(ck, "corrupt checkpoint: [city.%s]'s adopter columns disagree", c->name);
        return;
    }
    c->ever_paid = 0;
    for (uint32_t a = 0; a < c->n_adopters; a++)
        c->ever_paid += c->last_pay_day[a] != RES_NEVER_PAID;
    ckp_get(ck, c->wallets_by_class, sizeof c->wallets_by_class);
    c->hard_wallets = ckp_get_i64(ck);
    c->rural_adopters = ckp_get_i64(ck);
    c->elderly_adopters = ckp_get_i64(ck);
    c->extra_wallets = ckp_get_i64(ck);
    ckp_get(ck, c->active_by_day, sizeof c->active_by_day);
    c->active_ring_day = ckp_get_i32(ck);
    for (int k = 0; k < 2; k++)
        c->firms.adopted[k] = (uint32_t)ckp_get_array(ck, c->firms.wallet[k], sizeof(led_acct), c->firms.total[k],
                                                       "firm wallets");
    c->firms.n_paid_today = (uint32_t)ckp_get_array(ck, c->firms.paid_today, sizeof(led_acct),
                                                     (uint64_t)c->firms.total[0] + c->firms.total[1] + 2,
                                                     "firms paid today");
    c->firms.treasury = ckp_get_u32(ck);
    ckp_get(ck, c->bank_acct, sizeof c->bank_acct);
    city_expect(ck, c, (uint32_t)w->data->n_categories, "merchant categories");
    for (int k = 0; k < w->data->n_categories && !ckp_read_failed(ck); k++) {
        city_expect(ck, c, c->merchants_total[k], "merchants of a category");
        c->merchants_accepting[k] = (uint32_t)ckp_get_array(ck, c->accepting[k], sizeof(led_acct),
                                                             c->merchants_total[k], "accepting merchants");
    }
    ckp_get(ck, c->accept_due, sizeof c->accept_due);
    ckp_get(ck, c->accept_done, sizeof c->accept_done);
    c->n_paid_today = (uint32_t)ckp_get_array(ck, c->paid_today, sizeof(led_acct), c->merchants_all,
                                               "merchants paid today");
    c->circulation_fen = ckp_get_i64(ck);
    ckp_get_rng(ck, c->rng_adoption);
    ckp_get_rng(ck, c->rng_shopping);
    ckp_get_rng(ck, c->rng_merchants);
    ckp_get_rng(ck, c->rng_population);
    ckp_get_rng(ck, c->rng_firms);
    ckp_get_rng(ck, c->rng_government);
    ckp_get(ck, c->m, sizeof c->m);
    ckp_get(ck, c->ledger_row, sizeof c->ledger_row);
    c->rural_awareness_boost = ckp_get_f64(ck);
    ckp_get(ck, c->wallets_by_bank, sizeof c->wallets_by_bank);
    ckp_get(ck, c->new_by_bank, sizeof c->new_by_bank);
    ckp_get(ck, c->merchants_by_bank, sizeof c->merchants_by_bank);
}

void wld_save(const wld_world *w, ckp_writer *ck)
{
    SIM_ASSERT(w && ck, "a world and a checkpoint writer");
    ckp_put_tag(ck, WLD_CKP_TAG);
    ckp_put_u32(ck, (uint32_t)w->n_cities);
    ckp_put_u32(ck, w->max_accounts);
    for (int i = 0; i < w->n_cities; i++)
        wld_city_save(w, &w->city[i], ck);
    led_save(w->ledger, ck);
    prg_save(w->prg, w, ck);
}

void wld_load(wld_world *w, ckp_reader *ck)
{
    SIM_ASSERT(w && ck, "a world and a checkpoint reader");
    if (!ckp_expect_tag(ck, WLD_CKP_TAG, "world"))
        return;
    uint32_t n = ckp_get_u32(ck), accounts = ckp_get_u32(ck);
    if (!ckp_read_failed(ck) && (n != (uint32_t)w->n_cities || accounts != w->max_accounts)) {
        ckp_fail(ck, "the checkpoint has %u cities and %u ledger accounts, this scenario %d and %u: it was written "
                     "for another scenario or scale", n, accounts, w->n_cities, w->max_accounts);
        return;
    }
    for (int i = 0; i < w->n_cities && !ckp_read_failed(ck); i++)
        wld_city_load(w, &w->city[i], ck);
    if (!ckp_read_failed(ck))
        led_load(w->ledger, ck);
    if (!ckp_read_failed(ck))
        prg_load(w->prg, w, ck);
}

const char *wld_checkpoint_unsupported(const wld_world *w)
{
    if (w->city_rank)
        return "the cities are spread over MPI ranks (checkpoints are single-process for now)";
    if (flw_count(w->flows) > 0)
        return "the scenario has [flow] sections (their in-flight records are not checkpointed yet)";
    for (int i = 0; i < w->n_cities; i++)
        if (!w->city[i].owned)
            return "some cities are simulated by other processes";
    return NULL;
}
