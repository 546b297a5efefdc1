/* rerun.c: provenance: 'ecnysim rerun DIR', which reproduces a results
 * folder from the command line its manifest records (cli_write_command,
 * cli/run.c) and proves it.
 *
 * Every manifest (a run's [run], a batch's [batch], a calibration's
 * [calibration]) holds 'command = "..."' (argv, each argument shell-quoted
 * when it needs it) and 'cwd = ...'. rerun splits the command back, drops
 * its --out, and executes it with this binary, from cwd, into a temporary
 * sibling folder (DIR/../.NAME.rerun-PID, with --quiet); then it compares
 * the two trees file by file, byte for byte. Manifests are compared without
 * their command, cwd and jobs lines (they name the other folder and the
 * process count, nothing else differs). The original is never touched.
 * Identical: the temporary folder is removed, exit 0. Different: it is kept
 * for inspection, each differing file is named, exit 1.
 * Cost: the original run again, plus reading both trees once.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/batch.h"

#define RR_PATH 4096
#define RR_MAX_ARGS 1024

/* Splits a command written by cli_write_command (sh quoting: '...', \x). */
static int split_command(const char *s, char **out, int max, char *buf, size_t buf_len)
{
    int n = 0;
    size_t b = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        if (n == max)
            return -1;
        out[n++] = buf + b;
        while (*s && *s != ' ') {
            if (*s == '\'') {
                for (s++; *s && *s != '\''; s++)
                    if (b + 1 < buf_len)
                        buf[b++] = *s;
                if (*s == '\'')
                    s++;
            } else if (*s == '\\' && s[1]) {
                if (b + 1 < buf_len)
                    buf[b++] = s[1];
                s += 2;
            } else {
                if (b + 1 < buf_len)
                    buf[b++] = *s;
                s++;
            }
        }
        if (b + 1 >= buf_len)
            return -1;
        buf[b++] = '\0';
    }
    return n;
}

/* Value of 'key = ...' on the first matching line of the manifest; quotes stripped. */
static bool manifest_value(const char *path, const char *key, char *out, size_t out_len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    static char line[65536];
    size_t klen = strlen(key);
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0)
            continue;
        char *p = line + klen;
        while (*p == ' ')
            p++;
        if (*p != '=')
            continue;
        p++;
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, "\r\n");
        p[n] = '\0';
        if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
            p[n - 1] = '\0';
            p++;
        }
        snprintf(out, out_len, "%s", p);
        found = true;
    }
    fclose(f);
    return found;
}

static bool ignorable_manifest_line(const char *line)
{
    return strncmp(line, "command =", 9) == 0 || strncmp(line, "cwd =", 5) == 0 || strncmp(line, "jobs =", 6) == 0;
}

