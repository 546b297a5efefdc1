/* payroll.c: salaries paid in e-CNY ([payroll.NAME], prefix prl_).
 *
 * The Suzhou/Taicang/Changshu design (ecny_facts.md 3.10): from a date,
 * public employees (civil servants, public institutions, SOEs) receive part
 * or all of their monthly pay in e-CNY. Each employer pays on pay day as one
 * linked batch (led_pay_batch) from its public (corporate) wallet, funded
 * from its bank deposit: all legs post or none, so a batch with one invalid
 * leg pays nobody (counted, and the employer's e-CNY goes back to deposit).
 * Employees are enrolled on the start date: residents of working age who
 * hold a wallet are enrolled as they are; the rest open one (wallets opened
 * through payroll). Enrolled wallets are linked to a bank account (class 2
 * at least) so a salary fits their caps. Each employee keeps keep_pct of
 * the e-CNY pay in the wallet and converts the rest to deposit; like every
 * resident, past a month's end they hold at most payments.keep_yuan
 * (residents.c), so kept_in_ecny is what stays on pay day.
 *
 * Cost: O(employees) per pay day; nothing on other days.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "models/programme.h"
#include "sim/calendar.h"
#include "sim/rng.h"

typedef struct {
    int32_t start, end;
    int64_t employees_real, pay_fen;
    int pay_day;
    uint32_t n_employers;
    double keep;
    /* run */
    led_acct *employer;
    led_acct *employee;          /* employee i works for employer i % n_employers */
    uint32_t n_employees, cap_employees;
    led_leg *legs;
    bool enrolled;
    int64_t opened, runs, batches_ok, batches_failed, legs_paid, legs_unpaid, paid_fen, kept_fen;
} prl_state;

static bool prl_create(prg_programme *p, wld_world *w, const scn_doc *doc, uint64_t *accounts, err_list *errs)
{
    const scn_instance *in = p->in;
    prl_state *s = calloc(1, sizeof *s);
    if (!s) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return false;
    }
    p->state = s;
    char where[600];
    s->start = scn_date(in, "start");
    s->end = scn_has(in, "end") ? scn_date(in, "end") : INT32_MAX;
    if (s->end < s->start) {
        scn_where(doc, in, "end", where, sizeof where);
        err_add(errs, "%s: end in [payroll.%s] is before start: expected on or after it", where, p->name);
        return false;
    }
    s->employees_real = scn_int(in, "employees");
    wld_city *c = &w->city[p->city];
    double working = 0;
    for (int g = 0; g < SEGMENTS; g++)
        if (SEG_AGE(g) != AGE_ELDERLY)
            working += (double)c->seg_total[g];
    if ((double)s->employees_real / (double)w->scale > working) {
        scn_where(doc, in, "employees", where, sizeof where);
        err_add(errs, "%s: employees in [payroll.%s] is more than the city's working-age residents (%.0f): expected fewer",
                where, p->name, working * (double)w->scale);
        return false;
    }
    s->pay_fen = llround((double)scn_fen(in, "salary_yuan") * scn_real(in, "ecny_pct") / 100.0);
    s->pay_day = (int)scn_int(in, "pay_day");
    s->keep = scn_real(in, "keep_pct") / 100.0;
    s->cap_employees = (uint32_t)((s->employees_real + w->scale / 2) / w->scale);
    if (s->cap_employees == 0)
        s->cap_employees = 1;
    int64_t employers = scn_int(in, "employers");
    s->n_employers = (uint32_t)(employers < (int64_t)s->cap_employees ? employers : (int64_t)s->cap_employees);
    *accounts += s->n_employers;
    return true;
}

static bool prl_setup(prg_programme *p, wld_world *w, err_list *errs)
{
    prl_state *s = p->state;
    wld_city *c = &w->city[p->city];
    s->employer = calloc(s->n_employers, sizeof *s->employer);
    s->employee = calloc(s->cap_employees, sizeof *s->employee);
    s->legs = calloc(s->cap_employees / s->n_employers + 2, sizeof *s->legs);
    if (!s->employer || !s->employee || !s->legs) {
        err_add_kind(errs, ERR_MEMORY, "out of memory setting up [payroll.%s]", p->name);
        return false;
    }
    for (uint32_t e = 0; e < s->n_employers; e++) {
        int bank = (int)rng_below(p->rng, (uint32_t)w->data->n_banks);
        while (bank > 0 && w->data->bank[bank].joined_day > s->start)
            bank--;
        s->employer[e] = led_open(w->ledger, LED_PUBLIC_WALLET, 0, c->bank_acct[bank], (uint16_t)c->index);
        if (s->employer[e] == LED_NONE) {
            err_add(errs, "the ledger is full setting up [payroll.%s]", p->name);
            return false;
        }
    }
    return true;
}

