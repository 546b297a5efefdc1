/* limit_probe.c: the machine's ceiling for a ledger-style workload, for `make bench`.
 *
 * A verbatim copy of the reference limit probe (the project's reference
 * probe, by the benchmark's authors; only this comment is added), built as
 * BUILD/bench/limit_probe so that `make bench` measures the limit in a
 * separate process with exactly that code: bench_ledger runs it between its
 * own passes (best of 3 each) and bench_scale.sh prices the Suzhou 1:1 run's
 * ledger operations at its rate. Do not tune it: it is the yardstick.
 *
 * The original comment follows.
 */
/* limit-probe: the machine's ceiling for a ledger-style workload.
 *
 * A payment touches two accounts chosen at random from a large population:
 * read both balances, move an amount, write both back.  On a population far
 * larger than the caches this is bound by memory latency, not arithmetic, so
 * the rate printed here is the practical upper limit for any simulator's
 * transaction core on this machine.  Compare the project's own figure with
 * it, measured in the same run: the ratio is what matters, not the absolute.
 *
 * usage: limit-probe [accounts=13000000] [transfers=50000000]
 * prints: accounts=N transfers=M seconds=S transfers_per_s=R
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t next(uint64_t *s)          /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 13000000ull;
    uint64_t m = argc > 2 ? strtoull(argv[2], NULL, 10) : 50000000ull;
    if (n < 2 || m < 1) {
        fprintf(stderr, "usage: limit-probe [accounts>=2] [transfers>=1]\n");
        return 2;
    }
    int64_t *bal = malloc(n * sizeof *bal);
    if (!bal) { fprintf(stderr, "limit-probe: out of memory\n"); return 1; }
    for (uint64_t i = 0; i < n; i++) bal[i] = 100000;

    uint64_t s = 42, rejected = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t k = 0; k < m; k++) {
        uint64_t r = next(&s);
        uint64_t a = (r & 0xffffffffu) % n, b = (r >> 32) % n;
        int64_t amount = (int64_t)(r % 5000) + 1;
        if (a == b || bal[a] < amount) { rejected++; continue; }
        bal[a] -= amount;
        bal[b] += amount;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double sec = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

    int64_t total = 0;                      /* conservation, and keeps the loop alive */
    for (uint64_t i = 0; i < n; i++) total += bal[i];
    if (total != (int64_t)n * 100000) { fprintf(stderr, "limit-probe: money not conserved\n"); return 1; }

    printf("accounts=%llu transfers=%llu rejected=%llu seconds=%.3f transfers_per_s=%.0f\n",
           (unsigned long long)n, (unsigned long long)m, (unsigned long long)rejected, sec, m / sec);
    free(bal);
    return 0;
}
