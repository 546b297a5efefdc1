/* bench_ledger: the ledger's payment rate against the machine's limit.
 *
 * In one run, interleaved rounds (best pass of each loop reported, as this
 * shared VM's timings vary by up to 2x): (1) the machine limit, measured by
 * running BUILD/bench/limit_probe (a verbatim copy of
 * the reference limit probe) as a separate process with the same accounts
 * and transfers, so the ratio is against the yardstick itself (an in-process
 * copy of its loop came out below the standalone probe in 8 of 9 paired runs
 * and flattered the ratio; it is used only when the probe cannot be run);
 * (2) led_pay over N wallets with every check on (class caps, lazy
 * daily/annual tracking, per-city counters, running invariant sums), with the
 * probe's random pattern (splitmix64 from seed 42, a = low 32 bits % N, b =
 * high 32 bits % N, amount = r % 5000 + 1); (3) led_pay_many (the same
 * payments in chunks of 1024, which prefetches a few legs ahead); their
 * ratios to the limit (targets: led_pay_many >= 0.8, DESIGN.md); (4) the
 * ledger's bytes per account. The ledger's wallets are classes 1-4 in turn
 * across 16 cities, each topped up with 100,000 fen as the probe's balances
 * are. Every loop is memory-latency bound: what matters is the ratio
 * measured in the same run, not the absolute rates.
 *
 * usage: bench_ledger [accounts=13000000] [transfers=50000000] [rounds=3]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/ledger.h"

static uint64_t next(uint64_t *s) /* splitmix64, as limit-probe */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* After a timed pass: the ledger's full check, or exit 1 naming what broke. */
static void check_or_exit(const led_ledger *led)
{
    char why[256];
    if (!led_check(led, why, sizeof why)) {
        fprintf(stderr, "bench_ledger: led_check: %s\n", why);
        exit(1);
    }
}

/* The machine limit, one timed pass over fresh balances (as limit-probe). */
static double limit_pass(int64_t *bal, uint64_t n, uint64_t m, uint64_t *rejected)
{
    for (uint64_t i = 0; i < n; i++)
        bal[i] = 100000;
    uint64_t s = 42, rej = 0;
    double t0 = now_s();
    for (uint64_t k = 0; k < m; k++) {
        uint64_t r = next(&s);
        uint64_t a = (r & 0xffffffffu) % n, b = (r >> 32) % n;
        int64_t amount = (int64_t)(r % 5000) + 1;
        if (a == b || bal[a] < amount) {
            rej++;
            continue;
        }
        bal[a] -= amount;
        bal[b] += amount;
    }
    double sec = now_s() - t0;
    int64_t total = 0;
    for (uint64_t i = 0; i < n; i++)
        total += bal[i];
    if (total != (int64_t)n * 100000) {
        fprintf(stderr, "bench_ledger: limit loop did not conserve money\n");
        exit(1);
    }
    *rejected = rej;
    return sec;
}

/* Seconds the probe binary (beside this one) took for m transfers on n
 * accounts, from its own output; < 0 when it cannot be run. */
static double probe_pass(const char *self, uint64_t n, uint64_t m)
{
    char dir[4096], cmd[4300], line[512];
    snprintf(dir, sizeof dir, "%s", self);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    snprintf(cmd, sizeof cmd, "'%s/limit_probe' %llu %llu", dir, (unsigned long long)n, (unsigned long long)m);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    double sec = -1;
    while (fgets(line, sizeof line, p)) {
        const char *at = strstr(line, "seconds=");
        if (at)
            sec = strtod(at + 8, NULL);
    }
    if (pclose(p) != 0)
        return -1;
    return sec > 0 ? sec : -1;
}

typedef struct {
    led_ledger *led;
    led_config cfg;
    led_acct first;
} bench_ledger;

static void ledger_setup(bench_ledger *bl, uint64_t n, uint32_t flags)
{
    const uint16_t cities = 16;
    led_config_default(&bl->cfg, (uint32_t)n + 2, cities, led_default_limits);
    bl->cfg.flags = flags;
    bl->led = led_alloc_ex(&bl->cfg);
    if (!bl->led) {
        fprintf(stderr, "bench_ledger: led_alloc(%llu) failed\n", (unsigned long long)n + 2);
        exit(1);
    }
    led_ledger *led = bl->led;
    led_acct bank = led_open(led, LED_BANK, 0, LED_NONE, 0);
    led_set_reserve(led, bank, INT64_C(100000) * (int64_t)n);
    for (uint64_t i = 0; i < n; i++) {
        led_acct w = led_open(led, LED_WALLET, 1 + (int)(i % 4), bank, (uint16_t)(i % cities));
        if (i == 0)
            bl->first = w;
        if (w == LED_NONE || led_topup(led, w, 100000) != LED_OK) {
            fprintf(stderr, "bench_ledger: could not open and fund wallet %llu\n",
                    (unsigned long long)i);
            exit(1);
        }
    }
}

/* One timed pass of led_pay with the limit loop's pattern, on a new day.
 * Passes alternate the direction of every payment (reverse: b pays a), so the
 * ledger's balances, which are not reset between passes as the probe's are,
 * stay near their start and refusals stay as rare as the probe's. */
