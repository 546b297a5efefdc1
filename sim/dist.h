/* dist.h: the distribution layer (prefix dst_): ranks, partition, exchanges.
 *
 * A city is the unit of partition. Built normally, this layer is serial: one
 * rank, every exchange a local copy, nothing to install. Built by `make mpi`
 * (mpicc, -DECNYSIM_MPI), the same calls go through Open MPI: `mpirun -np R
 * ecnysim run S.ini` gives each rank the cities the partition assigns it; a
 * binary started without mpirun is a single rank (MPI singleton).
 *
 * Every call here except dst_rank/dst_size/dst_partition and the two
 * point-to-point messages (dst_send_ints, dst_poll_ints) is collective: every
 * rank of the run must make it, in the same order, or the run hangs. The
 * models make them from the day-end hook, which every rank runs every day;
 * the command line makes them between days. Sums are of int64 only, so a
 * reduction is exact and independent of the order ranks arrive in.
 */
#ifndef ECNYSIM_DIST_H
#define ECNYSIM_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Starts the layer (MPI_Init under MPI; nothing otherwise). Idempotent. */
void dst_init(int *argc, char ***argv);
/* Stops it (MPI_Finalize); safe to call when dst_init was not. */
void dst_finalize(void);
/* Whether this binary was built with MPI. */
bool dst_mpi_built(void);
int dst_rank(void); /* 0 when serial */
int dst_size(void); /* 1 when serial */
/* Ends every rank at once with status (MPI_Abort); exit(status) when serial. */
_Noreturn void dst_abort(int status);

/* Greedy deterministic partition of n items of weight[i] over ranks: largest
 * weight first (ties: lower index first) to the least-loaded rank (ties:
 * lower rank). Writes owner[i] in [0, ranks). */
void dst_partition(const int64_t *weight, int n, int ranks, int *owner);

/* Collective: buf[0..n) on every rank is replaced, on rank 0 only, by the
 * element-wise sum over ranks (other ranks' buf is left unchanged). */
bool dst_reduce_sum_i64(int64_t *buf, size_t n);
/* Collective: the element-wise sum on every rank. */
bool dst_allreduce_sum_i64(int64_t *buf, size_t n);
/* Collective: rank 0's value of *flag on every rank. */
bool dst_bcast_int(int *flag);
/* Collective all-to-all of int64 runs: send_count[r] values for rank r,
 * packed rank by rank in send. On return *recv (malloc'd, the caller frees)
 * holds recv_count[r] values from each rank r, packed in rank order. False
 * when memory is short (the run must then abort). */
bool dst_alltoallv_i64(const int64_t *send, const int64_t *send_count, int64_t **recv, int64_t *recv_count);
/* Collective: rank 0's n bytes of buf on every rank. */
bool dst_bcast_bytes(void *buf, size_t n);

/* Point to point (a batch's runs, cli/batch.c): a message is n ints,
 * 1 <= n <= DST_MSG_INTS. dst_send_ints sends v[0..n) to rank `to` (small:
 * it returns once buffered); false when it fails, or when serial (no other
 * rank). dst_poll_ints does not wait: 1 when a message from any rank was
 * received into v[0..n) (*from set), 0 when none is waiting, -1 on an error;
 * always 0 when serial. Messages between two ranks arrive in send order. */
#define DST_MSG_INTS 8
bool dst_send_ints(int to, const int *v, int n);
int dst_poll_ints(int *v, int n, int *from);

#endif
