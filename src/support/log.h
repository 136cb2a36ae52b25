// Logging goes through spdlog; one named logger for the whole tool so the CLI can
// set the level in one place.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace weft {

// Accepts trace, debug, info, warn, error, off. Throws UsageError otherwise.
void set_log_level(const std::string& level);
std::shared_ptr<spdlog::logger> logger();

}  // namespace weft
