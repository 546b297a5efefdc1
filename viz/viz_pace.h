/* viz_pace.h: playback pacing in simulated days per second (prefix viz_pace_).
 *
 * Pure arithmetic over a millisecond clock given by the caller (no SDL), so
 * it can be tested at every speed with a made-up clock. Time elapsed while
 * playing earns credit (elapsed_ms x speed / 1000 days); the view shows the
 * whole days of credit it has, several per frame when the frame rate is
 * below the speed. No integer interval is ever formed, so no speed divides
 * by zero. Credit is capped at a day plus half a second's worth (at least 2), so a
 * stall or a pause never bursts. The achieved rate is measured over windows
 * of at least 500 ms: days actually shown per wall-clock second.
 */
#ifndef ECNYSIM_VIZ_PACE_H
#define ECNYSIM_VIZ_PACE_H

#include <stdbool.h>
#include <stdint.h>

#define VIZ_PACE_MIN 0.25   /* days per second */
#define VIZ_PACE_MAX 1024.0 /* days per second */
#define VIZ_PACE_DEFAULT 8.0

typedef struct {
    double speed_days_s;    /* in [VIZ_PACE_MIN, VIZ_PACE_MAX] */
    double credit_days;     /* days due and not yet shown */
    uint32_t last_ms;       /* clock at the last update */
    uint32_t window_ms;     /* start of the measuring window */
    int window_days;        /* days shown in the window */
    double achieved_days_s; /* last measured rate; 0 before the first window */
} viz_pace;

/* speed_days_s out of range is clamped; 0 means the default. */
void viz_pace_init(viz_pace *p, double speed_days_s, uint32_t now_ms);
/* Doubles (faster) or halves the speed within the range; returns the new speed. */
double viz_pace_faster(viz_pace *p);
double viz_pace_slower(viz_pace *p);
/* Advances the clock to now_ms and returns the whole days due (>= 0). While
 * paused no credit is earned and the credit is dropped. */
int viz_pace_due(viz_pace *p, uint32_t now_ms, bool paused);
/* The caller showed n days (n <= the days due, or 1 for a step). */
void viz_pace_shown(viz_pace *p, int n, uint32_t now_ms);

#endif
