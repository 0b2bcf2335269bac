// flatten_buffers: every buffer becomes one-dimensional, indexed row-major
// (or with the strides a storage_align request asks for). Parameters are
// replaced by flat buffers of the same name, dtype and size. Indices are
// int32 when every buffer has fewer than 2^31 elements, int64 otherwise.
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

ir::PrimFunc flatten_buffers(const ir::PrimFunc& func);

}  // namespace kiln::codegen
