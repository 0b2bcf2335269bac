// BufferTouch: what one statement does to one buffer over the loops around
// it, the buffer part of the per-store features. Accesses are modeled by
// their index expressions, per dimension (the program is read before its
// buffers are flattened, so A[h + rh, w] is two dimensions, not one long
// stride): the elements a dimension takes under a loop level are the fewer
// of its span (interval arithmetic) and the product of the extents of the
// loops it uses.
#pragma once

#include <vector>

#include "ir/buffer.h"
#include "ir/stmt.h"

namespace kiln::cost_model {

// A loop around the statement, outermost first.
struct LoopLevel {
  const ir::ForNode* node;
  double extent;
};

class BufferTouch {
 public:
  BufferTouch(const ir::BufferNode* buffer, const std::vector<LoopLevel>& loops, int line_bytes);

  // One access of the buffer by the statement (each iteration of the loops).
  void add(const std::vector<ir::Expr>& indices, bool read, bool write);
  const ir::BufferNode* buffer() const { return buffer_; }

  bool read = false, write = false;
  double bytes = 0;         // over all iterations
  double unique_bytes = 0;  // distinct bytes over all iterations
  double lines = 0;         // cache lines fetched, walking in loop order
  double unique_lines = 0;
  // The innermost loop that does not move the index: the iterations of its
  // body (between two touches of the same element) and the distinct bytes of
  // the buffer those touch.
  double reuse_distance = 0, reuse_bytes = 0;
  // That loop is unrolled or vectorized: the reused value can stay in a
  // register.
  bool reuse_in_registers = false;
  double stride = 0;  // elements the innermost moving loop steps by
  double innermost_step = 0;  // elements the innermost loop (extent > 1) steps by
  // How the innermost vectorized loop walks the buffer (the worst of the
  // accesses): one load per vector, or one per lane.
  enum VectorAccess { kNoVector, kBroadcast, kContiguous, kGather };
  VectorAccess vector_access = kNoVector;
  // Per loop level l (0: the whole nest; loops.size(): one iteration): the
  // distinct bytes touched while loops l.. run.
  std::vector<double> unique_under;

 private:
  const ir::BufferNode* buffer_;
  const std::vector<LoopLevel>* loops_;
  double line_;
};

}  // namespace kiln::cost_model
