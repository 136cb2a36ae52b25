// Errors of the schedule language. A ScheduleError names the primitive and prints
// the offending block or loop; the schedule is left exactly as it was.
#pragma once

#include "support/error.h"

namespace weft::sched {

class ScheduleError : public Error {
 public:
  explicit ScheduleError(const std::string& message) : Error(message) {}
};

}  // namespace weft::sched
