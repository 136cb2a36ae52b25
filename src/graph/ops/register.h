// One registration function per op family (one file each in this folder).
#pragma once

#include "graph/op_registry.h"

namespace weft::graph {

void register_elementwise_ops(OpRegistry& registry);
void register_activation_ops(OpRegistry& registry);
void register_reduction_ops(OpRegistry& registry);
void register_layout_ops(OpRegistry& registry);
void register_matmul_ops(OpRegistry& registry);
void register_normalization_ops(OpRegistry& registry);
void register_softmax_ops(OpRegistry& registry);
void register_conv_ops(OpRegistry& registry);
void register_pooling_ops(OpRegistry& registry);
void register_embedding_ops(OpRegistry& registry);
void register_dropout_ops(OpRegistry& registry);
void register_sparse_ops(OpRegistry& registry);
void register_loss_ops(OpRegistry& registry);

}  // namespace weft::graph
