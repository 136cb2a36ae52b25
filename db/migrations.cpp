// Schema evolution. When db/schema.sql changes, kSchemaVersion goes up by one and a
// step from the previous version is appended here; a database written by an older
// weft is then migrated in one transaction the next time it is opened for writing.
#include <array>

#include "db/schema.h"

namespace weft::db {

std::span<const Migration> schema_migrations() {
  // Version 1 is the first schema: there is nothing older to migrate yet.
  static const std::array<Migration, 0> kSteps{};
  return kSteps;
}

}  // namespace weft::db
