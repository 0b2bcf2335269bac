// The design space: every sketch of every registered workload, with random
// decisions and the postprocessors applied, builds and computes what the
// interpreter computes (a property test over seeds); and the rules make the
// structures they promise.
#include <gtest/gtest.h>

#include "fuzz/arguments.h"
#include "fuzz/build_check.h"
#include "fuzz/fuzzer.h"
#include "ir/interpreter.h"
#include "ir/printer.h"
#include "runtime/opencl/opencl_context.h"
#include "schedule/block_predicates.h"
#include "schedule/ir_utils.h"
#include "search/evolutionary.h"
#include "search/mutator/mutator.h"
#include "search/space/space_generator.h"
#include "workloads/workloads.h"

namespace kiln::search {
namespace {

using Shape = std::map<std::string, int64_t>;

int seeds_per_sketch() {
  const char* env = std::getenv("KILN_SPACE_SEEDS");
  return env ? std::max(1, std::atoi(env)) : 3;
}

// Shapes beside each workload's fuzzing shape that make the rules which
// depend on extents fire: ragged extents (pad_ragged_einsum) and reductions
// with little spatial parallelism (add_rfactor).
const std::vector<std::pair<std::string, Shape>>& extra_shapes() {
  static const std::vector<std::pair<std::string, Shape>> shapes = {
      {"matmul", {{"M", 19}, {"N", 37}, {"K", 23}}},          // padded, every extent
      {"dense_bias_relu", {{"M", 6}, {"N", 37}, {"K", 29}}},  // padded, copy back inlined
      {"batch_matmul", {{"B", 2}, {"M", 17}, {"N", 19}, {"K", 5}, {"transpose_b", 1}}},  // N padded
      {"matmul", {{"M", 1}, {"N", 1}, {"K", 240}}},  // rfactor, a dot product
      {"matmul", {{"M", 2}, {"N", 3}, {"K", 97}}},   // rfactor, padded K
      {"reduce_sum", {{"M", 3}, {"N", 200}}},        // rfactor
      {"softmax", {{"M", 2}, {"N", 150}}},           // rfactor of max and sum
      {"layernorm", {{"M", 2}, {"N", 96}}},          // rfactor of both sums
      // A global pool: rfactor.
      {"avg_pool2d",
       {{"N", 1},
        {"H", 12},
        {"W", 12},
        {"C", 2},
        {"R", 12},
        {"S", 12},
        {"stride", 1},
        {"padding", 0}}},
  };
  return shapes;
}

// How many sketches the property test drew from that rfactor or pad.
struct Coverage {
  size_t rfactor = 0, padded = 0;
};

// Draws `seeds` programs from every sketch of every workload on `target`
// (at its fuzzing shape and at extra_shapes()), builds them and compares
// their outputs with the interpreter's.
Coverage check_every_sketch(const Target& target, int seeds) {
  size_t sketches = 0, programs = 0;
  Coverage coverage;
  std::vector<std::pair<std::string, Shape>> cases;
  for (const std::string& name : workloads::list()) cases.push_back({name, fuzz::fuzz_shape(name)});
  for (const auto& c : extra_shapes()) cases.push_back(c);
  for (const auto& [name, shape] : cases) {
    std::string label = name;
    for (const auto& [key, value] : shape) label += " " + key + "=" + std::to_string(value);
    const Task task = Task::from_workload(name, shape, target);
    EvolutionarySearch search(task, {}, 1);
    EXPECT_FALSE(search.sketches().empty()) << label;
    fuzz::Arguments expected = fuzz::make_arguments(task.func(), 7);
    ir::interpret(task.func(), expected.views);
    for (size_t s = 0; s < search.sketches().size(); ++s) {
      ++sketches;
      const std::string py = search.sketches()[s].as_python();
      coverage.rfactor += py.find("rfactor") != std::string::npos;
      coverage.padded += py.find("pad_einsum") != std::string::npos;
      for (int seed = 0; seed < seeds; ++seed) {
        // A draw a postproc or the lowering refuses is redrawn (a few times).
        std::optional<Candidate> c;
        for (int draw = 0; draw < 20 && !c; ++draw)
          c = search.realize(search.sketches()[s], sched::RandomEngine(seed * 1000 + draw));
        if (!c) continue;
        ++programs;
        EXPECT_EQ(fuzz::check_built_kernel(c->func, target, 7, expected), "")
            << label << " sketch " << s << " seed " << seed << "\n"
            << c->trace.as_python();
      }
    }
  }
  std::printf(
      "[space] %s: %zu sketches (%zu with rfactor, %zu padded), %zu programs built and checked\n",
      target.str().c_str(), sketches, coverage.rfactor, coverage.padded, programs);
  EXPECT_GE(programs, sketches);
  return coverage;
}

TEST(Space, EverySketchOfEveryWorkloadBuildsAndMatchesTheInterpreter) {
  const Coverage coverage = check_every_sketch(Target("llvm"), seeds_per_sketch());
  // extra_shapes() makes both extent-dependent rules fire.
  EXPECT_GE(coverage.rfactor, 7u);
  EXPECT_GE(coverage.padded, 10u);
}

// The GPU space, run by PoCL on the CPU (a kernel build takes PoCL a while:
// one program per sketch here, KILN_SPACE_SEEDS for more).
TEST(Space, EveryGpuSketchOfEveryWorkloadBuildsAndMatchesTheInterpreterOnOpenCL) {
  if (!runtime::opencl::opencl_available()) GTEST_SKIP() << "no OpenCL device";
  check_every_sketch(Target("opencl"), std::getenv("KILN_SPACE_SEEDS") ? seeds_per_sketch() : 1);
}

TEST(Space, MatmulGetsMultiLevelTilingWithAndWithoutAWriteCacheAndAPackedB) {
  const Task task =
      Task::from_workload("matmul", {{"M", 64}, {"N", 64}, {"K", 64}}, Target("llvm"));
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

// The sketches of a workload on a 2-core CPU.
std::vector<sched::Trace> sketches_of(const std::string& workload, const Shape& shape,
                                      const std::string& target = "llvm -num_cores=2") {
  const Task task = Task::from_workload(workload, shape, Target(target));
  return generate_sketches(task.func(), default_space_rules(task.target()));
}

size_t count_with(const std::vector<sched::Trace>& sketches, const std::string& text) {
  size_t n = 0;
  for (const sched::Trace& t : sketches) n += t.as_python().find(text) != std::string::npos;
  return n;
}

// A sketch replayed with random decisions.
sched::Schedule replayed(const std::string& workload, const Shape& shape,
                         const sched::Trace& sketch) {
  sched::Schedule sch(workloads::get(workload, shape).func, 3);
  sketch.apply_to(sch);
  return sch;
}

// A dense layer's W[j, k] is packed transposed (k, j), and copied in the
// order of the packed buffer: the innermost loop of the copy runs over j,
// the packed buffer's last axis (stores contiguous, loads across rows).
TEST(Space, ADenseLayersWeightsArePackedTransposedInTheOrderOfThePackedBuffer) {
  const Shape shape = {{"M", 64}, {"N", 64}, {"K", 64}};
  size_t transposed = 0;
  for (const sched::Trace& t : sketches_of("dense_bias_relu", shape)) {
    if (t.as_python().find("transform_layout") == std::string::npos) continue;
    ++transposed;
    sched::Schedule sch = replayed("dense_bias_relu", shape, t);
    const sched::BlockRV pack = sch.get_block("W_global");
    const ir::Stmt innermost = sch.loop_stmt(sch.get_loops(pack).back());
    const std::string var = innermost.as<ir::ForNode>()->loop_var.name();
    const auto* realize = sch.block_stmt(pack).as<ir::BlockRealizeNode>();
    // The iter var of W's axis 0 (j) is the packed buffer's last index.
    const ir::Expr j = realize->iter_values.at(0);
    EXPECT_NE(ir::to_script(j).find(var), std::string::npos)
        << ir::to_script(sch.func()) << "\n" << t.as_python();
  }
  EXPECT_GE(transposed, 2u);
}

TEST(Space, AMatmulWithPlentyOfSpatialWorkAndGoodExtentsGetsNeitherRfactorNorPadding) {
  for (int64_t n : {64, 1024}) {
    const auto sketches = sketches_of("matmul", {{"M", n}, {"N", n}, {"K", n}});
    EXPECT_EQ(sketches.size(), 7u) << n;
    EXPECT_EQ(count_with(sketches, "rfactor"), 0u) << n;
    EXPECT_EQ(count_with(sketches, "pad_einsum"), 0u) << n;
  }
  // A gemv (M = 1) still has N = 1024 outputs for 2 cores: no rfactor.
  EXPECT_EQ(count_with(sketches_of("matmul", {{"M", 1}, {"N", 1024}, {"K", 1024}}), "rfactor"), 0u);
}

TEST(Space, ARaggedMatmulIsPaddedBeforeItIsTiled) {
  const Shape shape = {{"M", 127}, {"N", 127}, {"K", 127}};
  const auto sketches = sketches_of("matmul", shape, "llvm -mcpu=haswell -num_cores=2");
  // Every sketch (the 7 tilings) pads all three extents to 128: M and K to
  // multiples of 16, N (the vector axis) to 8 lanes of AVX2.
  ASSERT_EQ(sketches.size(), 7u);
  for (const sched::Trace& t : sketches) {
    const std::string py = t.as_python();
    const size_t pad = py.find("pad_einsum(b0, padding=[16, 8, 16])");
    ASSERT_NE(pad, std::string::npos) << py;
    EXPECT_LT(pad, py.find("sample_perfect_tile")) << py;
    sched::Schedule sch = replayed("matmul", shape, t);
    EXPECT_EQ(sched::iter_extents(sch, sch.get_block("C")), (std::vector<int64_t>{128, 128, 128}));
    // The copies run on the threads; C's copy back is C's consumer (fused
    // in the written-through sketches).
    for (const char* copy : {"A_pad", "B_pad", "C_unpad"})
      EXPECT_TRUE(sched::find_block(sch.func(), copy).defined()) << copy << "\n" << py;
  }
  // A prime extent of 17 (one more than the bound, padding would add more
  // than an eighth) and a reduction of 1001 (7 x 11 x 13) stay as they are.
  EXPECT_EQ(count_with(sketches_of("matmul", {{"M", 17}, {"N", 64}, {"K", 1001}}), "pad_einsum"),
            0u);
  // Nor a vector axis with factors, on 16 lanes or 8: 1000 (8 x 125) or
  // 1001 (7 x 11 x 13).
  for (const char* cpu : {"skylake-avx512", "haswell"})
    for (int64_t n : {1000, 1001})
      EXPECT_EQ(count_with(sketches_of("matmul", {{"M", 1000}, {"N", n}, {"K", 1000}},
                                       std::string("llvm -num_cores=2 -mcpu=") + cpu),
                           "pad_einsum"),
                0u)
          << cpu << " " << n;
  // A prime vector axis is padded to a multiple of the lanes: 1021 to 1024
  // on AVX-512 (16 lanes), 37 to 40 on AVX2 (8).
  EXPECT_EQ(count_with(sketches_of("matmul", {{"M", 64}, {"N", 1021}, {"K", 64}},
                                   "llvm -num_cores=2 -mcpu=skylake-avx512"),
                       "pad_einsum(b0, padding=[1, 16, 1])"),
            7u);
  EXPECT_EQ(count_with(sketches_of("matmul", {{"M", 64}, {"N", 37}, {"K", 64}},
                                   "llvm -num_cores=2 -mcpu=haswell"),
                       "pad_einsum(b0, padding=[1, 8, 1])"),
            7u);
}

TEST(Space, APaddedIntermediateIsReadPaddedByItsConsumer) {
  // dense's copy back is inlined into relu, which then reads dense_pad.
  const Shape shape = {{"M", 64}, {"N", 64}, {"K", 127}};
  const auto sketches = sketches_of("dense_bias_relu", shape);
  ASSERT_FALSE(sketches.empty());
  for (const sched::Trace& t : sketches) {
    sched::Schedule sch = replayed("dense_bias_relu", shape, t);
    EXPECT_FALSE(sched::find_block(sch.func(), "dense_unpad").defined()) << t.as_python();
    EXPECT_TRUE(sched::find_block(sch.func(), "X_pad").defined()) << t.as_python();
  }
}

TEST(Space, AReductionWithLittleSpatialParallelismGetsAnRfactorSketchBesideThePlainOnes) {
  for (const auto& [workload, shape] :
       std::vector<std::pair<std::string, Shape>>{{"matmul", {{"M", 1}, {"N", 1}, {"K", 4096}}},
                                                  {"reduce_sum", {{"M", 4}, {"N", 100000}}}}) {
    const auto sketches = sketches_of(workload, shape);
    ASSERT_EQ(count_with(sketches, "rfactor"), 1u) << workload;
    ASSERT_EQ(sketches.size(), 2u) << workload;
    for (const sched::Trace& t : sketches) {
      const std::string py = t.as_python();
      if (py.find("rfactor") == std::string::npos) continue;
      // The reduction in three, rfactor'ed at its outer and inner parts
      // fused; the nest of the work and the result's nest each annotated.
      EXPECT_NE(py.find("n=3, max_innermost_factor=64"), std::string::npos) << py;
      size_t rfactors = 0, parallel = 0;
      for (size_t at = py.find("rfactor("); at != std::string::npos;
           at = py.find("rfactor(", at + 1))
        ++rfactors;
      for (size_t at = py.find("meta_schedule.parallel"); at != std::string::npos;
           at = py.find("meta_schedule.parallel", at + 1))
        ++parallel;
      EXPECT_EQ(rfactors, 1u) << py;
      EXPECT_EQ(parallel, 2u) << py;
      sched::Schedule sch = replayed(workload, shape, t);
      const std::string result = workload == "matmul" ? "C" : "B";
      EXPECT_TRUE(sched::find_block(sch.func(), result + "_rf").defined()) << py;
    }
  }
  // Softmax over 128 rows of 30522 feeds 2 cores (64 rows each): no
  // rfactor; on 4 cores it feeds them too (128 > 16 * 4); on 16 it does
  // not, and both its row reductions get one.
  EXPECT_EQ(count_with(sketches_of("softmax", {{"M", 128}, {"N", 30522}}), "rfactor"), 0u);
  EXPECT_EQ(count_with(sketches_of("softmax", {{"M", 128}, {"N", 30522}}, "llvm -num_cores=4"),
                       "rfactor"),
            0u);
  const auto many = sketches_of("softmax", {{"M", 128}, {"N", 30522}}, "llvm -num_cores=16");
  // Max and sum, each with and without rfactor (and each at the root or
  // row by row: random_compute_location).
  EXPECT_GE(count_with(many, "rfactor"), 3u);
  EXPECT_LT(count_with(many, "rfactor"), many.size());
  size_t both = 0;
  for (const sched::Trace& t : many) {
    const std::string py = t.as_python();
    both += py.find("rfactor(") != py.rfind("rfactor(");
  }
  EXPECT_GE(both, 1u);
}

TEST(Space, RfactorSketchesSurviveTheirPostprocessorsAndMutations) {
  // rewrite_reduction_block decomposes both reductions; the nest of
  // the work runs parallel and vectorized; mutated decisions still replay.
  const Task task =
      Task::from_workload("reduce_sum", {{"M", 2}, {"N", 4096}}, Target("llvm -num_cores=2"));
  EvolutionarySearch search(task, {}, 1);
  const sched::Trace* rf = nullptr;
  for (const sched::Trace& t : search.sketches())
    if (t.as_python().find("rfactor") != std::string::npos) rf = &t;
  ASSERT_NE(rf, nullptr);
  int parallel_and_vector = 0;
  for (int seed = 0; seed < 16; ++seed) {
    std::optional<Candidate> c = search.realize(*rf, sched::RandomEngine(seed));
    ASSERT_TRUE(c.has_value()) << seed;
    const std::string py = c->trace.as_python();
    for (const char* init : {"B_rf_init", "B_init"})
      EXPECT_TRUE(sched::find_block(c->func, init).defined()) << init << "\n" << py;
    parallel_and_vector +=
        py.find(".parallel(") != std::string::npos && py.find(".vectorize(") != std::string::npos;
  }
  EXPECT_GT(parallel_and_vector, 0);

  // Each mutator changes the rfactor sketch's decisions into a program
  // that builds and computes the right sums.
  fuzz::Arguments expected = fuzz::make_arguments(task.func(), 7);
  ir::interpret(task.func(), expected.views);
  const std::optional<Candidate> parent = search.realize(*rf, sched::RandomEngine(1));
  ASSERT_TRUE(parent.has_value());
  sched::RandomEngine rng(5);
  for (const auto& mutator : {mutate_tile_size(), mutate_parallel(), mutate_unroll()}) {
    std::optional<sched::Trace> child;
    for (int attempt = 0; attempt < 8 && !child; ++attempt)
      child = mutator->apply(parent->search_trace, task.func(), rng);
    ASSERT_TRUE(child.has_value()) << mutator->name();
    const std::optional<Candidate> c = search.realize(*child, rng);
    ASSERT_TRUE(c.has_value()) << mutator->name() << "\n" << child->as_python();
    EXPECT_EQ(fuzz::check_built_kernel(c->func, task.target(), 7, expected), "")
        << mutator->name() << "\n"
        << c->trace.as_python();
  }
}

}  // namespace
}  // namespace kiln::search
