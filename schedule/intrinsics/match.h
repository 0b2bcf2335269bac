// Matching a block against a tensor intrinsic's description, and putting the
// intrinsic's implementation in its place (the two halves of `tensorize`).
//
// A block matches when its body is the description's root body up to the
// names of variables and buffers and to a constant offset per buffer: every
// description buffer stands for a window of one real buffer (of the same
// dtype and scope, possibly with more leading dimensions), whose first
// element is where the block's read or write region of that buffer starts.
// Loops must have the same ranges and kinds, nested blocks the same iter
// kinds, domains, bindings, predicate and init, and every value the same
// expression; every access must land, after the offset, on the index the
// description accesses (proved, not pattern-matched). The windows must stay
// inside their buffers. Then the implementation, which computes the same as
// the description, computes the same as the block's body.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "schedule/intrinsics/registry.h"

namespace kiln::sched {

// Where each parameter of the intrinsic lies in the program.
struct IntrinsicWindows {
  // Per parameter, in order: the real buffer ...
  std::vector<ir::Buffer> buffers;
  // ... and the index of the window's first element, one per real dimension
  // (leading dimensions the parameter lacks are fixed at this index).
  std::vector<std::vector<ir::Expr>> mins;
};

// The windows when the block of `realize` matches `intrin`'s description;
// otherwise nullopt, with what differs in `mismatch`.
std::optional<IntrinsicWindows> match_tensor_intrin(const ir::BlockRealizeNode& realize,
                                                    const TensorIntrin& intrin,
                                                    std::string* mismatch);

// `realize` with its body replaced by the implementation's, whose buffers
// now address the windows; its regions become the description's root
// regions on the windows (in that order, so that a backend finds the
// operands), and it takes the implementation's root annotations plus
// `tensor_intrin` = the intrinsic's name.
ir::Stmt apply_tensor_intrin(const ir::BlockRealizeNode& realize, const TensorIntrin& intrin,
                             const IntrinsicWindows& windows);

}  // namespace kiln::sched
