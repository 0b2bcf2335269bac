// The design space: every sketch of every registered workload, with random
// decisions and the postprocessors applied, builds and computes what the
// interpreter computes (a property test over seeds); and the rules make the
// structures they promise.
#include <gtest/gtest.h>

#include "fuzz/arguments.h"
#include "fuzz/build_check.h"
#include "fuzz/fuzzer.h"
#include "ir/interpreter.h"
#include "runtime/opencl/opencl_context.h"
#include "search/evolutionary.h"
#include "search/space/space_generator.h"
#include "workloads/workloads.h"

namespace kiln::search {
namespace {

int seeds_per_sketch() {
  const char* env = std::getenv("KILN_SPACE_SEEDS");
  return env ? std::max(1, std::atoi(env)) : 3;
}

// Draws `seeds` programs from every sketch of every workload on `target`,
// builds them and compares their outputs with the interpreter's.
void check_every_sketch(const Target& target, int seeds) {
  size_t sketches = 0, programs = 0;
  for (const std::string& name : workloads::list()) {
    const Task task = Task::from_workload(name, fuzz::fuzz_shape(name), target);
    EvolutionarySearch search(task, {}, 1);
    ASSERT_FALSE(search.sketches().empty()) << name;
    fuzz::Arguments expected = fuzz::make_arguments(task.func(), 7);
    ir::interpret(task.func(), expected.views);
    for (size_t s = 0; s < search.sketches().size(); ++s) {
      ++sketches;
      for (int seed = 0; seed < seeds; ++seed) {
        // A draw a postproc or the lowering refuses is redrawn (a few times).
        std::optional<Candidate> c;
        for (int draw = 0; draw < 20 && !c; ++draw)
          c = search.realize(search.sketches()[s], sched::RandomEngine(seed * 1000 + draw));
        if (!c) continue;
        ++programs;
        EXPECT_EQ(fuzz::check_built_kernel(c->func, target, 7, expected), "")
            << name << " sketch " << s << " seed " << seed << "\n" << c->trace.as_python();
      }
    }
  }
  std::printf("[space] %s: %zu sketches, %zu programs built and checked\n", target.str().c_str(),
              sketches, programs);
  EXPECT_GE(programs, sketches);
}

TEST(Space, EverySketchOfEveryWorkloadBuildsAndMatchesTheInterpreter) {
  check_every_sketch(Target("llvm"), seeds_per_sketch());
}

// The GPU space, run by PoCL on the CPU (a kernel build takes PoCL a while:
// one program per sketch here, KILN_SPACE_SEEDS for more).
TEST(Space, EveryGpuSketchOfEveryWorkloadBuildsAndMatchesTheInterpreterOnOpenCL) {
  if (!runtime::opencl::opencl_available()) GTEST_SKIP() << "no OpenCL device";
  check_every_sketch(Target("opencl"), std::getenv("KILN_SPACE_SEEDS") ? seeds_per_sketch() : 1);
}

TEST(Space, MatmulGetsMultiLevelTilingWithAndWithoutAWriteCacheAndAPackedB) {
  const Task task = Task::from_workload("matmul", {{"M", 64}, {"N", 64}, {"K", 64}}, Target("llvm"));
  const std::vector<sched::Trace> sketches =
      generate_sketches(task.func(), default_space_rules(task.target()));
  // Tiled; written through at level 1 or 2; each of those with B packed at
  // level 1 or 2.
  ASSERT_EQ(sketches.size(), 7u);
  int with_cache = 0, packed = 0;
  for (const sched::Trace& t : sketches) {
    const std::string py = t.as_python();
    // Two spatial loops in 4 tiles, the reduction in 2.
    size_t tiles = 0;
    for (size_t at = py.find("sample_perfect_tile"); at != std::string::npos;
         at = py.find("sample_perfect_tile", at + 1))
      ++tiles;
    EXPECT_EQ(tiles, 3u) << py;
    EXPECT_NE(py.find("n=4"), std::string::npos) << py;
    EXPECT_NE(py.find("meta_schedule.unroll_explicit"), std::string::npos) << py;
    with_cache += py.find("cache_write") != std::string::npos;
    if (py.find("cache_read") != std::string::npos) {
      ++packed;
      // B (the second read), not A: A is broadcast, not streamed.
      EXPECT_NE(py.find("cache_read(b0, 1, \"global\")"), std::string::npos) << py;
      EXPECT_NE(py.find("cache_write"), std::string::npos) << py;
    }
  }
  EXPECT_EQ(with_cache, 6);
  EXPECT_EQ(packed, 4);
}

TEST(Space, AnElementwiseIntermediateIsInlinedAndTheEpilogueFused) {
  const Task task = Task::from_workload("dense_bias_relu", {}, Target("llvm"));
  const std::vector<sched::Trace> sketches =
      generate_sketches(task.func(), default_space_rules(task.target()));
  ASSERT_FALSE(sketches.empty());
  bool fused = false;
  for (const sched::Trace& t : sketches) {
    const std::string py = t.as_python();
    EXPECT_NE(py.find("compute_inline"), std::string::npos) << py;  // bias_add
    fused |= py.find("reverse_compute_at") != std::string::npos &&
             py.find("cache_write") == std::string::npos;
  }
  EXPECT_TRUE(fused);
}

}  // namespace
}  // namespace kiln::search
