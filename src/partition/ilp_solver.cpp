#include "partition/ilp_solver.h"

#include <glpk.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <numeric>

#include "partition/greedy.h"
#include "support/error.h"

namespace weft::partition {
namespace {

// Builds the GLPK program row by row; columns are 1-based as GLPK wants.
class Program {
 public:
  Program() : lp_(glp_create_prob(), glp_delete_prob) { glp_set_obj_dir(lp_.get(), GLP_MAX); }

  int binary(double objective = 0) {
    int c = glp_add_cols(lp_.get(), 1);
    glp_set_col_kind(lp_.get(), c, GLP_BV);
    glp_set_obj_coef(lp_.get(), c, objective);
    ++binaries_;
    return c;
  }
  int continuous(double lo, double hi, double objective = 0) {
    int c = glp_add_cols(lp_.get(), 1);
    glp_set_col_bnds(lp_.get(), c, lo < hi ? GLP_DB : GLP_FX, lo, hi);
    glp_set_obj_coef(lp_.get(), c, objective);
    return c;
  }
  void fix(int column, double value) { glp_set_col_bnds(lp_.get(), column, GLP_FX, value, value); }
  // lo <= Σ coef·col <= hi (either bound may be infinite).
  void row(const std::vector<std::pair<int, double>>& terms, double lo, double hi) {
    int r = glp_add_rows(lp_.get(), 1);
    bool has_lo = lo > -1e300, has_hi = hi < 1e300;
    int type = has_lo && has_hi ? (lo == hi ? GLP_FX : GLP_DB) : has_lo ? GLP_LO : has_hi ? GLP_UP : GLP_FR;
    glp_set_row_bnds(lp_.get(), r, type, has_lo ? lo : 0, has_hi ? hi : 0);
    std::vector<int> idx{0};
    std::vector<double> val{0};
    for (const auto& [c, v] : terms) idx.push_back(c), val.push_back(v);
    glp_set_mat_row(lp_.get(), r, static_cast<int>(terms.size()), idx.data(), val.data());
  }
  glp_prob* get() { return lp_.get(); }
  int binaries() const { return binaries_; }

