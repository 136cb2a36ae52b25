#include "costmodel/cost_model.h"

#include "costmodel/random_model.h"
#include "costmodel/xgboost_model.h"
#include "support/error.h"

namespace weft::costmodel {

std::unique_ptr<CostModel> make_cost_model(const std::string& kind, uint64_t seed) {
  if (kind == "xgb") return std::make_unique<XGBoostModel>(seed);
  if (kind == "random") return std::make_unique<RandomModel>(seed);
  throw UsageError("unknown cost model '" + kind + "' (expected xgb or random)");
}

}  // namespace weft::costmodel
