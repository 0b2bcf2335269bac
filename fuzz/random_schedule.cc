#include "fuzz/random_schedule.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "ir/op.h"
#include "schedule/index_map.h"
#include "schedule/ir_utils.h"

namespace kiln::fuzz {

using sched::BlockRV;
using sched::LoopRV;
using sched::RandomEngine;
using sched::Schedule;

namespace {

template <typename T>
const T& pick(RandomEngine& rng, const std::vector<T>& v) {
  return v[rng.uniform_int(static_cast<int64_t>(v.size()))];
}

// A random block of the current function, or nullopt when there is none.
std::optional<BlockRV> random_block(Schedule& sch, RandomEngine& rng) {
  std::vector<ir::Stmt> blocks = sched::all_blocks(sch.func());
  if (blocks.empty()) return std::nullopt;
  return sch.get_block(pick(rng, blocks).as<ir::BlockRealizeNode>()->block->name);
}

std::optional<std::pair<BlockRV, std::vector<LoopRV>>> random_loops(Schedule& sch,
                                                                    RandomEngine& rng) {
  auto b = random_block(sch, rng);
  if (!b) return std::nullopt;
  std::vector<LoopRV> loops = sch.get_loops(*b);
  if (loops.empty()) return std::nullopt;
  return std::make_pair(*b, loops);
}

int64_t extent_of(Schedule& sch, LoopRV l) {
  const int64_t* e = ir::as_const_int(sch.loop_stmt(l).as<ir::ForNode>()->extent);
  return e ? *e : 1;
}

using Generator = std::function<void(Schedule&, RandomEngine&)>;

// One generator per primitive: picks handles and arguments and calls it.
const std::vector<std::pair<std::string, Generator>>& generators() {
  static const std::vector<std::pair<std::string, Generator>> table = {
      {"split",
       [](Schedule& sch, RandomEngine& rng) {
         auto bl = random_loops(sch, rng);
         if (!bl) return;
         LoopRV l = pick(rng, bl->second);
         if (rng.uniform_int(2) == 0) {
           // Perfect tiles from the sampler.
           auto tile = sch.sample_perfect_tile(l, 2 + static_cast<int>(rng.uniform_int(2)), 16);
           std::vector<sched::Factor> f(tile.begin(), tile.end());
           sch.split(l, f);
         } else {
           // A literal factor that may not divide: exercises predicates.
           int64_t inner = 1 + rng.uniform_int(std::max<int64_t>(1, extent_of(sch, l) + 1));
           sch.split(l, {std::monostate(), inner});
         }
       }},
      {"fuse",
       [](Schedule& sch, RandomEngine& rng) {
         auto bl = random_loops(sch, rng);
         if (!bl || bl->second.size() < 2) return;
         size_t start = rng.uniform_int(static_cast<int64_t>(bl->second.size()) - 1);
         size_t count = 2 + rng.uniform_int(std::min<int64_t>(2, bl->second.size() - start - 1));
         sch.fuse(
             std::vector<LoopRV>(bl->second.begin() + start, bl->second.begin() + start + count));
       }},
      {"reorder",
       [](Schedule& sch, RandomEngine& rng) {
         auto bl = random_loops(sch, rng);
         if (!bl || bl->second.size() < 2) return;
         std::vector<LoopRV> loops = bl->second;
         for (size_t i = loops.size(); i > 1; --i)
           std::swap(loops[i - 1], loops[rng.uniform_int(i)]);
         loops.resize(2 + rng.uniform_int(static_cast<int64_t>(loops.size()) - 1));
         sch.reorder(loops);
       }},
      {"add_unit_loop",
       [](Schedule& sch, RandomEngine& rng) {
         auto b = random_block(sch, rng);
         if (b) sch.add_unit_loop(*b);
       }},
      {"parallel",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto bl = random_loops(sch, rng)) sch.parallel(pick(rng, bl->second));
       }},
      {"vectorize",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto bl = random_loops(sch, rng)) sch.vectorize(bl->second.back());
       }},
      {"unroll",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto bl = random_loops(sch, rng)) sch.unroll(pick(rng, bl->second));
       }},
      {"bind",
       [](Schedule& sch, RandomEngine& rng) {
         static const std::vector<std::string> tags = {"blockIdx.x", "blockIdx.y", "threadIdx.x",
                                                       "threadIdx.y", "vthread.x"};
         if (auto bl = random_loops(sch, rng)) sch.bind(pick(rng, bl->second), pick(rng, tags));
       }},
      {"annotate",
       [](Schedule& sch, RandomEngine& rng) {
         auto bl = random_loops(sch, rng);
         if (!bl) return;
         int64_t step = sch.value(sch.sample_categorical({0, 16, 64}, {0.2, 0.4, 0.4}));
         if (rng.uniform_int(2) == 0)
           sch.annotate(pick(rng, bl->second), "pragma_auto_unroll_max_step", step);
         else
           sch.annotate(bl->first, "schedule_rule", std::string("fuzz"));
       }},
      {"compute_inline",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto b = random_block(sch, rng)) sch.compute_inline(*b);
       }},
      {"reverse_compute_inline",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto b = random_block(sch, rng)) sch.reverse_compute_inline(*b);
       }},
      {"compute_at",
       [](Schedule& sch, RandomEngine& rng) {
         auto b = random_block(sch, rng);
         if (!b) return;
         sched::LoopRV at = sch.sample_compute_location(*b);
         sch.compute_at(*b, at, rng.uniform_int(2) == 1);
       }},
      {"reverse_compute_at",
       [](Schedule& sch, RandomEngine& rng) {
         auto b = random_block(sch, rng);
         auto other = random_loops(sch, rng);
         if (b && other)
           sch.reverse_compute_at(*b, pick(rng, other->second), rng.uniform_int(2) == 1);
       }},
      {"decompose_reduction",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto bl = random_loops(sch, rng))
           sch.decompose_reduction(bl->first, pick(rng, bl->second));
       }},
      {"rfactor",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto bl = random_loops(sch, rng))
           sch.rfactor(pick(rng, bl->second), rng.uniform_int(2) == 0 ? 0 : -1);
       }},
      {"blockize",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto bl = random_loops(sch, rng)) sch.blockize(pick(rng, bl->second));
       }},
      {"cache_read",
       [](Schedule& sch, RandomEngine& rng) {
         static const std::vector<std::string> scopes = {"global", "shared", "local"};
         auto b = random_block(sch, rng);
         if (!b) return;
         int n =
             static_cast<int>(sch.block_stmt(*b).as<ir::BlockRealizeNode>()->block->reads.size());
         if (n > 0) sch.cache_read(*b, static_cast<int>(rng.uniform_int(n)), pick(rng, scopes));
       }},
      {"cache_write",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto b = random_block(sch, rng))
           sch.cache_write(*b, 0, rng.uniform_int(2) == 0 ? "local" : "shared");
       }},
      {"set_scope",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto b = random_block(sch, rng)) sch.set_scope(*b, 0, "shared");
       }},
      {"storage_align",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto b = random_block(sch, rng))
           sch.storage_align(*b, 0, 0, 8, static_cast<int>(rng.uniform_int(8)));
       }},
      {"reindex",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto b = random_block(sch, rng)) sch.reindex(*b, 0, rng.uniform_int(2) == 0);
       }},
      {"transform_layout",
       [](Schedule& sch, RandomEngine& rng) {
         auto b = random_block(sch, rng);
         if (!b) return;
         const auto& writes = sch.block_stmt(*b).as<ir::BlockRealizeNode>()->block->writes;
         if (writes.empty()) return;
         // Split the last dimension by 2 (refused where it does not divide).
         const size_t rank = writes[0].buffer->shape.size();
         sched::IndexMap map;
         for (size_t d = 0; d < rank; ++d) map.inputs.emplace_back("i" + std::to_string(d));
         for (size_t d = 0; d + 1 < rank; ++d) map.outputs.push_back(map.inputs[d]);
         map.outputs.push_back(ir::floordiv(map.inputs.back(), 2));
         map.outputs.push_back(ir::floormod(map.inputs.back(), 2));
         sch.transform_layout(*b, 0, true, map);
       }},
      {"pad_einsum",
       [](Schedule& sch, RandomEngine& rng) {
         auto b = random_block(sch, rng);
         if (!b) return;
         std::vector<int64_t> padding(
             sch.block_stmt(*b).as<ir::BlockRealizeNode>()->block->iter_vars.size());
         for (int64_t& p : padding) p = 1 + rng.uniform_int(4);
         sch.pad_einsum(*b, padding);
       }},
      {"decompose_padding",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto bl = random_loops(sch, rng))
           sch.decompose_padding(bl->first, pick(rng, bl->second));
       }},
      {"unannotate",
       [](Schedule& sch, RandomEngine& rng) {
         if (auto bl = random_loops(sch, rng))
           sch.unannotate(pick(rng, bl->second), "pragma_auto_unroll_max_step");
       }},
  };
  return table;
}

}  // namespace

std::vector<std::string> fuzzed_primitives() {
  std::vector<std::string> names;
  for (const auto& [name, gen] : generators()) names.push_back(name);
  return names;
}

void apply_random_primitives(Schedule& sch, RandomEngine& rng, int steps, ScheduleStats* stats,
                             const RandomScheduleOptions& options) {
  auto table = generators();
  if (!options.thread_binding)
    table.erase(std::remove_if(table.begin(), table.end(),
                               [](const auto& entry) { return entry.first == "bind"; }),
                table.end());
  for (int i = 0; i < steps; ++i) {
    const auto& [name, generate] = table[rng.uniform_int(static_cast<int64_t>(table.size()))];
    const ir::PrimFunc before = sch.func();
    Schedule attempt = sch.copy();
    try {
      generate(attempt, rng);
      sch = std::move(attempt);
      ++stats->applied[name];
    } catch (const sched::ScheduleError&) {
      ++stats->refused[name];
      // Generators change the function only in their last call, so a refusal
      // must leave the very same function object behind.
      if (attempt.func() != before)
        throw std::logic_error(name + " changed the function and then refused");
    }
  }
}

}  // namespace kiln::fuzz
