/* viz_view.c: window, events and pacing (see viz_view.h).
 *
 * Pacing (viz_pace): elapsed time earns days at the chosen speed; replay
 * shows every whole day earned, several per frame when needed. The window
 * is redrawn when something changed, at most once per frame budget: 16 ms,
 * or twice the cost of the last redraw when that is longer, so drawing
 * takes at most a third of the time and a slow renderer lowers the frame
 * rate, not the simulated days per second. The header shows the achieved
 * rate. Events are pumped while a day is held, which is what makes pause
 * and step work inside the run's on_day hook. Invariant: the view never
 * writes to a frame.
 */
#include "viz/viz_view.h"

#include <SDL.h>
#include <stdio.h>
#include <string.h>

#include "sim/calendar.h"
#include "viz/viz_draw.h"
#include "viz/viz_pace.h"
#include "viz/viz_png.h"
#include "viz/viz_text.h"

#define REDRAW_MS 16u
#define NOTE_MS 4000u

struct viz_view {
    SDL_Window *win;
    SDL_Renderer *ren;
    viz_text *text;
    viz_series *s;
    viz_state st;
    viz_pace pace;
    bool exit_at_end, quit, step, dirty, live;
    Uint32 last_draw_ms, draw_cost_ms, note_ms;
    char title[128], mode[24], note[256];
};

viz_view *viz_view_open(const viz_view_opts *o, viz_series *s, char *why, size_t why_len)
{
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        snprintf(why, why_len, "no display for the window (SDL: %s); set DISPLAY, or render a PNG with "
                 "'ecnysim snapshot'", SDL_GetError());
        return NULL;
    }
    /* SDL falls back to its offscreen driver when there is no display: a
     * window nobody sees. Accept offscreen and dummy only when asked for. */
    const char *drv = SDL_GetCurrentVideoDriver(), *asked = SDL_getenv("SDL_VIDEODRIVER");
    if (drv && (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0) &&
        !(asked && SDL_strcasecmp(asked, drv) == 0)) {
        snprintf(why, why_len, "no display for the window (DISPLAY and WAYLAND_DISPLAY are not set); "
                 "render a PNG with 'ecnysim snapshot', or set SDL_VIDEODRIVER=dummy for a test");
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return NULL;
    }
    viz_view *v = SDL_calloc(1, sizeof *v);
    if (!v) {
        snprintf(why, why_len, "out of memory");
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        return NULL;
    }
    v->s = s;
    snprintf(v->title, sizeof v->title, "%s", o->title ? o->title : "");
    snprintf(v->mode, sizeof v->mode, "%s", o->mode ? o->mode : "LIVE");
    v->live = strcmp(v->mode, "LIVE") == 0;
    v->exit_at_end = o->exit_at_end;
    viz_state_init(&v->st);
    v->st.title = v->title;
    v->st.mode = v->mode;
    v->st.note = v->note;
    v->st.interactive = true;
    viz_pace_init(&v->pace, o->speed_days_s, SDL_GetTicks());
    v->st.speed_days_s = v->pace.speed_days_s;
    char caption[200];
    snprintf(caption, sizeof caption, "ecnysim · %s", v->title);
    v->win = SDL_CreateWindow(caption, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280, 720,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (v->win)
        SDL_SetWindowMinimumSize(v->win, VIZ_VIEW_MIN_W, VIZ_VIEW_MIN_H);
    if (v->win)
        v->ren = SDL_CreateRenderer(v->win, -1, SDL_RENDERER_PRESENTVSYNC);
    if (v->win && !v->ren)
        v->ren = SDL_CreateRenderer(v->win, -1, SDL_RENDERER_SOFTWARE);
    if (!v->ren) {
        snprintf(why, why_len, "cannot open a window (SDL: %s); without a display use 'ecnysim snapshot'",
                 SDL_GetError());
        viz_view_close(v);
        return NULL;
    }
    v->text = viz_text_open(1, why, why_len);
    if (!v->text) {
        viz_view_close(v);
        return NULL;
    }
    v->dirty = true;
    return v;
}