static double ledger_pass(bench_ledger *bl, uint64_t n, uint64_t m, int32_t day, bool reverse,
                          uint64_t *rejected)
{
    led_ledger *led = bl->led;
    led_day_begin(led, day);
    uint64_t s = 42, rej = 0;
    double t0 = now_s();
    for (uint64_t k = 0; k < m; k++) {
        uint64_t r = next(&s);
        uint64_t a = (r & 0xffffffffu) % n, b = (r >> 32) % n;
        int64_t amount = (int64_t)(r % 5000) + 1;
        if (reverse) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        if (led_pay(led, bl->first + (led_acct)a, bl->first + (led_acct)b, amount) != LED_OK)
            rej++;
    }
    double sec = now_s() - t0;
    check_or_exit(led);
    *rejected = rej;
    return sec;
}

/* The same pattern through led_pay_many, in chunks of 1024 legs (an engine
 * applying one tick's payments); drawing the legs is inside the timing. */
static double ledger_many_pass(bench_ledger *bl, uint64_t n, uint64_t m, int32_t day,
                               bool reverse, uint64_t *rejected)
{
    enum { CHUNK = 1024 };
    static led_leg legs[CHUNK];
    led_ledger *led = bl->led;
    led_day_begin(led, day);
    uint64_t s = 42, posted = 0;
    double t0 = now_s();
    for (uint64_t k = 0; k < m;) {
        uint32_t c = m - k < CHUNK ? (uint32_t)(m - k) : CHUNK;
        for (uint32_t i = 0; i < c; i++) {
            uint64_t r = next(&s);
            led_acct a = bl->first + (led_acct)((r & 0xffffffffu) % n);
            led_acct b = bl->first + (led_acct)((r >> 32) % n);
            legs[i].from = reverse ? b : a;
            legs[i].to = reverse ? a : b;
            legs[i].amount_fen = (int64_t)(r % 5000) + 1;
        }
        posted += led_pay_many(led, legs, c, NULL);
        k += c;
    }
    double sec = now_s() - t0;
    check_or_exit(led);
    *rejected = m - posted;
    return sec;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 13000000ull;
    uint64_t m = argc > 2 ? strtoull(argv[2], NULL, 10) : 50000000ull;
    int rounds = argc > 3 ? atoi(argv[3]) : 3;
    if (n < 2 || n > 4000000000ull || m < 1 || rounds < 1) {
        fprintf(stderr, "usage: bench_ledger [accounts>=2] [transfers>=1] [rounds>=1]\n");
        return 2;
    }
    int64_t *bal = malloc(n * sizeof *bal);
    if (!bal) {
        fprintf(stderr, "bench_ledger: out of memory\n");
        return 1;
    }
    /* The ledger asks for transparent huge pages (the probe's array does
     * not); on this VM that was measured to make no difference. Both loops
     * run on the one ledger, each pass on a new day. */
    bench_ledger bl;
    ledger_setup(&bl, n, 0);
    /* Interleaved rounds, best of each: this machine's timings are noisy
     * (a shared VM), and the best pass is the least disturbed one. */
    double best_limit = 1e30, best_led = 1e30, best_many = 1e30;
    bool in_process = false;
    for (int k = 0; k < rounds; k++) {
        uint64_t rl = 0, rh, rs;
        double tl = in_process ? -1 : probe_pass(argv[0], n, m);
        if (tl < 0) {
            if (!in_process)
                printf("limit_probe could not be run beside %s: the limit is the in-process copy of its loop\n",
                       argv[0]);
            in_process = true;
            tl = limit_pass(bal, n, m, &rl);
        }
        double th = ledger_pass(&bl, n, m, 2 * k + 1, false, &rh);
        double ts = ledger_many_pass(&bl, n, m, 2 * k + 2, true, &rs);
        printf("round %d: limit %.0f/s (%s), led_pay %.0f/s (rejected %llu), "
               "led_pay_many %.0f/s (rejected %llu)\n",
               k + 1, (double)m / tl, in_process ? "in-process" : "limit_probe process", (double)m / th,
               (unsigned long long)rh, (double)m / ts, (unsigned long long)rs);
        (void)rl;
        best_limit = tl < best_limit ? tl : best_limit;
        best_led = th < best_led ? th : best_led;
        best_many = ts < best_many ? ts : best_many;
    }
    printf("accounts=%llu transfers=%llu rounds=%d (best of each)\n", (unsigned long long)n,
           (unsigned long long)m, rounds);
    printf("limit_transfers_per_s=%.0f\n", (double)m / best_limit);
    printf("ledger_led_pay_transfers_per_s=%.0f\n", (double)m / best_led);
    printf("ledger_led_pay_many_transfers_per_s=%.0f\n", (double)m / best_many);
    printf("ratio led_pay/limit=%.2f led_pay_many/limit=%.2f (limit: %s; target led_pay_many >= 0.80)\n",
           best_limit / best_led, best_limit / best_many, in_process ? "in-process" : "limit_probe process");
    printf("account_record_bytes=%zu bytes_per_account_with_side_tables=%.1f\n",
           led_account_bytes(), (double)led_bytes_needed_ex(&bl.cfg) / (double)(n + 2));
    led_free(bl.led);
    free(bal);
    return 0;
}
