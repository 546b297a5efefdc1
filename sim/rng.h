/* rng.h: random streams (prefix rng_).
 *
 * Every stream is a GSL generator of type rng_xoshiro (xoshiro256**, 32 bytes
 * of state, period 2^256-1) so every gsl_ran_* distribution works on it. A
 * stream's seed is a hash of (scenario seed, city, purpose), never the clock:
 * adding a programme in one city does not move another city's draws, and the
 * same seed gives the same run whatever the process layout.
 */
#ifndef ECNYSIM_RNG_H
#define ECNYSIM_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* Purposes: one stream per (city, purpose). Append only: reordering moves draws. */
enum rng_purpose {
    RNG_POPULATION = 1,
    RNG_AWARENESS,
    RNG_ADOPTION,
    RNG_SHOPPING,
    RNG_MERCHANTS,
    RNG_FIRMS,
    RNG_GOVERNMENT,
    RNG_BANKS,
    RNG_PROGRAMME, /* programmes add their own index to this */
    RNG_PURPOSE_MAX = 1 << 20
};

extern const gsl_rng_type *rng_xoshiro;

/* splitmix64's increment (2^64 / golden ratio) and its finaliser, a
 * bijective 64-bit mix: the one copy the generator's seeding, the stream
 * seeds, the ledger's trace sample and the checkpoint checksum share. One
 * splitmix64 step from state x returns rng_fmix64(x + RNG_GOLDEN64). */
#define RNG_GOLDEN64 0x9e3779b97f4a7c15ull
static inline uint64_t rng_fmix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* 64-bit mixing hash (splitmix64 finaliser) of a and b. */
uint64_t rng_mix(uint64_t a, uint64_t b);
/* The seed of stream (seed, city, purpose). */
uint64_t rng_stream_seed(uint64_t seed, uint32_t city, uint32_t purpose);
/* Allocates a stream; NULL when memory is short. Free with gsl_rng_free. */
gsl_rng *rng_stream_alloc(uint64_t seed, uint32_t city, uint32_t purpose);
/* Re-seeds an existing rng_xoshiro stream with the full 64-bit stream seed. */
void rng_stream_reset(gsl_rng *r, uint64_t seed, uint32_t city, uint32_t purpose);
/* Fast paths for hot loops: raw 64 bits, a uniform in [0,1), and a uniform
 * integer in [0, n) (Lemire's multiply, bias below 2^-32 for n < 2^32). The
 * generator must be of type rng_xoshiro. */
uint64_t rng_u64(gsl_rng *r);
double rng_uniform(gsl_rng *r);
uint32_t rng_below(gsl_rng *r, uint32_t n);

/* Raw state access for checkpoints: 32 bytes. */
void rng_get_state(const gsl_rng *r, uint64_t out[4]);
void rng_set_state(gsl_rng *r, const uint64_t in[4]);

#endif
