/* rng.c: xoshiro256** as a gsl_rng_type, and stream seeding by hash.
 * The generator is Blackman & Vigna's xoshiro256** (public domain reference);
 * the state is filled from the 64-bit seed by splitmix64, as its authors
 * recommend, so no state is ever all zero. */
#include "sim/rng.h"

#include <assert.h>
#include <string.h>

typedef struct {
    uint64_t s[4];
} xoshiro_state;

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t xoshiro_next(xoshiro_state *st)
{
    uint64_t *s = st->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static uint64_t splitmix64(uint64_t *x)
{
    return rng_fmix64(*x += RNG_GOLDEN64);
}

static void xoshiro_seed64(xoshiro_state *st, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        st->s[i] = splitmix64(&x);
}

static void gsl_set(void *vstate, unsigned long seed)
{
    xoshiro_seed64(vstate, (uint64_t)seed);
}

static unsigned long gsl_get(void *vstate)
{
    return (unsigned long)(xoshiro_next(vstate) >> 32);
}

static double gsl_get_double(void *vstate)
{
    return (double)(xoshiro_next(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type xoshiro_type = {
    "xoshiro256**", 0xffffffffUL, 0, sizeof(xoshiro_state), gsl_set, gsl_get, gsl_get_double,
};

const gsl_rng_type *rng_xoshiro = &xoshiro_type;

uint64_t rng_mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ (b * 0xd6e8feb86659fd93ull);
    return splitmix64(&x);
}

uint64_t rng_stream_seed(uint64_t seed, uint32_t city, uint32_t purpose)
{
    return rng_mix(rng_mix(seed, 0x5eedull + city), purpose);
}

gsl_rng *rng_stream_alloc(uint64_t seed, uint32_t city, uint32_t purpose)
{
    gsl_rng *r = gsl_rng_alloc(rng_xoshiro);
    if (r)
        rng_stream_reset(r, seed, city, purpose);
    return r;
}

void rng_stream_reset(gsl_rng *r, uint64_t seed, uint32_t city, uint32_t purpose)
{
    assert(r->type == rng_xoshiro);
    xoshiro_seed64(r->state, rng_stream_seed(seed, city, purpose));
}

uint64_t rng_u64(gsl_rng *r)
{
    return xoshiro_next(r->state);
}

double rng_uniform(gsl_rng *r)
{
    return (double)(xoshiro_next(r->state) >> 11) * 0x1.0p-53;
}

uint32_t rng_below(gsl_rng *r, uint32_t n)
{
    return (uint32_t)(((xoshiro_next(r->state) >> 32) * (uint64_t)n) >> 32);
}

void rng_get_state(const gsl_rng *r, uint64_t out[4])
{
    memcpy(out, ((const xoshiro_state *)r->state)->s, sizeof(uint64_t) * 4);
}

void rng_set_state(gsl_rng *r, const uint64_t in[4])
{
    memcpy(((xoshiro_state *)r->state)->s, in, sizeof(uint64_t) * 4);
}
