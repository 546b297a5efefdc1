/* bench_peer: the declared payments economy (docs/benchmark.md)
 * against its Mesa reference, whole process against whole process.
 *
 * For 10,000, 100,000 and 1,000,000 residents x 30 days, seed 1, runs
 * `ecnysim run scenarios/bench_peer.ini --quiet --set peer.residents=N --out TMP`
 * RUNS times (the ecnysim next to this program's folder: BUILD/ecnysim) and
 * prints the median wall time (fork to exit: process start, scenario load,
 * set-up, 30 days, CSV and manifest written and renamed into place) and the
 * peak RSS (wait4's ru_maxrss of that child), beside Mesa's figures and the
 * ratio. Mesa's figures are not typed in here: they are read from the table
 * marked "mesa-figures" in docs/performance.md, which cites each with its
 * source line, and printed with both. When Mesa itself is installed
 * (`python3 -c 'import mesa'` works) and bench/peer_mesa.py exists, Mesa is
 * also run here, once per size (10 k and 100 k; 1 M with BENCH_MESA_1M=1,
 * ~4 minutes), and that measured figure is printed beside the cited one.
 * The ratio is an algorithmic one: docs/performance.md says what the peer
 * model does and what a per-agent loop costs. Run from the repository root
 * (make bench does).
 *
 * usage: bench_peer [runs=5]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs argv with stdout and stderr to /dev/null; wall and CPU (user + system)
 * seconds, peak KiB. */