void viz_view_close(viz_view *v)
{
    if (!v)
        return;
    viz_text_close(v->text);
    if (v->ren)
        SDL_DestroyRenderer(v->ren);
    if (v->win)
        SDL_DestroyWindow(v->win);
    SDL_free(v);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

void viz_view_set_axis(viz_view *v, int32_t first_day, int32_t last_day)
{
    v->st.first_day = first_day;
    v->st.last_day = last_day;
}

bool viz_view_quit_requested(const viz_view *v)
{
    return v->quit;
}

int viz_view_day_index(const viz_view *v)
{
    return v->st.day_index;
}

static void draw(viz_view *v, bool force)
{
    Uint32 now = SDL_GetTicks();
    Uint32 budget = v->draw_cost_ms * 2 > REDRAW_MS ? v->draw_cost_ms * 2 : REDRAW_MS;
    if (v->note[0] && now - v->note_ms > NOTE_MS) {
        v->note[0] = '\0';
        v->dirty = true;
    }
    if (!force && (!v->dirty || now - v->last_draw_ms < budget))
        return;
    int w, h;
    SDL_GetRendererOutputSize(v->ren, &w, &h);
    v->st.speed_days_s = v->pace.speed_days_s;
    v->st.achieved_days_s = v->pace.achieved_days_s;
    viz_draw(v->ren, v->text, v->s, &v->st, w, h);
    SDL_RenderPresent(v->ren);
    v->last_draw_ms = SDL_GetTicks();
    v->draw_cost_ms = v->last_draw_ms - now;
    v->dirty = false;
}

static void set_note(viz_view *v, const char *text)
{
    snprintf(v->note, sizeof v->note, "%s", text);
    v->note_ms = SDL_GetTicks();
}

static void save_png(viz_view *v)
{
    int w, h, d = v->st.day_index;
    SDL_GetRendererOutputSize(v->ren, &w, &h);
    char date[CAL_DATE_LEN] = "start", path[256], why[512];
    if (d >= 0 && d < viz_series_days(v->s))
        cal_format(viz_series_day(v->s, d), date);
    snprintf(path, sizeof path, "ecnysim-%s-%s.png", v->title[0] ? v->title : "view", date);
    /* The saved picture is the snapshot of that date: no badge, no overlay. */
    viz_state st = v->st;
    st.help = false;
    st.note = NULL;
    st.interactive = false;
    st.paused = false;
    st.mode = "SNAPSHOT";
    char note[300];
    if (viz_png_save(v->s, &st, w, h, path, why, sizeof why))
        snprintf(note, sizeof note, "saved %s", path);
    else
        snprintf(note, sizeof note, "%s", why);
    set_note(v, note);
}

static void handle(viz_view *v, const SDL_Event *e)
{
    int n = viz_series_days(v->s);
    switch (e->type) {
    case SDL_QUIT:
        v->quit = true;
        break;
    case SDL_WINDOWEVENT:
        v->dirty = true;
        break;
    case SDL_MOUSEBUTTONDOWN: {
        if (e->button.button != SDL_BUTTON_LEFT)
            break;
        int w, h, ww, wh;
        SDL_GetRendererOutputSize(v->ren, &w, &h);
        SDL_GetWindowSize(v->win, &ww, &wh);
        int x = ww ? e->button.x * w / ww : e->button.x, y = wh ? e->button.y * h / wh : e->button.y;
        int32_t day = viz_timeline_day_at(v->text, v->s, &v->st, w, h, x, y);
        if (day >= 0) { /* the story's scrubber: jump to that day (what has been simulated of it) */
            int d = viz_series_index_of(v->s, day);
            if (!v->live && d >= 0) {
                v->st.day_index = d;
                v->st.paused = true;
            }
            v->dirty = true;
            break;
        }
        int hit = viz_hit_city(v->text, v->s, &v->st, w, h, x, y);
        v->st.selected = hit == v->st.selected ? -1 : hit;
        v->dirty = true;
        break;
    }
    case SDL_KEYDOWN:
        v->dirty = true;
        switch (e->key.keysym.sym) {
        case SDLK_q:
        case SDLK_ESCAPE:
            v->quit = true;
            break;
        case SDLK_SPACE:
            v->st.paused = !v->st.paused;
            break;
        case SDLK_RIGHT:
            v->step = true;
            v->st.paused = true;
            break;
        case SDLK_LEFT:
            if (!v->live && v->st.day_index > 0)
                v->st.day_index--;
            v->st.paused = true;
            break;
        case SDLK_PLUS:
        case SDLK_EQUALS:
        case SDLK_KP_PLUS:
            viz_pace_faster(&v->pace);
            break;
        case SDLK_MINUS:
        case SDLK_KP_MINUS:
            viz_pace_slower(&v->pace);
            break;
        case SDLK_TAB:
            v->st.metric = (viz_metric)((v->st.metric + ((e->key.keysym.mod & KMOD_SHIFT) ? VIZ_METRIC_COUNT - 1 : 1)) %
                                        VIZ_METRIC_COUNT);
            break;
        case SDLK_s:
            save_png(v);
            break;
        case SDLK_f: {
            bool full = (SDL_GetWindowFlags(v->win) & SDL_WINDOW_FULLSCREEN_DESKTOP) != 0;
            SDL_SetWindowFullscreen(v->win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
            break;
        }
        case SDLK_LEFTBRACKET:
            v->st.text_scale = v->st.text_scale > 0.75 ? v->st.text_scale - 0.1 : 0.7;
            break;
        case SDLK_RIGHTBRACKET:
            v->st.text_scale = v->st.text_scale < 1.55 ? v->st.text_scale + 0.1 : 1.6;
            break;
        case SDLK_PAGEDOWN:
            v->st.gauge_page++;
            break;
        case SDLK_PAGEUP:
            v->st.gauge_page = v->st.gauge_page > 0 ? v->st.gauge_page - 1 : 0;
            break;
        case SDLK_h:
            v->st.help = !v->st.help;
            break;
        case SDLK_HOME:
            if (!v->live && n)
                v->st.day_index = 0;
            v->st.paused = true;
            break;
        case SDLK_END:
            if (!v->live && n)
                v->st.day_index = n - 1;
            break;
        default:
            break;
        }
        break;
    default:
        break;
    }
}

static void pump(viz_view *v)
{
    SDL_Event e;
    while (SDL_PollEvent(&e))
        handle(v, &e);
}

bool viz_view_live_day(viz_view *v, const snap_frame *f)
{
    if (!viz_series_add_frame(v->s, f)) {
        set_note(v, "out of memory: the view stopped following the run");
        return !v->quit;
    }
    v->st.day_index = viz_series_days(v->s) - 1;
    v->dirty = true;
    for (;;) {
        pump(v);
        if (v->quit)
            return false;
        Uint32 now = SDL_GetTicks();
        if (v->step) {
            v->step = false;
            viz_pace_shown(&v->pace, 1, now);
            break;
        }
        if (viz_pace_due(&v->pace, now, v->st.paused) >= 1) {
            viz_pace_shown(&v->pace, 1, now);
            break;
        }
        draw(v, false);
        SDL_Delay(v->st.paused ? 10 : 1);
    }
    draw(v, false);
    return true;
}

void viz_view_play(viz_view *v, bool from_start)
{
    int n = viz_series_days(v->s);
    if (v->live) { /* the run has ended: the same keys now move through it */
        v->live = false;
        snprintf(v->mode, sizeof v->mode, "RUN ENDED");
    }
    if (from_start || v->st.day_index < 0)
        v->st.day_index = n ? 0 : -1;
    viz_pace_due(&v->pace, SDL_GetTicks(), true);
    v->dirty = true;
    draw(v, true);
    while (!v->quit) {
        pump(v);
        if (v->quit)
            break;
        bool at_end = v->st.day_index >= n - 1;
        Uint32 now = SDL_GetTicks();
        int due = viz_pace_due(&v->pace, now, v->st.paused || at_end);
        if (v->step) {
            v->step = false;
            if (!at_end)
                v->st.day_index++;
            v->dirty = true;
        } else if (due > 0 && !at_end) {
            int left = n - 1 - v->st.day_index, shown = due < left ? due : left;
            v->st.day_index += shown;
            viz_pace_shown(&v->pace, shown, now);
            v->dirty = true;
        }
        draw(v, false);
        if (v->exit_at_end && v->st.day_index >= n - 1) {
            draw(v, true);
            break;
        }
        SDL_Delay(2);
    }
}
