/* viz_pace.c: pacing by credit (see viz_pace.h).
 *
 * Invariants: 0 <= credit_days <= cap; the speed stays within
 * [VIZ_PACE_MIN, VIZ_PACE_MAX]. Unsigned clock differences make a wrap of
 * the 32-bit millisecond clock (49 days) harmless. Cost: O(1) per call.
 */
#include "viz/viz_pace.h"

#include <assert.h>
#include <math.h>

#define WINDOW_MS 500u

static double clamp_speed(double v)
{
    if (!(v > 0))
        return VIZ_PACE_DEFAULT;
    return v < VIZ_PACE_MIN ? VIZ_PACE_MIN : v > VIZ_PACE_MAX ? VIZ_PACE_MAX : v;
}

static double cap_days(const viz_pace *p)
{
    return 1.0 + fmax(1.0, p->speed_days_s * 0.5);
}

void viz_pace_init(viz_pace *p, double speed_days_s, uint32_t now_ms)
{
    p->speed_days_s = clamp_speed(speed_days_s);
    p->credit_days = 0;
    p->last_ms = now_ms;
    p->window_ms = now_ms;
    p->window_days = 0;
    p->achieved_days_s = 0;
}

double viz_pace_faster(viz_pace *p)
{
    p->speed_days_s = clamp_speed(p->speed_days_s * 2);
    return p->speed_days_s;
}

double viz_pace_slower(viz_pace *p)
{
    p->speed_days_s = clamp_speed(p->speed_days_s / 2);
    return p->speed_days_s;
}

int viz_pace_due(viz_pace *p, uint32_t now_ms, bool paused)
{
    uint32_t elapsed = now_ms - p->last_ms;
    p->last_ms = now_ms;
    if (paused) {
        p->credit_days = 0;
        p->window_ms = now_ms;
        p->window_days = 0;
        p->achieved_days_s = 0;
        return 0;
    }
    p->credit_days = fmin(p->credit_days + elapsed * p->speed_days_s / 1000.0, cap_days(p));
    assert(p->credit_days >= 0);
    return (int)floor(p->credit_days);
}

void viz_pace_shown(viz_pace *p, int n, uint32_t now_ms)
{
    assert(n >= 0);
    p->credit_days = fmax(0, p->credit_days - n);
    p->window_days += n;
    uint32_t span = now_ms - p->window_ms;
    if (span >= WINDOW_MS) {
        p->achieved_days_s = p->window_days * 1000.0 / span;
        p->window_ms = now_ms;
        p->window_days = 0;
    }
}
