/* viz_view.h: the interactive window (prefix viz_view_).
 *
 * Live: the run calls viz_view_live_day after every simulated day; the view
 * copies the frame into its series, draws, and holds the day until it is
 * due at the chosen speed (simulated days per second, independent of the
 * frame rate) or, while paused, until a step or resume. Replay, and the end
 * of a live run: viz_view_play moves a cursor over the series. The view only
 * reads frames; it never changes the run. Only this file opens windows.
 */
#ifndef ECNYSIM_VIZ_VIEW_H
#define ECNYSIM_VIZ_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/snapshot.h"
#include "viz/viz_series.h"

/* The smallest window: below it panels would overlap. */
#define VIZ_VIEW_MIN_W 960
#define VIZ_VIEW_MIN_H 540

typedef struct viz_view viz_view;

typedef struct {
    const char *title;  /* scenario name */
    const char *mode;   /* "LIVE" or "REPLAY" */
    bool exit_at_end;   /* close when the last day has been shown */
    double speed_days_s; /* VIZ_PACE_MIN to VIZ_PACE_MAX; 0: the default (8) */
} viz_view_opts;

/* Opens a resizable window drawing series s (borrowed; it must outlive the
 * view; a live view adds to it). NULL with a message in why when there is
 * no display or SDL fails. */
viz_view *viz_view_open(const viz_view_opts *o, viz_series *s, char *why, size_t why_len);
void viz_view_close(viz_view *v); /* NULL is fine */
/* The time axis, first and last calendar day of the run. */
void viz_view_set_axis(viz_view *v, int32_t first_day, int32_t last_day);
/* Live: adds the frame, draws, waits until the next day is due. Returns
 * false when the user asked to quit (the run should stop). */
bool viz_view_live_day(viz_view *v, const snap_frame *f);
/* Plays the series from the cursor (from the first day when from_start)
 * until the user quits, or, with exit_at_end, until the last day is shown. */
void viz_view_play(viz_view *v, bool from_start);
bool viz_view_quit_requested(const viz_view *v);
/* The cursor (index of the day shown), -1 before the first day. */
int viz_view_day_index(const viz_view *v);

#endif
