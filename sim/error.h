/* error.h: the error record every loader and writer fills (prefix err_).
 *
 * Operating errors (bad scenario, bad data, I/O, capacity) are collected, not
 * printed where they happen, so a loader can report every problem in a file
 * at once and the caller decides where messages go. Each message is one line
 * in the GNU form "FILE:LINE: what is wrong (what was expected)"; err_print
 * adds the "ecnysim: " prefix. At most ERR_MAX messages are kept; the rest
 * are counted.
 *
 * Every message has a kind (err_add: input; err_add_kind: any), and the
 * record keeps the kind that decides the program's exit status
 * (err_exit_status): a failure of the run itself (I/O, memory, a broken
 * invariant, an interruption) outranks a bad input or usage, whatever the
 * order the messages came in, so a loader that runs out of memory half-way
 * through a file is never reported as a bad file. The exit status is never
 * read from the message text.
 */
#ifndef ECNYSIM_ERROR_H
#define ECNYSIM_ERROR_H

#include <stdio.h>

#define ERR_MAX 64
#define ERR_MSG_LEN 512

/* What went wrong, and so the exit status (README "Exit status"): 2 for
 * usage and input, 1 for the others. */
typedef enum {
    ERR_NONE = 0,    /* no message yet */
    ERR_USAGE,       /* the command line: a flag, a results folder of another kind */
    ERR_INPUT,       /* a scenario, a data file, a results folder read back */
    ERR_IO,          /* reading or writing failed: a disk full, a device error */
    ERR_MEMORY,      /* an allocation failed */
    ERR_INVARIANT,   /* a broken ledger invariant: a defect, not an input */
    ERR_INTERRUPTED, /* SIGINT or SIGTERM stopped the run */
} err_kind;

typedef struct {
    int count;                    /* messages reported, kept or not */
    err_kind kind;                /* the kind that decides the exit status (ERR_NONE: none) */
    char msg[ERR_MAX][ERR_MSG_LEN];
} err_list;

void err_init(err_list *e);
/* Adds one message of kind ERR_INPUT (printf format). Never fails: past
 * ERR_MAX it only counts (and still weighs in the record's kind). */
void err_add(err_list *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds one message of the given kind; the same contract as err_add. */
void err_add_kind(err_list *e, err_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The record's exit status: 0 when it holds no message, 2 when its kind is
 * usage or input, 1 otherwise. */
int err_exit_status(const err_list *e);
/* A kind's name for messages and tests: "input", "memory" ... */
const char *err_kind_name(err_kind kind);
/* Prints every kept message, one per line, prefixed "ecnysim: ". */
void err_print(const err_list *e, FILE *to);

#endif
