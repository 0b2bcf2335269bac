// The lowering pipeline against the interpreter: every workload unscheduled,
// under random schedules, and the structure a few passes must produce.
#include <gtest/gtest.h>

#include <cstdlib>

#include "codegen/passes/pipeline.h"
#include "fuzz/fuzzer.h"
#include "fuzz/random_schedule.h"
#include "ir/dsl/te.h"
#include "ir/printer.h"
#include "schedule/schedule.h"
#include "tests/cpp/codegen/lowering_checks.h"
#include "workloads/workloads.h"

namespace kiln {
namespace {

using testing::expect_lowering_matches;

ir::PrimFunc workload(const std::string& name) {
  return workloads::get(name, fuzz::fuzz_shape(name)).func;
}

TEST(Lower, EveryWorkloadUnscheduled) {
  for (const std::string& name : workloads::list())
    expect_lowering_matches(workload(name), Target("llvm"), name);
}

TEST(Lower, RandomSchedulesOfEveryWorkload) {
  const std::vector<std::string> names = workloads::list();
  const uint64_t traces =
      std::getenv("KILN_LOWER_TRACES") ? std::stoull(std::getenv("KILN_LOWER_TRACES")) : 300;
  for (uint64_t seed = 0; seed < traces; ++seed) {
    const std::string& name = names[seed % names.size()];
    sched::Schedule sch(workload(name), seed, sched::ErrorRenderLevel::kFast);
    sched::RandomEngine rng(seed * 0x9e3779b97f4a7c15ull + 1);
    fuzz::ScheduleStats stats;
    fuzz::apply_random_primitives(sch, rng, 8, &stats);
    expect_lowering_matches(
        sch.func(), Target("llvm"),
        name + " seed " + std::to_string(seed) + "\n" + sch.trace().as_python());
    if (HasFailure()) return;
  }
}

// A split that does not divide: the main part is vectorized, the tail serial.
TEST(Lower, NonDividingVectorizedSplitPeelsTheTail) {
  te::Tensor A = te::placeholder({37}, ir::DataType::Float(32), "A");
  te::Tensor B = te::placeholder({37}, ir::DataType::Float(32), "B");
  te::Tensor C = te::compute({37}, [&](const std::vector<ir::Var>& v) { return A(v[0]) + B(v[0]); },
                             "C", {"i"});
  sched::Schedule sch(te::create_prim_func({A, B, C}, "add"));
  auto loops = sch.get_loops(sch.get_block("C"));
  auto parts = sch.split(loops[0], {std::monostate{}, int64_t{8}});
  sch.vectorize(parts[1]);
  ir::PrimFunc lowered = codegen::lower(sch.func(), Target("llvm"));
  const std::string text = ir::to_script(lowered);
  // Four full 8-lane vectors, then the 5 elements left as one 5-lane vector.
  EXPECT_NE(text.find("for i_0 in range(4):"), std::string::npos) << text;
  EXPECT_NE(text.find("C[ramp(i_0 * 8, 1, 8)]"), std::string::npos) << text;
  EXPECT_NE(text.find("C[ramp(32, 1, 5)]"), std::string::npos) << text;
  EXPECT_EQ(text.find("if "), std::string::npos) << text;
  expect_lowering_matches(sch.func(), Target("llvm"), text);
}

ir::PrimFunc matmul(int64_t m, int64_t n, int64_t k) {
  return workloads::get("matmul", {{"M", m}, {"N", n}, {"K", k}}).func;
}

const ir::AllocateNode* first_allocation(const ir::Stmt& s) {
  struct Finder : ir::IRVisitor {
    const ir::AllocateNode* found = nullptr;
    void visit_allocate(const ir::AllocateNode* op) override {
      if (!found) found = op;
    }
  } finder;
  finder.visit(s);
  return finder.found;
}

// cache_read copies all of B; under a tile after compute_at, the copy shrinks
// to the tile and the allocation moves into the tile's loop.
TEST(Lower, CompactsACacheToItsTile) {
  sched::Schedule sch(matmul(32, 32, 32));
  sched::BlockRV c = sch.get_block("C");
  auto loops = sch.get_loops(c);
  auto j = sch.split(loops[1], {std::monostate{}, int64_t{8}});
  sch.reorder({j[0], loops[0], j[1], loops[2]});
  sched::BlockRV packed = sch.cache_read(c, 1, "global");
  sch.compute_at(packed, j[0]);
  ir::PrimFunc lowered = codegen::lower(sch.func(), Target("llvm"));
  const ir::AllocateNode* alloc = first_allocation(lowered->body);
  ASSERT_NE(alloc, nullptr) << ir::to_script(lowered);
  EXPECT_EQ(ir::num_elements(alloc->buffer), 32 * 8) << ir::to_script(lowered);
  expect_lowering_matches(sch.func(), Target("llvm"), ir::to_script(lowered));
}

// storage_align pads the rows of an intermediate buffer.
TEST(Lower, StorageAlignPadsRows) {
  sched::Schedule sch(matmul(8, 8, 8));
  sched::BlockRV packed = sch.cache_read(sch.get_block("C"), 0, "global");
  sch.storage_align(packed, 0, 0, 16, 4);
  ir::PrimFunc lowered = codegen::lower(sch.func(), Target("llvm"));
  const ir::AllocateNode* alloc = first_allocation(lowered->body);
  ASSERT_NE(alloc, nullptr);
  EXPECT_EQ(ir::num_elements(alloc->buffer), 8 * 20) << ir::to_script(lowered);
  expect_lowering_matches(sch.func(), Target("llvm"), ir::to_script(lowered));
}

// A parallel loop inside a parallel loop runs serially; unrolled loops are
// expanded.
TEST(Lower, NestedParallelBecomesSerialAndUnrollExpands) {
  sched::Schedule sch(matmul(4, 6, 3));
  auto loops = sch.get_loops(sch.get_block("C"));
  sch.parallel(loops[0]);
  sch.parallel(loops[1]);
  sch.unroll(loops[2]);
  ir::PrimFunc lowered = codegen::lower(sch.func(), Target("llvm"));
  const std::string text = ir::to_script(lowered);
  EXPECT_NE(text.find("in parallel(4)"), std::string::npos) << text;
  EXPECT_EQ(text.find("in parallel(6)"), std::string::npos) << text;
  EXPECT_EQ(text.find("range(3)"), std::string::npos) << text;
  expect_lowering_matches(sch.func(), Target("llvm"), text);
}

}  // namespace
}  // namespace kiln
