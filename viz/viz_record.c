/* viz_record.c: replay to video through ffmpeg (see viz_record.h).
 *
 * Invariant: every frame written is exactly w x h x 4 bytes (RGB888 as
 * bgr0), rows copied without the surface's padding. Cost: one software
 * frame per 1/30 s of video plus the encoder's work.
 */
#include "viz/viz_record.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "viz/viz_pace.h"
#include "viz/viz_text.h"

static bool executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

bool viz_record_encoder(char *path, size_t path_len, char *why, size_t why_len)
{
    const char *env = getenv("ECNYSIM_FFMPEG");
    if (env && env[0]) {
        snprintf(path, path_len, "%s", env);
        if (executable(path))
            return true;
        snprintf(why, why_len, "ECNYSIM_FFMPEG=%s is not an executable file", env);
        return false;
    }
    const char *p = getenv("PATH");
    while (p && *p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(path, path_len, "%.*s/ffmpeg", (int)n, p);
        if (n && executable(path))
            return true;
        p = colon ? colon + 1 : NULL;
    }
    snprintf(why, why_len, "--record needs ffmpeg to encode the video: install it (apt-get install -y ffmpeg) "
                           "or set ECNYSIM_FFMPEG");
    return false;
}

/* out in single quotes for the shell, or false when it holds a quote. */
static bool quoted(const char *in, char *out, size_t len)
{
    if (strchr(in, '\'') || strlen(in) + 3 > len)
        return false;
    snprintf(out, len, "'%s'", in);
    return true;
}

bool viz_record(const viz_series *s, const viz_state *st0, int w, int h, double speed_days_s, const char *out,
                int *frames, char *why, size_t why_len)
{
    *frames = 0;
    const char *dot = strrchr(out, '.');
    bool gif = dot && strcmp(dot, ".gif") == 0, mp4 = dot && strcmp(dot, ".mp4") == 0;
    if (!gif && !mp4) {
        snprintf(why, why_len, "--record '%s': expected a file name ending in .mp4 or .gif", out);
        return false;
    }
    char enc[4096], qenc[4200], qout[4200], cmd[9000];
    if (!viz_record_encoder(enc, sizeof enc, why, why_len))
        return false;
    if (!quoted(enc, qenc, sizeof qenc) || !quoted(out, qout, sizeof qout)) {
        snprintf(why, why_len, "--record '%s': a file name without quotes, please", out);
        return false;
    }
    snprintf(cmd, sizeof cmd,
             "%s -loglevel error -y -f rawvideo -pix_fmt bgr0 -s %dx%d -r %d -i - %s %s", qenc, w, h,
             VIZ_RECORD_FPS,
             gif ? "-vf 'split[a][b];[a]palettegen[p];[b][p]paletteuse'" : "-pix_fmt yuv420p -c:v libx264",
             qout);
    viz_text *t = viz_text_open(1, why, why_len);
    if (!t)
        return false;
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    FILE *pipe = r ? popen(cmd, "w") : NULL;
    bool ok = pipe != NULL;
    if (!r)
        snprintf(why, why_len, "cannot make a %dx%d drawing surface: %s", w, h, SDL_GetError());
    else if (!pipe)
        snprintf(why, why_len, "cannot start %s", enc);
    viz_state st = *st0;
    viz_pace pace;
    uint32_t clock_ms = 0;
    viz_pace_init(&pace, speed_days_s, clock_ms);
    int n = viz_series_days(s), hold = 0;
    st.day_index = n ? 0 : -1;
    while (ok && hold < VIZ_RECORD_FPS) {
        viz_draw(r, t, s, &st, w, h);
        SDL_RenderPresent(r);
        for (int y = 0; y < h && ok; y++)
            ok = fwrite((const Uint8 *)surf->pixels + (size_t)y * (size_t)surf->pitch, 4, (size_t)w, pipe) ==
                 (size_t)w;
        if (!ok)
            snprintf(why, why_len, "%s stopped taking frames", enc);
        (*frames)++;
        clock_ms += 1000 / VIZ_RECORD_FPS;
        int due = viz_pace_due(&pace, clock_ms, false);
        if (st.day_index >= n - 1) {
            hold++;
        } else if (due > 0) {
            int step = due < n - 1 - st.day_index ? due : n - 1 - st.day_index;
            st.day_index += step;
            viz_pace_shown(&pace, step, clock_ms);
        }
    }
    if (pipe) {
        int rc = pclose(pipe);
        if (ok && !(WIFEXITED(rc) && WEXITSTATUS(rc) == 0)) {
            snprintf(why, why_len, "%s failed (status %d) writing %s", enc, WIFEXITED(rc) ? WEXITSTATUS(rc) : -1,
                     out);
            ok = false;
        }
    }
    if (!ok)
        remove(out);
    if (r)
        SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    viz_text_close(t);
    return ok;
}
