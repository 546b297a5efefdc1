/* schema.h: the scenario schema of ecnysim's models (see schema.c). */
#ifndef ECNYSIM_MODELS_SCHEMA_H
#define ECNYSIM_MODELS_SCHEMA_H

#include "sim/scenario.h"

extern const scn_schema ecny_schema;

#endif
