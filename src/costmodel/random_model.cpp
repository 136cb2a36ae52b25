#include "costmodel/random_model.h"

#include <sstream>

#include "support/error.h"

namespace weft::costmodel {

namespace {
const char* const kBlobName = "random cost model blob";
const char* const kMagic = "weft-costmodel random v1";
}  // namespace

std::vector<double> RandomModel::predict(const std::vector<ProgramFeatures>& programs) {
  std::vector<double> scores;
  scores.reserve(programs.size());
  for (size_t i = 0; i < programs.size(); ++i) scores.push_back(rng_.uniform_real());
  return scores;
}

std::string RandomModel::save() const {
  return std::string(kMagic) + " state=" + std::to_string(rng_.state()) + " samples=" + std::to_string(num_samples_) +
         "\n";
}

void RandomModel::load(const std::string& bytes) {
  std::string magic = std::string(kMagic) + " ";
  if (bytes.compare(0, magic.size(), magic) != 0)
    throw ParseError(kBlobName, 1, 1, "expected a blob starting with '" + std::string(kMagic) + "'");
  std::istringstream in(bytes.substr(magic.size()));
  std::string state_field, samples_field, rest;
  in >> state_field >> samples_field;
  auto number = [&](const std::string& field, const std::string& key) -> uint64_t {
    if (field.compare(0, key.size() + 1, key + "=") != 0 || field.size() == key.size() + 1)
      throw ParseError(kBlobName, 1, static_cast<int>(magic.size()) + 1, "expected '" + key + "=<integer>'");
    try {
      size_t used = 0;
      uint64_t v = std::stoull(field.substr(key.size() + 1), &used);
      if (used != field.size() - key.size() - 1) throw std::invalid_argument(field);
      return v;
    } catch (const std::logic_error&) {
      throw ParseError(kBlobName, 1, static_cast<int>(magic.size()) + 1, "bad integer in '" + field + "'");
    }
  };
  uint64_t state = number(state_field, "state");
  uint64_t samples = number(samples_field, "samples");
  if (in >> rest) throw ParseError(kBlobName, 1, 1, "unexpected trailing text '" + rest + "'");
  rng_ = Rng(state);
  num_samples_ = samples;
}

}  // namespace weft::costmodel
