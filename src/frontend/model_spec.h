// Model specs name a zoo model and its configuration, like workloads:
//   "bert-large"                  paper sizes
//   "bert-large:tiny"             the tiny preset (for tests)
//   "bert-large:layers=2,seq=64"  overrides on top of the paper sizes
//   "vit:tiny,depth=1"            overrides on top of the tiny preset
#pragma once

#include <map>
#include <string>
#include <vector>

namespace weft::frontend {

struct ModelSpec {
  std::string model;
  bool tiny = false;
  std::vector<std::pair<std::string, std::string>> overrides;  // in spec order
  std::vector<int> override_columns;                          // 1-based column of each key in the spec
};

// UsageError naming the spec and the column of the problem.
ModelSpec parse_model_spec(const std::string& spec);

// A model's configuration: named integer and real fields with defaults, and a
// tiny preset. Zoo models declare their fields once; overrides go through here.
class ConfigTable {
 public:
  void add_int(const std::string& key, int64_t* field, int64_t paper, int64_t tiny, const std::string& help,
               int64_t min = 1);
  void add_real(const std::string& key, double* field, double paper, double tiny, const std::string& help,
                double min = 0, double max = 1e300);

  // Sets every field to its paper or tiny default, then applies the spec's overrides.
  void apply(const ModelSpec& spec, const std::string& text) const;
  // "key=value" pairs of the current values, comma-separated (a canonical spec suffix).
  std::string canonical() const;
  // One line per key: "  key (default paper / tiny): help".
  std::string describe() const;

 private:
  struct Field {
    std::string key, help;
    int64_t* int_field = nullptr;
    double* real_field = nullptr;
    double paper = 0, tiny = 0, min = 0, max = 0;
  };
  std::vector<Field> fields_;
};

}  // namespace weft::frontend