static int run(char *const argv[], double *wall_s, double *cpu_s, long *rss_kib)
{
    fflush(NULL); /* or the child's exit flushes our buffered lines a second time */
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *wall_s = now_s() - t0;
    *rss_kib = ru.ru_maxrss;
    *cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
             ru.ru_stime.tv_usec / 1e6;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Mesa's cited figures: rows of the table after the "mesa-figures" marker
 * in docs/performance.md, `| residents | wall s | peak MiB | source |`. */
typedef struct {
    long residents;
    double mesa_s, mesa_mib;
    char source[160];
    int doc_line;
} mesa_row;

static int read_mesa(const char *doc, mesa_row *row, int max)
{
    FILE *f = fopen(doc, "r");
    if (!f)
        return 0;
    char line[512];
    int n = 0, lineno = 0;
    bool in = false;
    while (n < max && fgets(line, sizeof line, f)) {
        lineno++;
        if (strstr(line, "mesa-figures")) {
            in = true;
            continue;
        }
        if (!in)
            continue;
        if (line[0] != '|') {
            if (n > 0)
                break;
            continue;
        }
        char res[32], src[160];
        double s, mib;
        if (sscanf(line, "| %31[0-9,] | %lf | %lf | %159[^|]|", res, &s, &mib, src) != 4)
            continue; /* the header and the rule */
        long r = 0;
        for (const char *c = res; *c; c++)
            if (*c >= '0' && *c <= '9')
                r = r * 10 + (*c - '0');
        size_t k = strlen(src);
        while (k > 0 && src[k - 1] == ' ')
            src[--k] = '\0';
        row[n] = (mesa_row){r, s, mib, "", lineno};
        snprintf(row[n].source, sizeof row[n].source, "%s", src);
        n++;
    }
    fclose(f);
    return n;
}

/* Mesa measured here: python3 bench/peer_mesa.py N 30 1, whole process. */
static bool run_mesa(long residents, double *wall_s, long *rss_kib)
{
    char n[32];
    snprintf(n, sizeof n, "%ld", residents);
    char *args[] = {"/usr/bin/python3", "bench/peer_mesa.py", n, "30", "1", NULL};
    double cpu;
    return run(args, wall_s, &cpu, rss_kib) == 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sums e-CNY payments and reads adopters on the last row of peer.csv. */
static void read_csv(const char *dir, long long *payments, long long *adopters)
{
    char path[4200], line[1024];
    snprintf(path, sizeof path, "%s/peer.csv", dir);
    FILE *f = fopen(path, "r");
    *payments = *adopters = -1;
    if (!f)
        return;
    long long pay = 0, ad = 0;
    if (fgets(line, sizeof line, f)) {
        while (fgets(line, sizeof line, f)) {
            long long day, a, acc, e;
            if (sscanf(line, "%lld,%lld,%lld,%lld", &day, &a, &acc, &e) == 4) {
                pay += e;
                ad = a;
            }
        }
    }
    fclose(f);
    *payments = pay;
    *adopters = ad;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1 || runs > 99) {
        fprintf(stderr, "usage: bench_peer [runs=5]\n");
        return 2;
    }
    char bin[4096];
    snprintf(bin, sizeof bin, "%s", argv[0]);
    char *slash = strrchr(bin, '/');
    if (!slash) {
        fprintf(stderr, "bench_peer: run it by its path (BUILD/bench/bench_peer)\n");
        return 2;
    }
    *slash = '\0';
    slash = strrchr(bin, '/');
    snprintf(slash ? slash + 1 : bin, sizeof bin - (size_t)(slash ? slash + 1 - bin : 0), "ecnysim");
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "bench_peer: %s not found: build it first (make bench)\n", bin);
        return 2;
    }
    char tmp[] = "/tmp/ecnysim-bench-peer-XXXXXX";
    if (!mkdtemp(tmp)) {
        perror("bench_peer: mkdtemp");
        return 1;
    }
    mesa_row size[8];
    int n_size = read_mesa("docs/performance.md", size, 8);
    if (n_size == 0) {
        fprintf(stderr, "bench_peer: no 'mesa-figures' table in docs/performance.md (run from the repository root)\n");
        rmdir(tmp);
        return 2;
    }
    bool mesa_here = system("python3 -c 'import mesa' >/dev/null 2>&1") == 0 && access("bench/peer_mesa.py", R_OK) == 0;
    const char *mesa_1m = getenv("BENCH_MESA_1M");
    int status = 0;
    printf("Mesa's figures as cited in docs/performance.md (each with its source line):\n");
    for (int s = 0; s < n_size; s++)
        printf("  %ld residents: %.3g s, %.0f MiB  [docs/performance.md:%d, from %s]\n", size[s].residents,
               size[s].mesa_s, size[s].mesa_mib, size[s].doc_line, size[s].source);
    if (!mesa_here)
        printf("Mesa is not installed here (python3 -c 'import mesa' fails): the ratios use the cited figures\n");
    printf("declared payments economy, 30 days, seed 1: whole process, median of %d runs\n", runs);
    printf("%-10s %8s %8s %8s | %7s %8s | %8s %6s | %9s %8s\n", "residents", "wall s", "CPU s", "RSS MiB",
           "Mesa s", "Mesa MiB", "speed-up", "RSS x", "e-CNY pay", "adopters");
    for (int s = 0; s < n_size; s++) {
        char set[64], out[4200];
        snprintf(set, sizeof set, "peer.residents=%ld", size[s].residents);
        snprintf(out, sizeof out, "%s/peer_%ld", tmp, size[s].residents);
        char *args[] = {bin, "run", "scenarios/bench_peer.ini", "--quiet", "--set", set, "--out", out, NULL};
        double wall[99], cpu[99];
        long rss = 0;
        for (int r = 0; r < runs; r++) {
            long k;
            if (run(args, &wall[r], &cpu[r], &k) != 0) {
                fprintf(stderr, "bench_peer: %s run %s failed\n", bin, set);
                status = 1;
                break;
            }
            rss = k > rss ? k : rss;
        }
        if (status)
            break;
        qsort(wall, (size_t)runs, sizeof wall[0], cmp_double);
        qsort(cpu, (size_t)runs, sizeof cpu[0], cmp_double);
        double med = wall[runs / 2];
        long long pay, ad;
        read_csv(out, &pay, &ad);
        printf("%-10ld %8.4f %8.4f %8.1f | %7.2f %8.0f | %7.0fx %5.0fx | %9lld %8lld\n", size[s].residents, med,
               cpu[runs / 2], rss / 1024.0, size[s].mesa_s, size[s].mesa_mib, size[s].mesa_s / med,
               size[s].mesa_mib / (rss / 1024.0), pay, ad);
        double mw;
        long mk;
        if (mesa_here && (size[s].residents < 1000000 || (mesa_1m && strcmp(mesa_1m, "1") == 0))) {
            if (run_mesa(size[s].residents, &mw, &mk))
                printf("%-10s Mesa measured here: %.2f s, %.0f MiB: speed-up %.0fx (cited: %.0fx)\n", "", mw,
                       mk / 1024.0, mw / med, size[s].mesa_s / med);
            else
                printf("%-10s Mesa run failed (python3 bench/peer_mesa.py %ld 30 1)\n", "", size[s].residents);
        }
    }
    printf("target: >= 1000x Mesa at 1,000,000 residents (Mesa 229 s -> <= 0.229 s)\n");
    char rm[4300];
    snprintf(rm, sizeof rm, "rm -rf '%s'", tmp);
    if (system(rm) != 0)
        fprintf(stderr, "bench_peer: could not remove %s\n", tmp);
    return status;
}