 private:
  std::unique_ptr<glp_prob, decltype(&glp_delete_prob)> lp_;
  int binaries_ = 0;
};

constexpr double kInf = 1e301;

// Longest-path level of every kernel in the kernel graph (acyclic by check_assignment).
std::vector<int> kernel_levels(const Problem& p, const Assignment& a) {
  std::vector<std::vector<int>> succ(a.num_kernels);
  std::vector<int> indegree(a.num_kernels, 0), level(a.num_kernels, 0), ready;
  for (const Edge& e : p.edges) {
    int s = a.kernel_of[e.from], t = a.kernel_of[e.to];
    if (s != t) succ[s].push_back(t), ++indegree[t];
  }
  for (int k = 0; k < a.num_kernels; ++k)
    if (indegree[k] == 0) ready.push_back(k);
  while (!ready.empty()) {
    int k = ready.back();
    ready.pop_back();
    for (int t : succ[k]) {
      level[t] = std::max(level[t], level[k] + 1);
      if (--indegree[t] == 0) ready.push_back(t);
    }
  }
  return level;
}

struct HeuristicStart {
  std::vector<double> values;  // 1-based by column
  bool offered = false;
};

void offer_start(glp_tree* tree, void* info) {
  auto* start = static_cast<HeuristicStart*>(info);
  if (glp_ios_reason(tree) != GLP_IHEUR || start->offered) return;
  start->offered = true;
  glp_ios_heur_sol(tree, start->values.data());
}

}  // namespace

std::string_view ilp_status_name(IlpStatus status) {
  switch (status) {
    case IlpStatus::optimal: return "optimal";
    case IlpStatus::time_limit: return "time limit";
    case IlpStatus::infeasible: return "infeasible";
  }
  return "?";
}

IlpResult solve_ilp(const Problem& p, const IlpOptions& options) {
  auto start = std::chrono::steady_clock::now();
  const int n = static_cast<int>(p.units.size());
  // Labels: one per free main unit, then the "no main op" label.
  std::vector<int> label_of_main(n, -1);
  int labels = 0;
  for (int i = 0; i < n; ++i)
    if (p.units[i].main && !p.units[i].fixed) label_of_main[i] = labels++;
  const int none = labels++;
  auto allowed = [&](int i, int s) { return !p.units[i].fixed && (label_of_main[i] < 0 || label_of_main[i] == s); };

  int64_t max_bytes = 1;
  for (const Edge& e : p.edges) max_bytes = std::max(max_bytes, e.bytes);
  for (const Problem::Value& v : p.values) max_bytes = std::max(max_bytes, v.bytes);

  Program lp;
  // x[s][i]
  std::vector<std::vector<int>> x(labels, std::vector<int>(n, 0));
  for (int i = 0; i < n; ++i) {
    if (p.units[i].fixed) continue;
    std::vector<std::pair<int, double>> one;
    for (int s = 0; s < labels; ++s)
      if (allowed(i, s)) one.emplace_back(x[s][i] = lp.binary(), 1.0);
    lp.row(one, 1, 1);
  }
  // z[e] = (label, column) pairs of the edge's fused indicators.
  std::vector<std::vector<std::pair<int, int>>> z(p.edges.size());
  for (size_t ei = 0; ei < p.edges.size(); ++ei) {
    const Edge& e = p.edges[ei];
    if (!e.fusible) continue;
    double weight = static_cast<double>(e.bytes) / static_cast<double>(max_bytes);
    for (int s = 0; s < labels; ++s) {
      if (!allowed(e.from, s) || !allowed(e.to, s)) continue;
      int c = lp.binary(weight);
      z[ei].emplace_back(s, c);
      lp.row({{c, 1}, {x[s][e.from], -1}}, -kInf, 0);
      lp.row({{c, 1}, {x[s][e.to], -1}}, -kInf, 0);
    }
  }
  auto fused = [&](size_t ei, double coef, std::vector<std::pair<int, double>>& terms) {
    for (const auto& [s, c] : z[ei]) terms.emplace_back(c, coef);
  };
  // A value is written (o = 1) unless every reading edge is fused: o >= 1 - fused(e).
  std::vector<std::pair<int, const Problem::Value*>> written;
  for (const Problem::Value& v : p.values) {
    bool constant = false;
    for (int e : v.edges) constant = constant || z[e].empty();
    if (constant) continue;  // some reader can never be fused: written anyway
    // Continuous suffices: for integral fused indicators the optimum makes o integral.
    int o = lp.continuous(0, 1, -static_cast<double>(v.bytes) / static_cast<double>(max_bytes));
    written.emplace_back(o, &v);
    for (int e : v.edges) {
      std::vector<std::pair<int, double>> t{{o, 1}};
      fused(e, 1, t);
      lp.row(t, 1, kInf);
    }
  }
  // Order potentials and acyclicity.
  std::vector<int> pi(n);
  for (int i = 0; i < n; ++i) pi[i] = lp.continuous(0, std::max(0, n - 1));
  for (size_t ei = 0; ei < p.edges.size(); ++ei) {
    const Edge& e = p.edges[ei];
    std::vector<std::pair<int, double>> lower{{pi[e.to], 1}, {pi[e.from], -1}};
    fused(ei, 1, lower);
    lp.row(lower, 1, kInf);  // π[to] - π[from] + fused >= 1
    if (z[ei].empty()) continue;
    std::vector<std::pair<int, double>> upper{{pi[e.to], 1}, {pi[e.from], -1}};
    fused(ei, n, upper);
    lp.row(upper, -kInf, n);  // fused: π[to] <= π[from]
  }
  // Forced edges, RNG with a consumer, exclusive pairs.
  std::vector<std::vector<std::pair<int, double>>> rng_terms(n);
  for (size_t ei = 0; ei < p.edges.size(); ++ei) {
    const Edge& e = p.edges[ei];
    if (e.forced) {
      std::vector<std::pair<int, double>> t;
      fused(ei, 1, t);
      lp.row(t, 1, 1);
    }
    if (e.fusible && p.units[e.from].rng) fused(ei, 1, rng_terms[e.from]);
  }
  for (int i = 0; i < n; ++i)
    if (!rng_terms[i].empty()) lp.row(rng_terms[i], 1, kInf);
  for (const auto& [a, b] : p.exclusive) {
    std::vector<std::pair<int, double>> t;
    fused(a, 1, t);
    fused(b, 1, t);
    if (!t.empty()) lp.row(t, -kInf, 1);
  }
  // Symmetry breaking: a non-main unit wears label s only when fused under s.
  std::vector<std::vector<std::vector<std::pair<int, double>>>> under(labels, std::vector<std::vector<std::pair<int, double>>>(n));
  for (size_t ei = 0; ei < p.edges.size(); ++ei)
    for (const auto& [s, c] : z[ei]) {
      under[s][p.edges[ei].from].emplace_back(c, -1);
      under[s][p.edges[ei].to].emplace_back(c, -1);
    }
  for (int s = 0; s < none; ++s)
    for (int i = 0; i < n; ++i) {
      if (!x[s][i] || p.units[i].main) continue;
      std::vector<std::pair<int, double>> t = under[s][i];
      t.emplace_back(x[s][i], 1);
      lp.row(t, -kInf, 0);
    }
  for (int i = 0; i < n; ++i)
    if (label_of_main[i] >= 0) lp.fix(x[label_of_main[i]][i], 1);

  IlpResult result;
  result.columns = glp_get_num_cols(lp.get());
  result.rows = glp_get_num_rows(lp.get());
  result.binaries = lp.binaries();
  // Greedy fusion's solution becomes the first incumbent (GLPK's heuristic
  // callback), so branch and bound starts from a good bound.
  Assignment greedy = greedy_fusion(p);
  std::vector<int> level = kernel_levels(p, greedy);
  std::vector<double> first(result.columns + 1, 0.0);
  std::vector<int> kernel_label(greedy.num_kernels, none);
  for (int i = 0; i < n; ++i)
    if (label_of_main[i] >= 0) kernel_label[greedy.kernel_of[i]] = label_of_main[i];
  auto inside = [&](const Edge& e) { return greedy.kernel_of[e.from] == greedy.kernel_of[e.to]; };
  for (int i = 0; i < n; ++i) {
    if (!p.units[i].fixed) first[x[kernel_label[greedy.kernel_of[i]]][i]] = 1;
    first[pi[i]] = level[greedy.kernel_of[i]];
  }
  for (size_t ei = 0; ei < p.edges.size(); ++ei)
    for (const auto& [s, c] : z[ei])
      if (inside(p.edges[ei]) && s == kernel_label[greedy.kernel_of[p.edges[ei].from]]) first[c] = 1;
  for (const auto& [o, v] : written)
    for (int e : v->edges) first[o] = std::max(first[o], inside(p.edges[e]) ? 0.0 : 1.0);
  HeuristicStart heuristic{first, false};

  glp_smcp simplex;
  glp_init_smcp(&simplex);
  simplex.msg_lev = GLP_MSG_OFF;
  glp_iocp parm;
  glp_init_iocp(&parm);
  parm.presolve = GLP_OFF;  // the callback's solution is in the original columns
  parm.mir_cuts = GLP_ON;
  parm.clq_cuts = GLP_ON;
  parm.cov_cuts = GLP_ON;
  parm.msg_lev = GLP_MSG_OFF;
  parm.mip_gap = options.relative_gap;
  parm.tm_lim = static_cast<int>(std::min(options.time_limit_s * 1000.0, 2e9));
  parm.cb_func = offer_start;
  parm.cb_info = &heuristic;
  int was_on = glp_term_out(GLP_OFF);  // the cut generators print despite msg_lev
  int ret = glp_simplex(lp.get(), &simplex);
  if (ret == 0 && glp_get_status(lp.get()) == GLP_OPT) ret = glp_intopt(lp.get(), &parm);
  else ret = GLP_ENOPFS;
  glp_term_out(was_on);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int status = glp_mip_status(lp.get());
  if (ret == GLP_ETMLIM || ret == GLP_EMIPGAP) {
    result.status = IlpStatus::time_limit;
    return result;
  }
  if (ret == GLP_ENOPFS || ret == GLP_ENODFS || status == GLP_NOFEAS) return result;  // infeasible
  if (ret != 0 || status != GLP_OPT)
    throw InternalError("GLPK failed on a partition component (glp_intopt returned " + std::to_string(ret) +
                        ", status " + std::to_string(status) + ")");
  // Kernels: units joined by fused edges.
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (size_t ei = 0; ei < p.edges.size(); ++ei) {
    double w = 0;
    for (const auto& [s, c] : z[ei]) w += glp_mip_col_val(lp.get(), c);
    if (w > 0.5) parent[find(p.edges[ei].from)] = find(p.edges[ei].to);
  }
  std::vector<int> root(n);
  for (int i = 0; i < n; ++i) root[i] = find(i);
  result.assignment = normalise(root);
  result.status = IlpStatus::optimal;
  if (std::string broken = check_assignment(p, result.assignment); !broken.empty())
    throw InternalError("the partition ILP returned an invalid solution: " + broken);
  return result;
}

}  // namespace weft::partition
