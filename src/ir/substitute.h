// Variable substitution and variable queries over expressions and statements.
//
// Variables are identified by node (`const VarNode*`), never by name: two
// variables that happen to share a name are different variables.
#pragma once

#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/stmt.h"

namespace weft::ir {

using VarMap = std::unordered_map<const VarNode*, Expr>;
using VarSet = std::unordered_set<const VarNode*>;

// Replaces every use of a mapped variable by its expression. The replacement
// must have the variable's dtype (IRError otherwise: a substitution must not
// change the type of any node). Definitions are left alone: a loop variable or a
// block iterator keeps its Var even if the map names it; only its uses change.
// Unchanged subtrees are shared with the input.
Expr substitute(const Expr& e, const VarMap& map);
Stmt substitute(const Stmt& s, const VarMap& map);
BufferRegion substitute(const BufferRegion& region, const VarMap& map);

// True if `var` occurs in `e`.
bool uses_var(const Expr& e, const VarNode* var);
inline bool uses_var(const Expr& e, const Var& var) { return uses_var(e, var.get()); }
// True if any variable of `vars` occurs in `e`.
bool uses_any_var(const Expr& e, const VarSet& vars);

// The distinct variables of `e` in order of first appearance (left to right,
// depth first), so the result is deterministic.
std::vector<Var> collect_vars(const Expr& e);
// Every variable a statement uses (not the ones it only defines).
VarSet vars_used(const Stmt& s);

}  // namespace weft::ir
