#include "costmodel/xgboost_model.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "costmodel/xgb_booster.h"
#include "support/error.h"
#include "support/log.h"

namespace weft::costmodel {

namespace {

const char* const kBlobName = "xgb cost model blob";
const char* const kMagic = "weft-costmodel xgb v1";

// Rows of every program, one after the other; `owner[r]` is row r's program.
struct Rows {
  std::vector<float> values;
  std::vector<size_t> owner;
};

Rows flatten(const std::vector<const ProgramFeatures*>& programs) {
  Rows rows;
  const size_t width = static_cast<size_t>(num_features());
  for (size_t p = 0; p < programs.size(); ++p)
    for (const StoreFeatures& store : *programs[p]) {
      if (store.size() != width)
        throw UsageError("cost model: a store has " + std::to_string(store.size()) + " features, expected " +
                         std::to_string(width) + " (feature version " + std::to_string(kFeatureVersion) + ")");
      rows.values.insert(rows.values.end(), store.begin(), store.end());
      rows.owner.push_back(p);
    }
  return rows;
}

// gflops / best gflops of the same task; 0 for failed candidates and tasks
// without a success.
std::vector<double> normalised_labels(const std::vector<Sample>& samples) {
  std::map<std::string, double> best;
  for (const Sample& s : samples) best[s.task] = std::max(best[s.task], s.gflops);
  std::vector<double> labels;
  for (const Sample& s : samples) {
    double b = best[s.task];
    labels.push_back(b > 0 && s.gflops > 0 ? s.gflops / b : 0);
  }
  return labels;
}

}  // namespace

XGBoostModel::XGBoostModel(uint64_t seed, XGBoostParams params)
    : params_(params), seed_(seed), fallback_(seed) {}

XGBoostModel::~XGBoostModel() = default;

std::vector<double> XGBoostModel::predict(const std::vector<ProgramFeatures>& programs) {
  if (!booster_) return fallback_.predict(programs);
  std::vector<const ProgramFeatures*> ptrs;
  for (const ProgramFeatures& p : programs) ptrs.push_back(&p);
  Rows rows = flatten(ptrs);
  std::vector<double> scores(programs.size(), 0.0);
  if (rows.owner.empty()) return scores;
  xgb::DMatrix data(rows.values, rows.owner.size(), static_cast<size_t>(num_features()));
  std::vector<float> per_store = booster_->predict(data, false);
  for (size_t r = 0; r < per_store.size(); ++r) scores[rows.owner[r]] += per_store[r];
  return scores;
}

void XGBoostModel::update(const std::vector<Sample>& samples) {
  samples_.insert(samples_.end(), samples.begin(), samples.end());
  size_t n = samples_.size();
  if (n < params_.min_samples) return;
  if (trained_on_ > 0 && static_cast<double>(n) < params_.retrain_growth * static_cast<double>(trained_on_)) return;
  train();
}

void XGBoostModel::train() {
  std::vector<const ProgramFeatures*> programs;
  std::vector<double> labels_all = normalised_labels(samples_);
  std::vector<double> labels;
  for (size_t i = 0; i < samples_.size(); ++i)
    if (!samples_[i].features.empty()) {
      programs.push_back(&samples_[i].features);
      labels.push_back(labels_all[i]);
    }
  if (programs.size() < 2)
    throw UsageError("cost model: cannot train on " + std::to_string(programs.size()) + " program(s) with stores");
  Rows rows = flatten(programs);
  xgb::DMatrix data(rows.values, rows.owner.size(), static_cast<size_t>(num_features()));
  std::vector<double> stores_of(programs.size(), 0);
  for (size_t p : rows.owner) stores_of[p] += 1;

  auto booster = std::make_unique<xgb::Booster>(std::map<std::string, std::string>{
      {"booster", "gbtree"},
      {"tree_method", "exact"},
      {"max_depth", std::to_string(params_.max_depth)},
      {"eta", std::to_string(params_.eta)},
      {"min_child_weight", std::to_string(params_.min_child_weight)},
      {"nthread", std::to_string(params_.nthread)},
      {"seed", std::to_string(seed_ % 2147483647)},
      {"base_score", "0"},  // a program's score is a sum over its stores, so start each at 0
      {"verbosity", "0"},
  }, &data);
  // Squared error of the per-program sum: every store of program p gets the
  // gradient (sum_p - label_p); the hessian is the store count, which makes one
  // Newton step exact when all of p's stores fall in the same leaf.
  std::vector<float> grad(rows.owner.size()), hess(rows.owner.size());
  for (int round = 0; round < params_.rounds; ++round) {
    std::vector<double> sums(programs.size(), 0.0);
    if (round > 0) {
      std::vector<float> margins = booster->predict(data, true);
      for (size_t r = 0; r < margins.size(); ++r) sums[rows.owner[r]] += margins[r];
    }
    for (size_t r = 0; r < rows.owner.size(); ++r) {
      size_t p = rows.owner[r];
      grad[r] = static_cast<float>(sums[p] - labels[p]);
      hess[r] = static_cast<float>(stores_of[p]);
    }
    booster->boost(data, grad, hess);
  }
  booster_ = std::move(booster);
  trained_on_ = samples_.size();
  ++num_trainings_;
  logger()->debug("cost model: trained on {} programs ({} stores)", programs.size(), rows.owner.size());
}

std::string XGBoostModel::save() const {
  std::ostringstream out;
  out << kMagic << " features=" << kFeatureVersion << " width=" << num_features();
  if (!booster_) {
    out << " booster=0\n";
    return out.str();
  }
  std::string model = booster_->save();
  out << " booster=" << model.size() << "\n" << model;
  return out.str();
}

void XGBoostModel::load(const std::string& bytes) {
  size_t eol = bytes.find('\n');
  std::string header = bytes.substr(0, eol);
  std::string magic = std::string(kMagic) + " ";
  if (eol == std::string::npos || header.compare(0, magic.size(), magic) != 0)
    throw ParseError(kBlobName, 1, 1, "expected a header line starting with '" + std::string(kMagic) + "'");
  std::map<std::string, long long> fields;
  std::istringstream in(header.substr(magic.size()));
  std::string field;
  while (in >> field) {
    size_t eq = field.find('=');
    int column = static_cast<int>(header.find(field)) + 1;
    try {
      size_t used = 0;
      if (eq == std::string::npos) throw std::invalid_argument(field);
      long long v = std::stoll(field.substr(eq + 1), &used);
      if (used != field.size() - eq - 1 || v < 0) throw std::invalid_argument(field);
      fields[field.substr(0, eq)] = v;
    } catch (const std::logic_error&) {
      throw ParseError(kBlobName, 1, column, "expected key=<non-negative integer>, got '" + field + "'");
    }
  }
  for (const char* key : {"features", "width", "booster"})
    if (!fields.count(key)) throw ParseError(kBlobName, 1, 1, std::string("header lacks '") + key + "='");
  if (fields["features"] != kFeatureVersion || fields["width"] != num_features())
    throw ParseError(kBlobName, 1, 1,
                     "model expects feature version " + std::to_string(fields["features"]) + " with " +
                         std::to_string(fields["width"]) + " values, this weft extracts version " +
                         std::to_string(kFeatureVersion) + " with " + std::to_string(num_features()));
  size_t size = static_cast<size_t>(fields["booster"]);
  if (bytes.size() - eol - 1 != size)
    throw ParseError(kBlobName, 2, 1, "header announces a " + std::to_string(size) + "-byte booster, the blob holds " +
                                           std::to_string(bytes.size() - eol - 1) + " bytes");
  if (size == 0) {
    booster_.reset();
    return;
  }
  auto booster = std::make_unique<xgb::Booster>(std::map<std::string, std::string>{
      {"nthread", std::to_string(params_.nthread)}, {"verbosity", "0"}});
  booster->load(bytes.substr(eol + 1), kBlobName);
  booster_ = std::move(booster);
}

}  // namespace weft::costmodel
