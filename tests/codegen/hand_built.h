// Hand-built programs covering each construct the CPU code generator handles.
// Emission tests inspect their source; compile tests build them all in one
// compiler call and check each against the interpreter.
#pragma once

#include <string>
#include <vector>

#include "ir/stmt.h"

namespace weft::test {

struct HandBuilt {
  std::string name;
  ir::PrimFunc func;
  double lo = -1, hi = 1;  // range of the random inputs
};

std::vector<HandBuilt> hand_built_basic();   // scalar constructs
std::vector<HandBuilt> hand_built_vector();  // vectorized loops
// Every program above, built once.
const std::vector<HandBuilt>& hand_built_all();
const HandBuilt& hand_built(const std::string& name);

}  // namespace weft::test
