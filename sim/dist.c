/* dist.c: the distribution layer, serial and MPI (see dist.h).
 *
 * The serial implementation is always compiled and needs nothing; the MPI one
 * replaces it when ECNYSIM_MPI is defined (`make mpi`). Both keep the same
 * contract, so a run's results do not depend on which one carried it:
 * exchanges move int64 runs unchanged, reductions are int64 sums (exact,
 * associative), and the partition is a pure function of the weights.
 * Cost: dst_partition is O(n log n + n ranks); each exchange is one or two
 * collectives of the data it moves.
 */
#include "sim/dist.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef ECNYSIM_MPI
#include <mpi.h>
#endif

void dst_partition(const int64_t *weight, int n, int ranks, int *owner)
{
    if (ranks < 1)
        ranks = 1;
    int *order = malloc((size_t)(n > 0 ? n : 1) * sizeof *order);
    int64_t *load = calloc((size_t)ranks, sizeof *load);
    if (!order || !load) { /* degenerate but deterministic: round robin */
        for (int i = 0; i < n; i++)
            owner[i] = i % ranks;
        free(order);
        free(load);
        return;
    }
    for (int i = 0; i < n; i++)
        order[i] = i;
    /* Insertion sort, by weight descending then index: n is the number of
     * cities (tens), and a stable hand-written order needs no qsort tie rules. */
    for (int i = 1; i < n; i++) {
        int v = order[i], j = i;
        while (j > 0 && weight[order[j - 1]] < weight[v]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    for (int k = 0; k < n; k++) {
        int best = 0;
        for (int r = 1; r < ranks; r++)
            if (load[r] < load[best])
                best = r;
        owner[order[k]] = best;
        load[best] += weight[order[k]] > 0 ? weight[order[k]] : 0;
    }
    free(order);
    free(load);
}

#ifndef ECNYSIM_MPI

void dst_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}
void dst_finalize(void) {}
bool dst_mpi_built(void) { return false; }
int dst_rank(void) { return 0; }
int dst_size(void) { return 1; }
_Noreturn void dst_abort(int status) { exit(status); }
bool dst_reduce_sum_i64(int64_t *buf, size_t n)
{
    (void)buf;
    (void)n;
    return true;
}
bool dst_allreduce_sum_i64(int64_t *buf, size_t n)
{
    (void)buf;
    (void)n;
    return true;
}
bool dst_bcast_int(int *flag)
{
    (void)flag;
    return true;
}

bool dst_bcast_bytes(void *buf, size_t n)
{
    (void)buf;
    (void)n;
    return true;
}
bool dst_send_ints(int to, const int *v, int n)
{
    (void)to;
    (void)v;
    (void)n;
    return false;
}
int dst_poll_ints(int *v, int n, int *from)
{
    (void)v;
    (void)n;
    (void)from;
    return 0;
}

bool dst_alltoallv_i64(const int64_t *send, const int64_t *send_count, int64_t **recv, int64_t *recv_count)
{
    size_t n = (size_t)send_count[0];
    *recv = malloc((n ? n : 1) * sizeof **recv);
    if (!*recv)
        return false;
    if (n)
        memcpy(*recv, send, n * sizeof *send);
    recv_count[0] = (int64_t)n;
    return true;
}

#else /* ECNYSIM_MPI */

static int started; /* we called MPI_Init (and so must call MPI_Finalize) */

void dst_init(int *argc, char ***argv)
{
    int init = 0;
    MPI_Initialized(&init);
    if (init)
        return;
    MPI_Init(argc, argv);
    /* Errors return codes instead of aborting, so a failure is reported. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    started = 1;
}

void dst_finalize(void)
{
    int fin = 0;
    MPI_Finalized(&fin);
    if (started && !fin)
        MPI_Finalize();
    started = 0;
}

bool dst_mpi_built(void) { return true; }

static bool running(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return init && !fin;
}

int dst_rank(void)
{
    int r = 0;
    if (running())
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int dst_size(void)
{
    int n = 1;
    if (running())
        MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

_Noreturn void dst_abort(int status)
{
    if (running() && dst_size() > 1)
        MPI_Abort(MPI_COMM_WORLD, status);
    exit(status);
}

static bool ok(int rc, const char *what)
{
    if (rc == MPI_SUCCESS)
        return true;
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    fprintf(stderr, "ecnysim: rank %d: %s failed: %.*s\n", dst_rank(), what, len, msg);
    return false;
}

/* MPI counts are int: large reductions go in chunks. */
#define DST_CHUNK (1 << 28)

bool dst_reduce_sum_i64(int64_t *buf, size_t n)
{
    if (dst_size() == 1)
        return true;
    int root = dst_rank() == 0;
    for (size_t off = 0; off < n; off += DST_CHUNK) {
        int k = (int)(n - off < DST_CHUNK ? n - off : DST_CHUNK);
        int rc = MPI_Reduce(root ? MPI_IN_PLACE : buf + off, root ? buf + off : NULL, k, MPI_INT64_T, MPI_SUM, 0,
                            MPI_COMM_WORLD);
        if (!ok(rc, "MPI_Reduce"))
            return false;
    }
    return true;
}

bool dst_allreduce_sum_i64(int64_t *buf, size_t n)
{
    if (dst_size() == 1)
        return true;
    for (size_t off = 0; off < n; off += DST_CHUNK) {
        int k = (int)(n - off < DST_CHUNK ? n - off : DST_CHUNK);
        if (!ok(MPI_Allreduce(MPI_IN_PLACE, buf + off, k, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce"))
            return false;
    }
    return true;
}

bool dst_bcast_int(int *flag)
{
    if (dst_size() == 1)
        return true;
    return ok(MPI_Bcast(flag, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
}

bool dst_bcast_bytes(void *buf, size_t n)
{
    if (dst_size() == 1)
        return true;
    for (size_t off = 0; off < n; off += DST_CHUNK) {
        int k = (int)(n - off < DST_CHUNK ? n - off : DST_CHUNK);
        if (!ok(MPI_Bcast((char *)buf + off, k, MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Bcast"))
            return false;
    }
    return true;
}

/* The tag of dst_send_ints/dst_poll_ints messages (collectives use none). */
#define DST_TAG_INTS 7

bool dst_send_ints(int to, const int *v, int n)
{
    if (n < 1 || n > DST_MSG_INTS || to < 0 || to >= dst_size() || to == dst_rank())
        return false;
    return ok(MPI_Send(v, n, MPI_INT, to, DST_TAG_INTS, MPI_COMM_WORLD), "MPI_Send");
}

int dst_poll_ints(int *v, int n, int *from)
{
    if (dst_size() == 1 || n < 1 || n > DST_MSG_INTS)
        return 0;
    int flag = 0;
    MPI_Status st;
    if (!ok(MPI_Iprobe(MPI_ANY_SOURCE, DST_TAG_INTS, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe"))
        return -1;
    if (!flag)
        return 0;
    if (!ok(MPI_Recv(v, n, MPI_INT, st.MPI_SOURCE, DST_TAG_INTS, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv"))
        return -1;
    if (from)
        *from = st.MPI_SOURCE;
    return 1;
}

bool dst_alltoallv_i64(const int64_t *send, const int64_t *send_count, int64_t **recv, int64_t *recv_count)
{
    int n = dst_size();
    int *sc = malloc((size_t)n * 4 * sizeof *sc);
    if (!sc)
        return false;
    int *sd = sc + n, *rc = sc + 2 * n, *rd = sc + 3 * n;
    int64_t total = 0;
    for (int r = 0; r < n; r++) {
        if (send_count[r] < 0 || send_count[r] > INT_MAX || total > INT_MAX - send_count[r]) {
            fprintf(stderr, "ecnysim: rank %d: a flow exchange of more than %d values\n", dst_rank(), INT_MAX);
            free(sc);
            return false;
        }
        sc[r] = (int)send_count[r];
        sd[r] = (int)total;
        total += send_count[r];
    }
    if (!ok(MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, MPI_COMM_WORLD), "MPI_Alltoall")) {
        free(sc);
        return false;
    }
    int64_t rtotal = 0;
    for (int r = 0; r < n; r++) {
        if (rtotal > INT_MAX - rc[r]) {
            fprintf(stderr, "ecnysim: rank %d: a flow exchange of more than %d values\n", dst_rank(), INT_MAX);
            free(sc);
            return false;
        }
        rd[r] = (int)rtotal;
        recv_count[r] = rc[r];
        rtotal += rc[r];
    }
    *recv = malloc((size_t)(rtotal ? rtotal : 1) * sizeof **recv);
    bool done = *recv && ok(MPI_Alltoallv(send, sc, sd, MPI_INT64_T, *recv, rc, rd, MPI_INT64_T, MPI_COMM_WORLD),
                            "MPI_Alltoallv");
    free(sc);
    return done;
}

#endif