static bool same_file(const char *a, const char *b, bool manifest)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    bool same = fa && fb;
    if (same && manifest) {
        static char la[65536], lb[65536];
        for (;;) {
            char *ra, *rb;
            do
                ra = fgets(la, sizeof la, fa);
            while (ra && ignorable_manifest_line(la));
            do
                rb = fgets(lb, sizeof lb, fb);
            while (rb && ignorable_manifest_line(lb));
            if (!ra || !rb) {
                same = !ra && !rb;
                break;
            }
            if (strcmp(la, lb) != 0) {
                same = false;
                break;
            }
        }
    } else if (same) {
        char ba[65536], bb[65536];
        for (;;) {
            size_t na = fread(ba, 1, sizeof ba, fa), nb = fread(bb, 1, sizeof bb, fb);
            if (na != nb || memcmp(ba, bb, na) != 0) {
                same = false;
                break;
            }
            if (na == 0)
                break;
        }
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

typedef struct {
    int files, differ;
} compare_count;

/* Compares every file under a/rel with b/rel (or only reports files of a
 * missing in b, when existence_only). Hidden entries are skipped. */
static void compare_tree(const char *a, const char *b, const char *rel, bool existence_only, compare_count *cc)
{
    char da[RR_PATH];
    snprintf(da, sizeof da, "%s%s%s", a, rel[0] ? "/" : "", rel);
    DIR *d = opendir(da);
    if (!d)
        return;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        names[n] = malloc(strlen(e->d_name) + 1);
        if (names[n])
            strcpy(names[n++], e->d_name);
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        char r[RR_PATH], pa[RR_PATH], pb[RR_PATH];
        snprintf(r, sizeof r, "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
        snprintf(pa, sizeof pa, "%s/%s", a, r);
        snprintf(pb, sizeof pb, "%s/%s", b, r);
        struct stat sa, sb;
        if (stat(pa, &sa) != 0)
            continue;
        bool in_b = stat(pb, &sb) == 0;
        if (S_ISDIR(sa.st_mode)) {
            if (!in_b || !S_ISDIR(sb.st_mode)) {
                fprintf(stderr, "ecnysim: rerun: %s/ %s\n", r, existence_only ? "was not in the original" : "is missing from the rerun");
                cc->differ++;
            } else {
                compare_tree(a, b, r, existence_only, cc);
            }
        } else if (!in_b) {
            fprintf(stderr, "ecnysim: rerun: %s %s\n", r, existence_only ? "was not in the original" : "is missing from the rerun");
            cc->differ++;
        } else if (!existence_only) {
            cc->files++;
            if (!same_file(pa, pb, strcmp(names[i], "manifest.ini") == 0)) {
                fprintf(stderr, "ecnysim: rerun: %s differs\n", r);
                cc->differ++;
            }
        }
        free(names[i]);
    }
    free(names);
}

int cli_rerun(int argc, char **argv)
{
    const char *dir = NULL;
    bool keep = false;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--keep") == 0)
            keep = true;
        else if (argv[i][0] == '-' || dir) {
            fprintf(stderr, "ecnysim: rerun: unexpected '%s': expected 'ecnysim rerun DIR [--keep]'\n", argv[i]);
            return EXIT_BADINPUT;
        } else
            dir = argv[i];
    }
    if (!dir) {
        fprintf(stderr, "ecnysim: rerun needs a results folder: expected 'ecnysim rerun DIR [--keep]'\n");
        return EXIT_BADINPUT;
    }
    char abs_dir[PATH_MAX], manifest[RR_PATH];
    if (!realpath(dir, abs_dir)) {
        fprintf(stderr, "ecnysim: rerun: %s: %s\n", dir, strerror(errno));
        return EXIT_BADINPUT;
    }
    snprintf(manifest, sizeof manifest, "%s/manifest.ini", abs_dir);
    static char command[65536], buf[65536];
    char cwd[RR_PATH] = "", version[64] = "", status[64] = "";
    if (!manifest_value(manifest, "command", command, sizeof command)) {
        fprintf(stderr, "ecnysim: rerun: %s: no 'command = ...' line: expected the manifest of an ecnysim results "
                        "folder\n", manifest);
        return EXIT_BADINPUT;
    }
    manifest_value(manifest, "cwd", cwd, sizeof cwd);
    manifest_value(manifest, "version", version, sizeof version);
    manifest_value(manifest, "status", status, sizeof status);
    if (version[0] && strcmp(version, ECNYSIM_VERSION) != 0)
        fprintf(stderr, "ecnysim: rerun: warning: made by version %s, this is %s: results may differ\n", version,
                ECNYSIM_VERSION);
    if (strcmp(status, "complete") != 0)
        fprintf(stderr, "ecnysim: rerun: warning: the folder's status is '%s', not complete\n", status);
    char *args[RR_MAX_ARGS];
    int n = split_command(command, args, RR_MAX_ARGS - 8, buf, sizeof buf);
    if (n < 2) {
        fprintf(stderr, "ecnysim: rerun: %s: cannot read the command '%s'\n", manifest, command);
        return EXIT_BADINPUT;
    }
    char tmp[RR_PATH + 64], parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", abs_dir);
    char *slash = strrchr(parent, '/');
    const char *base = slash ? slash + 1 : parent;
    if (slash == parent)
        snprintf(tmp, sizeof tmp, "/.%s.rerun-%ld", base, (long)getpid());
    else {
        *slash = '\0';
        snprintf(tmp, sizeof tmp, "%s/.%s.rerun-%ld", parent, base, (long)getpid());
    }
    char *nargv[RR_MAX_ARGS];
    int nn = 0;
    char exe[PATH_MAX];
    ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (el > 0)
        exe[el] = '\0';
    else
        snprintf(exe, sizeof exe, "%s", argv[0]);
    nargv[nn++] = exe;
    for (int i = 1; i < n; i++) {
        if (strcmp(args[i], "--out") == 0) {
            i++;
            continue;
        }
        if (strcmp(args[i], "--quiet") == 0 || strcmp(args[i], "-q") == 0)
            continue;
        nargv[nn++] = args[i];
    }
    nargv[nn++] = "--out";
    nargv[nn++] = tmp;
    nargv[nn++] = "--quiet";
    nargv[nn] = NULL;
    fprintf(stderr, "ecnysim: rerun: %s%s%s\n", cwd[0] ? "from " : "", cwd, cwd[0] ? ":" : "");
    for (int i = 0; i < nn; i++)
        fprintf(stderr, "%s%s", i ? " " : "  ", nargv[i]);
    fputc('\n', stderr);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "ecnysim: rerun: cannot start: %s\n", strerror(errno));
        return EXIT_RUNTIME;
    }
    if (pid == 0) {
        if (cwd[0] && chdir(cwd) != 0) {
            fprintf(stderr, "ecnysim: rerun: cannot enter the recorded folder %s: %s\n", cwd, strerror(errno));
            _exit(EXIT_RUNTIME);
        }
        execv(exe, nargv);
        fprintf(stderr, "ecnysim: rerun: cannot run %s: %s\n", exe, strerror(errno));
        _exit(EXIT_RUNTIME);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : EXIT_RUNTIME;
    if (code != 0) {
        fprintf(stderr, "ecnysim: rerun: the recorded command failed (exit status %d)\n", code);
        bat_remove_tree(tmp);
        return EXIT_RUNTIME;
    }
    compare_count cc = {0, 0};
    compare_tree(abs_dir, tmp, "", false, &cc);
    compare_tree(tmp, abs_dir, "", true, &cc);
    if (cc.differ) {
        fprintf(stderr, "ecnysim: rerun: %d of %d files differ; the rerun is kept in %s\n", cc.differ, cc.files, tmp);
        return EXIT_RUNTIME;
    }
    if (keep)
        fprintf(stderr, "ecnysim: rerun: kept in %s\n", tmp);
    else
        bat_remove_tree(tmp);
    printf("%s: reproduced: %d files byte-identical (manifests without their command, cwd and jobs lines)\n", dir,
           cc.files);
    return EXIT_OK;
}
