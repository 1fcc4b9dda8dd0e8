/*
 * rlsc.h — every header of rlsc, for the driver and the tests.
 *
 * A compilation reads .rls files into an AST (parser/), resolves and checks
 * names and command rules, lowers the AST to the policy IR (lang/), and
 * emits SQL from the IR (codegen/).  Everything a compilation allocates
 * lives in one Arena, freed in one call; there is no global state.
 *
 * Module prefixes: arena_ sb_ map_ vec_ (util), diag_ (diagnostics),
 * parse_ (parser), ast_ (AST), sqlfmt_ (SQL text), resolve_ (names and
 * rules), lower_ (AST -> IR), ir_ (IR), emit_ (codegen), compile_ (driver).
 */
#ifndef RLSC_H
#define RLSC_H

/* One header per stage; a stage includes only what it uses:
 *   util.h diag.h cmd.h     everyone
 *   types.h ast.h           parser/ and lang/ front end
 *   catalog.h compile.h     lang/
 *   ir.h codegen.h          codegen/ (never ast.h)
 */
#include "util.h"
#include "diag.h"
#include "cmd.h"
#include "types.h"
#include "ast.h"
#include "catalog.h"
#include "ir.h"
#include "compile.h"
#include "codegen.h"

#endif