/* Links a wallet to a bank account: class 2 at least. */
static void link_wallet(wld_world *w, wld_city *c, led_acct wallet)
{
    int cls = led_wallet_class(w->ledger, wallet);
    if (led_kind(w->ledger, wallet) != LED_WALLET || cls <= 2)
        return;
    if (led_set_class(w->ledger, wallet, 2) == LED_OK) {
        c->wallets_by_class[cls]--;
        c->wallets_by_class[2]++;
    }
}

/* False when memory is short (nobody was enrolled). */
static bool enrol(prg_programme *p, wld_world *w, int32_t day)
{
    prl_state *s = p->state;
    wld_city *c = &w->city[p->city];
    gsl_rng *r = p->rng;
    /* Working-age residents with a soft wallet already. */
    uint32_t *holders = malloc(((size_t)c->n_adopters + 1) * sizeof *holders);
    uint32_t *scratch = malloc(((size_t)c->n_adopters + 1) * sizeof *scratch);
    uint32_t *picked = malloc(((size_t)s->cap_employees + 1) * sizeof *picked);
    bool ok = holders && scratch && picked;
    if (!ok)
        goto done;
    uint32_t n_holders = 0;
    double working = 0, non_adopting[SEGMENTS] = {0}, non_total = 0;
    for (uint32_t a = 0; a < c->n_adopters; a++)
        if (SEG_AGE(c->segment[a]) != AGE_ELDERLY && led_kind(w->ledger, c->wallet[a]) == LED_WALLET)
            holders[n_holders++] = a;
    for (int g = 0; g < SEGMENTS; g++) {
        if (SEG_AGE(g) == AGE_ELDERLY)
            continue;
        working += (double)c->seg_total[g];
        if (SEG_PHONE(g)) {
            non_adopting[g] = (double)(c->seg_total[g] - c->seg_adopted[g]);
            non_total += non_adopting[g];
        }
    }
    uint32_t with_wallet = working > 0 ? gsl_ran_binomial(r, fmin(1.0, n_holders / working), s->cap_employees) : 0;
    if (with_wallet > n_holders)
        with_wallet = n_holders;
    prg_sample(r, n_holders, with_wallet, scratch, picked);
    for (uint32_t i = 0; i < with_wallet; i++) {
        led_acct wallet = c->wallet[holders[picked[i]]];
        link_wallet(w, c, wallet);
        s->employee[s->n_employees++] = wallet;
    }
    for (uint32_t i = with_wallet; i < s->cap_employees && non_total >= 1; i++) {
        double u = rng_uniform(r) * non_total;
        int g = 0;
        for (g = 0; g < SEGMENTS - 1; g++) {
            if (u < non_adopting[g])
                break;
            u -= non_adopting[g];
        }
        uint32_t a = prg_open_wallet(w, c, g, day, r, false);
        if (a == UINT32_MAX)
            continue;
        non_adopting[g] -= 1;
        non_total -= 1;
        link_wallet(w, c, c->wallet[a]);
        s->employee[s->n_employees++] = c->wallet[a];
        s->opened++;
    }
done:
    free(holders);
    free(scratch);
    free(picked);
    s->enrolled = ok;
    return ok;
}

led_acct *prl_employees(prg_programme *p, uint32_t *n, uint32_t *n_employers)
{
    prl_state *s = p->state;
    *n = s->n_employees;
    *n_employers = s->n_employers;
    return s->employee;
}

int64_t prl_batches_failed(const prg_programme *p) { return ((const prl_state *)p->state)->batches_failed; }

