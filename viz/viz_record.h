/* viz_record.h: a replay recorded to a video file (prefix viz_record_).
 *
 * Frames are drawn headless (software renderer on an RGB888 surface, no
 * display) at 30 per second of video, the cursor moved by the same pacing
 * as the window (viz_pace) on a made-up clock, and piped as raw video to a
 * Debian encoder, ffmpeg: .mp4 (H.264, yuv420p) or .gif (its own palette).
 * The last day is held for a second.
 */
#ifndef ECNYSIM_VIZ_RECORD_H
#define ECNYSIM_VIZ_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "viz/viz_draw.h"

#define VIZ_RECORD_FPS 30

/* The encoder: $ECNYSIM_FFMPEG, else ffmpeg from PATH. False (and a message
 * naming the package in why) when there is none. */
bool viz_record_encoder(char *path, size_t path_len, char *why, size_t why_len);
/* Records the whole series from its first day at speed_days_s to out (.mp4
 * or .gif) at w x h; *frames receives the frames written. False with the
 * reason in why (no encoder, a bad extension, the encoder failing). */
bool viz_record(const viz_series *s, const viz_state *st, int w, int h, double speed_days_s, const char *out,
                int *frames, char *why, size_t why_len);

#endif
