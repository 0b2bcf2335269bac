#include "schedule/gpu_steps.h"

#include <algorithm>

namespace kiln::sched {

LoopRV fuse_all(Schedule& sch, const std::vector<LoopRV>& loops) {
  return loops.size() == 1 ? loops[0] : sch.fuse(loops);
}

void bind_axes(Schedule& sch, const std::vector<LoopRV>& loops, const std::string& kind) {
  for (size_t i = 0; i < loops.size(); ++i)
    sch.bind(loops[loops.size() - 1 - i], kind + "." + "xyz"[i]);
}

std::vector<int64_t> thread_counts(int64_t most) {
  std::vector<int64_t> counts;
  for (int64_t t = 32; t <= most; t *= 2) counts.push_back(t);
  return counts;
}

std::vector<LoopRV> split_by_sampled_threads(Schedule& sch, LoopRV loop,
                                             const std::vector<int64_t>& counts) {
  const ExprRV threads =
      sch.sample_categorical(counts, std::vector<double>(counts.size(), 1.0 / counts.size()));
  return sch.split(loop, {std::monostate{}, threads});
}

bool cooperative_fetch(Schedule& sch, BlockRV stage, BlockRV block,
                       const std::vector<int64_t>& thread_extents) {
  const std::vector<LoopRV> block_loops = sch.get_loops(block);
  std::vector<LoopRV> own;
  for (LoopRV l : sch.get_loops(stage)) {
    const bool shared_with_block =
        std::any_of(block_loops.begin(), block_loops.end(),
                    [&](LoopRV b) { return sch.loop_var(b).get() == sch.loop_var(l).get(); });
    if (!shared_with_block) own.push_back(l);
  }
  if (own.empty()) return false;  // a single element: nothing to spread
  const LoopRV fused = fuse_all(sch, own);
  std::vector<Factor> factors = {std::monostate{}};
  for (auto e = thread_extents.rbegin(); e != thread_extents.rend(); ++e) factors.push_back(*e);
  const std::vector<LoopRV> parts = sch.split(fused, factors);
  bind_axes(sch, std::vector<LoopRV>(parts.begin() + 1, parts.end()), "threadIdx");
  return true;
}

}  // namespace kiln::sched
