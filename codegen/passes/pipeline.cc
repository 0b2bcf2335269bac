#include "codegen/passes/pipeline.h"

#include <functional>
#include <stdexcept>

#include "codegen/passes/compact_buffers.h"
#include "codegen/passes/convert_blocks.h"
#include "codegen/passes/flatten_buffers.h"
#include "codegen/passes/gpu_cross_thread_reduction.h"
#include "codegen/passes/loop_partition.h"
#include "codegen/passes/lower_init.h"
#include "codegen/passes/lower_intrinsics.h"
#include "codegen/passes/lower_parallel.h"
#include "codegen/passes/plan_allocations.h"
#include "codegen/passes/simplify_stmt.h"
#include "codegen/passes/unroll_loops.h"
#include "codegen/passes/vectorize_loops.h"

namespace kiln::codegen {

namespace {

struct Pass {
  std::string name;
  std::function<ir::PrimFunc(const ir::PrimFunc&)> run;
};

std::vector<Pass> pipeline(const Target& target) {
  const bool gpu = target.is_gpu();
  std::vector<Pass> passes;
  // Blocks to loops.
  if (gpu) passes.push_back({"gpu_cross_thread_reduction", gpu_cross_thread_reduction});
  passes.push_back({"lower_init", lower_init});
  passes.push_back({"plan_allocations", [gpu](const ir::PrimFunc& f) { return plan_allocations(f, gpu); }});
  passes.push_back({"convert_blocks", convert_blocks});
  // Buffers: as small as their use, then one-dimensional.
  passes.push_back({"compact_buffers", compact_buffers});
  passes.push_back({"flatten_buffers", flatten_buffers});
  passes.push_back({"simplify_stmt", simplify_stmt});
  // Loops: peel predicated tails, then unroll and vectorize.
  passes.push_back({"loop_partition", loop_partition});
  passes.push_back({"simplify_stmt", simplify_stmt});
  passes.push_back({"unroll_loops", unroll_loops});
  passes.push_back({"vectorize_loops", vectorize_loops});
  passes.push_back({"lower_intrinsics", lower_intrinsics});
  passes.push_back({"lower_parallel", lower_parallel});
  passes.push_back({"simplify_stmt", simplify_stmt});
  return passes;
}

}  // namespace

ir::PrimFunc lower(const ir::PrimFunc& func, const Target& target) {
  ir::PrimFunc f = func;
  for (const Pass& p : pipeline(target)) f = p.run(f);
  return f;
}

ir::PrimFunc lower_until(const ir::PrimFunc& func, const Target& target, const std::string& stop,
                         const PassObserver& before) {
  const std::vector<Pass> passes = pipeline(target);
  bool known = false;
  for (const Pass& p : passes) known |= p.name == stop;
  if (!known) {
    std::string names;
    for (const Pass& p : passes) names += (names.empty() ? "" : ", ") + p.name;
    throw std::invalid_argument("lower_until: no lowering pass is named `" + stop + "`; they are " +
                                names);
  }
  ir::PrimFunc f = func;
  for (const Pass& p : passes) {
    if (p.name == stop) break;
    if (before) before(p.name, f);
    f = p.run(f);
  }
  return f;
}

}  // namespace kiln::codegen
