// Lookup primitives: they find blocks and loops and return handles; they never
// change the program.
#pragma once

#include <string>
#include <vector>

#include "schedule/schedule.h"

namespace weft::sched {

BlockRV get_block(Schedule& sch, const std::string& name);
// The loops between the block and its parent block, outermost first.
std::vector<LoopRV> get_loops(Schedule& sch, BlockRV block);
// Blocks directly under a block (not nested deeper), in program order.
std::vector<BlockRV> get_child_blocks(Schedule& sch, BlockRV block);
// Sibling blocks (same parent block) that write a buffer this block reads / read a
// buffer this block writes, in program order.
std::vector<BlockRV> get_producers(Schedule& sch, BlockRV block);
std::vector<BlockRV> get_consumers(Schedule& sch, BlockRV block);

}  // namespace weft::sched