bool prl_run_employer(prg_programme *p, wld_world *w, uint32_t e, int32_t day)
{
    prl_state *s = p->state;
    wld_city *c = &w->city[p->city];
    (void)day;
    uint32_t n = 0;
    for (uint32_t i = e; i < s->n_employees; i += s->n_employers)
        s->legs[n++] = (led_leg){s->employer[e], s->employee[i], s->pay_fen};
    if (n == 0 || s->pay_fen <= 0)
        return true;
    int64_t total = (int64_t)n * s->pay_fen;
    bool funded;
    /* public salaries are fiscal spending */
    if (pay_batch(w, c, s->legs, n, PAY_FISCAL, &funded) != LED_OK) {
        if (!funded)
            return false;
        s->batches_failed++;
        s->legs_unpaid += n;
        return false;
    }
    s->batches_ok++;
    s->legs_paid += n;
    s->paid_fen += total;
    int64_t convert = s->pay_fen - llround((double)s->pay_fen * s->keep);
    for (uint32_t i = 0; i < n; i++)
        if (convert > 0 && !pay_redeem(w, c, s->legs[i].to, convert))
            s->kept_fen += convert;
    s->kept_fen += (int64_t)n * (s->pay_fen - convert);
    return true;
}

static void prl_day_start(prg_programme *p, wld_world *w, eng_engine *eng, int32_t day, int32_t day_index)
{
    prl_state *s = p->state;
    (void)eng;
    (void)day_index;
    if (day < s->start || day > s->end)
        return;
    if (!s->enrolled && !enrol(p, w, day)) {
        prg_fail_memory(p, w, "enrolling the employees");
        return;
    }
    int y, m, d;
    cal_ymd(day, &y, &m, &d);
    int pay = s->pay_day <= cal_days_in_month(y, m) ? s->pay_day : cal_days_in_month(y, m);
    if (d != pay)
        return;
    s->runs++;
    for (uint32_t e = 0; e < s->n_employers; e++)
        prl_run_employer(p, w, e, day);
}

static void prl_report(prg_programme *p, wld_world *w)
{
    prl_state *s = p->state;
    double k = (double)w->scale;
    prg_out(p, "employees", "people", (double)s->n_employees * k);
    prg_out(p, "wallets_opened", "wallets", (double)s->opened * k);
    prg_out(p, "employers", "employers", (double)s->n_employers);
    prg_out(p, "pay_runs", "runs", (double)s->runs);
    prg_out(p, "batches_posted", "batches", (double)s->batches_ok);
    prg_out(p, "batches_failed", "batches", (double)s->batches_failed);
    prg_out(p, "salaries_paid", "payments", (double)s->legs_paid * k);
    prg_out(p, "salaries_unpaid", "payments", (double)s->legs_unpaid * k);
    prg_out(p, "paid", "yuan", (double)s->paid_fen * k / 100.0);
    prg_out(p, "kept_in_ecny", "yuan", (double)s->kept_fen * k / 100.0);
}

static void prl_destroy(prg_programme *p)
{
    prl_state *s = p->state;
    if (!s)
        return;
    free(s->employer);
    free(s->employee);
    free(s->legs);
    free(s);
    p->state = NULL;
}

const prg_ops prl_ops = {"payroll", prl_create, prl_setup, prl_day_start, NULL, NULL, prl_report, prl_destroy};

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

void prl_save(const prg_programme *p, ckp_writer *ck)
{
    const prl_state *s = p->state;
    ckp_put_tag(ck, CKP_TAG('P', 'A', 'Y', 'R'));
    ckp_put_array(ck, s->employer, sizeof *s->employer, s->n_employers);
    ckp_put_array(ck, s->employee, sizeof *s->employee, s->n_employees);
    int64_t c[] = {s->enrolled, s->opened, s->runs, s->batches_ok, s->batches_failed, s->legs_paid, s->legs_unpaid,
                   s->paid_fen, s->kept_fen};
    ckp_put(ck, c, sizeof c);
}

void prl_load(prg_programme *p, ckp_reader *ck)
{
    prl_state *s = p->state;
    if (!ckp_expect_tag(ck, CKP_TAG('P', 'A', 'Y', 'R'), "payroll"))
        return;
    if (ckp_get_array(ck, s->employer, sizeof *s->employer, s->n_employers, "payroll employers") != s->n_employers &&
        !ckp_read_failed(ck))
        ckp_fail(ck, "[payroll.%s]: the number of employers cannot change when resuming", p->name);
    s->n_employees = (uint32_t)ckp_get_array(ck, s->employee, sizeof *s->employee, s->cap_employees,
                                             "payroll employees");
    int64_t c[9];
    ckp_get(ck, c, sizeof c);
    s->enrolled = c[0] != 0;
    s->opened = c[1];
    s->runs = c[2];
    s->batches_ok = c[3];
    s->batches_failed = c[4];
    s->legs_paid = c[5];
    s->legs_unpaid = c[6];
    s->paid_fen = c[7];
    s->kept_fen = c[8];
}
