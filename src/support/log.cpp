#include "support/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include "support/error.h"

namespace weft {

std::shared_ptr<spdlog::logger> logger() {
  // Logs go to stderr so that --json output on stdout stays machine-readable.
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l = spdlog::stderr_color_mt("weft");
    l->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
    l->set_level(spdlog::level::warn);
    return l;
  }();
  return instance;
}

void set_log_level(const std::string& level) {
  auto parsed = spdlog::level::from_str(level);
  // from_str maps unknown names to "off"; only accept "off" when asked for.
  if (parsed == spdlog::level::off && level != "off")
    throw UsageError("unknown log level '" + level + "' (expected trace, debug, info, warn, error or off)");
  logger()->set_level(parsed);
}

}  // namespace weft
