// blockize and tensorize: golden cases, one test per refusal, trace round
// trips, and differential runs (the CPU micro-kernel on tiled matmuls, the
// WMMA fragments on a staged float16 matmul, blockize on every workload).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "ir/dsl/te.h"
#include "ir/interpreter.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "schedule/intrinsics/registry.h"
#include "schedule/ir_utils.h"
#include "schedule/schedule.h"
#include "tests/cpp/schedule/differential.h"
#include "workloads/workloads.h"

namespace kiln::sched {
namespace {

using ir::DataType;

ir::PrimFunc matmul(int64_t m, int64_t n, int64_t k) {
  return workloads::get("matmul", {{"M", m}, {"N", n}, {"K", k}}).func;
}

// Splits the loops of `block` by `tiles` (one per loop, 0 to leave a loop
// whole; missing entries repeat the last) and moves every inner part below
// every outer one. Returns the inner parts.
std::vector<LoopRV> tile(Schedule& sch, BlockRV block, std::vector<int64_t> tiles) {
  std::vector<LoopRV> loops = sch.get_loops(block);
  tiles.resize(loops.size(), tiles.back());
  std::vector<LoopRV> outer, inner;
  for (size_t i = 0; i < loops.size(); ++i) {
    if (tiles[i] == 0) {
      outer.push_back(loops[i]);
      continue;
    }
    std::vector<LoopRV> parts = sch.split(loops[i], {std::monostate(), tiles[i]});
    outer.push_back(parts[0]);
    inner.push_back(parts[1]);
  }
  std::vector<LoopRV> order = outer;
  order.insert(order.end(), inner.begin(), inner.end());
  sch.reorder(order);
  return inner;
}

// The float16 matmul C = A * B with float32 accumulation, written with te.
ir::PrimFunc matmul_f16(int64_t n) {
  te::Tensor a = te::placeholder({n, n}, DataType::Float(16), "A");
  te::Tensor b = te::placeholder({n, n}, DataType::Float(16), "B");
  te::ReduceAxis k = te::reduce_axis(0, n, "k");
  te::Tensor c = te::compute({n, n},
                             [&](const std::vector<ir::Var>& v) {
                               return te::sum(ir::cast(DataType::Float(32), a(v[0], k)) *
                                                  ir::cast(DataType::Float(32), b(k, v[1])),
                                              {k});
                             },
                             "C", {"i", "j"});
  return te::create_prim_func({a, b, c}, "matmul_f16");
}

// Runs a float16 matmul (parameters A, B: float16; C: float32) on random
// inputs and returns C.
std::vector<float> run_f16_matmul(const ir::PrimFunc& func, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<uint16_t>> halves;
  std::vector<ir::TensorView> views;
  for (size_t p = 0; p < 2; ++p) {
    const ir::Buffer& b = func->params[p];
    halves.emplace_back(ir::num_elements(b));
    // Sign, an exponent for [1/4, 4) and a random mantissa: finite and exact.
    for (uint16_t& h : halves.back())
      h = static_cast<uint16_t>(((rng() & 1u) << 15) | ((13u + rng() % 4u) << 10) |
                                (rng() & 0x3ffu));
    views.push_back({halves.back().data(), b->dtype, ir::static_shape(b)});
  }
  std::vector<float> out(ir::num_elements(func->params[2]), NAN);
  views.push_back({out.data(), DataType::Float(32), ir::static_shape(func->params[2])});
  ir::interpret(func, views);
  return out;
}

// What cache_read, cache_write and decompose_reduction make of matmul_f16 on
// the way to tensor cores (as in TVM's tensor-core schedules).
Schedule staged_matmul_f16(int64_t n) {
  Schedule sch(matmul_f16(n));
  BlockRV c = sch.get_block("C");
  sch.cache_read(c, 0, "shared");
  sch.cache_read(c, 0, "wmma.matrix_a");
  sch.cache_read(c, 1, "shared");
  sch.cache_read(c, 1, "wmma.matrix_b");
  sch.cache_write(c, 0, "wmma.accumulator");
  sch.decompose_reduction(c, sch.get_loops(c)[0]);
  return sch;
}

// Tiles every WMMA stage of a staged matmul by 16 and tensorizes it.
void tensorize_wmma_stages(Schedule& sch) {
  const std::pair<const char*, const char*> stages[] = {
      {"A_shared_wmma_matrix_a", "wmma_load_a_16x16x16_f16"},
      {"B_shared_wmma_matrix_b", "wmma_load_b_16x16x16_f16"},
      {"C_init", "wmma_fill_16x16x16_f32"},
      {"C", "wmma_sync_16x16x16_f16f16f32"},
      {"C_wmma_accumulator", "wmma_store_16x16x16_f32"}};
  for (const auto& [block, intrin] : stages)
    sch.tensorize(tile(sch, sch.get_block(block), {16})[0], intrin);
}

// The schedule is exactly as before a refused primitive.
void expect_unchanged(const Schedule& before, const Schedule& after) {
  EXPECT_TRUE(ir::structural_equal(before.func(), after.func()));
  EXPECT_EQ(before.trace().size(), after.trace().size());
}

// Runs `primitive` on a copy of `sch`, expecting a ScheduleError whose text
// contains `expected`, and the copy unchanged.
void expect_refusal(const Schedule& sch, const std::function<void(Schedule&)>& primitive,
                    const std::string& expected) {
  Schedule copy = sch.copy();
  try {
    primitive(copy);
    ADD_FAILURE() << "no error; expected one saying: " << expected;
  } catch (const ScheduleError& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
  }
  expect_unchanged(sch, copy);
}

// The trace replays, through JSON, to the same function.
void expect_round_trip(const Schedule& sch) {
  Schedule replay(sch.original());
  Trace::from_json(sch.trace().to_json()).apply_to(replay);
  EXPECT_TRUE(ir::structural_equal(replay.func(), sch.func()));
  EXPECT_EQ(replay.trace().as_python(), sch.trace().as_python());
}

// Both functions compute the same outputs, exactly (blockize and tensorize
// keep every element's order of accumulation).
void expect_same_outputs(const ir::PrimFunc& original, const ir::PrimFunc& scheduled) {
  if (original->params[0]->dtype == DataType::Float(16)) {
    EXPECT_EQ(run_f16_matmul(original, 7), run_f16_matmul(scheduled, 7));
  } else {
    EXPECT_EQ(testing::max_output_difference(original, scheduled, original->params.size() - 1),
              0.0);
  }
}

// ---------------------------------------------------------------------------
// Golden cases: tests/ir_cases/{blockize,tensorize}/<case>.kiln.

struct GoldenCase {
  ir::PrimFunc before;
  std::string schedule;
  ir::PrimFunc expected;
};

GoldenCase read_golden(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  const std::string markers[] = {"## before\n", "## schedule\n", "## expected\n"};
  size_t at[3];
  for (int i = 0; i < 3; ++i) {
    at[i] = all.find(markers[i]);
    if (at[i] == std::string::npos) throw std::runtime_error(path + " lacks " + markers[i]);
  }
  auto section = [&](int i) {
    size_t begin = at[i] + markers[i].size();
    return all.substr(begin, i < 2 ? at[i + 1] - begin : std::string::npos);
  };
  return {ir::parse_prim_func(section(0)), section(1), ir::parse_prim_func(section(2))};
}

// Each case applies, through the C++ API, what its schedule section says.
const std::map<std::string, std::function<void(Schedule&)>>& golden_cases() {
  static const std::map<std::string, std::function<void(Schedule&)>> cases = {
      {"blockize/matmul_tile.kiln",
       [](Schedule& sch) { sch.blockize(tile(sch, sch.get_block("C"), {4})[0]); }},
      {"blockize/matmul_reduction_outside.kiln",
       [](Schedule& sch) {
         sch.blockize(tile(sch, sch.get_block("C"), {4, 4, 0})[0]);
       }},
      {"blockize/matmul_whole_reduction.kiln",
       [](Schedule& sch) {
         std::vector<LoopRV> loops = sch.get_loops(sch.get_block("C"));
         std::vector<LoopRV> i = sch.split(loops[0], {std::monostate(), int64_t{4}});
         std::vector<LoopRV> j = sch.split(loops[1], {std::monostate(), int64_t{4}});
         sch.reorder({i[0], j[0], i[1], j[1]});
         sch.blockize(i[1]);
       }},
      {"blockize/batch_matmul_tile.kiln",
       [](Schedule& sch) {
         sch.blockize(tile(sch, sch.get_block("C"), {0, 4, 4, 4})[0]);
       }},
      {"blockize/elementwise_predicate.kiln",
       [](Schedule& sch) {
         std::vector<LoopRV> loops = sch.get_loops(sch.get_block("relu_scale"));
         sch.blockize(sch.split(loops[0], {std::monostate(), int64_t{4}})[0]);
       }},
      {"tensorize/matmul_dot_4x4x4.kiln",
       [](Schedule& sch) {
         sch.tensorize(tile(sch, sch.get_block("C"), {4})[0], "dot_4x4x4_f32");
       }},
      {"tensorize/batch_matmul_dot_4x4x4.kiln",
       [](Schedule& sch) {
         BlockRV outer = sch.blockize(tile(sch, sch.get_block("C"), {0, 4, 4, 4})[0]);
         sch.tensorize(outer, "dot_4x4x4_f32");
       }},
      {"tensorize/matmul_f16_wmma.kiln", tensorize_wmma_stages},
  };
  return cases;
}

TEST(BlockizeTensorize, GoldenCases) {
  // Every file has a case and every case a file.
  size_t files = 0;
  for (const char* dir : {"blockize", "tensorize"}) {
    for (const auto& entry : std::filesystem::directory_iterator(std::string(KILN_SOURCE_DIR) +
                                                                 "/tests/ir_cases/" + dir)) {
      ++files;
      EXPECT_TRUE(golden_cases().count(std::string(dir) + "/" + entry.path().filename().string()))
          << entry.path();
    }
  }
  EXPECT_EQ(files, golden_cases().size());
  for (const auto& [path, apply] : golden_cases()) {
    SCOPED_TRACE(path);
    GoldenCase c = read_golden(std::string(KILN_SOURCE_DIR) + "/tests/ir_cases/" + path);
    Schedule sch(c.before);
    apply(sch);
    EXPECT_TRUE(ir::structural_equal(sch.func(), c.expected)) << ir::to_script(sch.func());
    EXPECT_EQ(ir::to_script(sch.func()), ir::to_script(c.expected));
    EXPECT_EQ(sch.trace().as_python(), c.schedule);
    expect_round_trip(sch);
    expect_same_outputs(c.before, sch.func());
  }
}

// ---------------------------------------------------------------------------
// blockize

TEST(Blockize, ReturnsTheOuterBlockAndKeepsLoopHandles) {
  Schedule sch(matmul(8, 8, 8));
  std::vector<LoopRV> inner = tile(sch, sch.get_block("C"), {4});
  BlockRV outer = sch.blockize(inner[0]);
  EXPECT_EQ(sch.block_name(outer), "C_o");
  // The loops of the tile moved into the block and are still handles.
  sch.reorder({inner[1], inner[0]});
  EXPECT_EQ(sch.get_loops(outer).size(), 3u);
  expect_same_outputs(sch.original(), sch.func());
}

TEST(Blockize, ErrorLoopHoldsTwoBlocks) {
  Schedule sch(ir::parse_prim_func(R"(@kiln.prim_func
def two(A: Buffer((8,), "float32"), B: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    for i in range(8):
        with block("B"):
            vi = axis.remap("S", [i])
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] + 1.0
        with block("C"):
            vi = axis.remap("S", [i])
            reads(A[vi])
            writes(C[vi])
            C[vi] = A[vi] * 2.0
)"));
  LoopRV i = sch.get_loops(sch.get_block("B"))[0];
  expect_refusal(
      sch, [&](Schedule& s) { s.blockize(i); },
      "is not a nest of loops around a single block (it holds 2 blocks)");
}

TEST(Blockize, ErrorBindingDoesNotDivide) {
  // The loop inside is the high digit of vi, the loop outside the low one.
  Schedule sch(matmul(8, 8, 8));
  std::vector<LoopRV> loops = sch.get_loops(sch.get_block("C"));
  std::vector<LoopRV> i = sch.split(loops[0], {int64_t{2}, int64_t{4}});
  sch.reorder({i[1], i[0]});
  expect_refusal(
      sch, [&](Schedule& s) { s.blockize(i[0]); }, "not the low digits of the index");
}

TEST(Blockize, ErrorPredicateAcrossTheLoop) {
  Schedule sch(matmul(10, 8, 8));
  std::vector<LoopRV> loops = sch.get_loops(sch.get_block("C"));
  std::vector<LoopRV> i = sch.split(loops[0], {std::monostate(), int64_t{4}});
  expect_refusal(
      sch, [&](Schedule& s) { s.blockize(i[1]); },
      "involves loops both inside and outside loop `i_1`");
}

TEST(Blockize, ErrorInitWithPredicateInside) {
  Schedule sch(matmul(8, 8, 10));
  std::vector<LoopRV> loops = sch.get_loops(sch.get_block("C"));
  std::vector<LoopRV> k = sch.split(loops[2], {std::monostate(), int64_t{4}});
  expect_refusal(
      sch, [&](Schedule& s) { s.blockize(k[0]); },
      "a predicate inside the tile would skip part of it");
}

TEST(Blockize, ErrorInitUnderALoopOfBothKinds) {
  Schedule sch(matmul(8, 8, 8));
  std::vector<LoopRV> loops = sch.get_loops(sch.get_block("C"));
  LoopRV jk = sch.fuse({loops[1], loops[2]});
  expect_refusal(
      sch, [&](Schedule& s) { s.blockize(jk); }, "drives both spatial and reduction iter vars");
}

TEST(Blockize, ErrorInitUnderARepeatingLoop) {
  // `r` repeats the whole reduction; inside one block, the init would run
  // once for both repetitions and the sum would double.
  Schedule sch(ir::parse_prim_func(R"(@kiln.prim_func
def repeat(A: Buffer((4, 4), "float32"), S: Buffer((4,), "float32")):
    for i, r, k in grid(4, 2, 4):
        with block("S"):
            vi, vk = axis.remap("SR", [i, k])
            reads(A[vi, vk])
            writes(S[vi])
            with init():
                S[vi] = 0.0
            S[vi] = S[vi] + A[vi, vk]
)"));
  LoopRV r = sch.get_loops(sch.get_block("S"))[1];
  expect_refusal(
      sch, [&](Schedule& s) { s.blockize(r); }, "do not reach every element of the tile once");
}

TEST(Blockize, ErrorNameTaken) {
  Schedule sch(matmul(8, 8, 8));
  std::vector<LoopRV> inner = tile(sch, sch.get_block("C"), {4});
  sch.blockize(inner[0]);
  expect_refusal(
      sch, [&](Schedule& s) { s.blockize(inner[1]); }, "a block named \"C_o\" already exists");
}

// Blockize wherever it is legal, in every workload, after splitting the
// outermost loop of each block: the program computes the same.
TEST(Blockize, DifferentialOnEveryWorkload) {
  int applied = 0;
  for (const std::string& name : workloads::list()) {
    ir::PrimFunc func = workloads::get(name).func;
    Schedule base(func);
    for (const ir::Stmt& realize : all_blocks(func)) {
      const std::string& block = realize.as<ir::BlockRealizeNode>()->block->name;
      Schedule split = base.copy();
      std::vector<LoopRV> loops = split.get_loops(split.get_block(block));
      if (loops.empty()) continue;
      split.split(loops[0], {std::monostate(), int64_t{2}});
      for (LoopRV loop : split.get_loops(split.get_block(block))) {
        Schedule sch = split.copy();
        try {
          sch.blockize(loop);
        } catch (const ScheduleError&) {
          continue;
        }
        ++applied;
        SCOPED_TRACE(name + "\n" + sch.trace().as_python());
        EXPECT_LE(testing::max_output_difference(func, sch.func(), func->params.size() - 1), 0.0);
        expect_round_trip(sch);
      }
    }
  }
  EXPECT_GE(applied, 40);
}

// ---------------------------------------------------------------------------
// tensorize

TEST(Tensorize, DotKernelOnTiledMatmuls) {
  for (auto [m, n, k] : {std::tuple<int64_t, int64_t, int64_t>{4, 4, 4}, {8, 12, 16}, {16, 8, 4}}) {
    Schedule sch(matmul(m, n, k));
    sch.tensorize(tile(sch, sch.get_block("C"), {4})[0], "dot_4x4x4_f32");
    expect_same_outputs(sch.original(), sch.func());
    expect_round_trip(sch);
  }
}

TEST(Tensorize, DotKernelAfterDecomposeReduction) {
  // The update block has no init left; its outer block matches as it is.
  Schedule sch(matmul(8, 8, 8));
  BlockRV c = sch.get_block("C");
  std::vector<LoopRV> inner = tile(sch, c, {4});
  sch.decompose_reduction(c, sch.get_loops(c)[0]);
  sch.tensorize(inner[0], "dot_4x4x4_f32");
  expect_same_outputs(sch.original(), sch.func());
  expect_round_trip(sch);
}

// The TVM tensor-core flow from a te definition: stage through shared
// memory and fragments, tile by 16, tensorize each stage.
TEST(Tensorize, WmmaOnStagedFloat16Matmul) {
  Schedule sch = staged_matmul_f16(32);
  tensorize_wmma_stages(sch);
  EXPECT_EQ(run_f16_matmul(matmul_f16(32), 3), run_f16_matmul(sch.func(), 3));
  expect_round_trip(sch);
  // Each tensorized block names its intrinsic and the call that carries it out.
  std::string text = ir::to_script(sch.func());
  for (const char* call : {"load_matrix_sync", "fill_fragment", "mma_sync", "store_matrix_sync"})
    EXPECT_NE(text.find(std::string("nvcuda::wmma::") + call), std::string::npos) << call;
}

TEST(Tensorize, ImplementationIsFreshInEveryBlock) {
  // Two tensorized tiles must not share loop variables.
  Schedule sch = staged_matmul_f16(32);
  tensorize_wmma_stages(sch);
  EXPECT_TRUE(ir::structural_equal(ir::parse_prim_func(ir::to_script(sch.func())), sch.func()));
}

TEST(Tensorize, ErrorUnknownIntrinsic) {
  Schedule sch(matmul(8, 8, 8));
  LoopRV loop = tile(sch, sch.get_block("C"), {4})[0];
  expect_refusal(
      sch, [&](Schedule& s) { s.tensorize(loop, "dot_5x5x5"); },
      "there is no tensor intrinsic \"dot_5x5x5\"");
  expect_refusal(
      sch, [&](Schedule& s) { s.tensorize(loop, "dot_5x5x5"); }, "dot_4x4x4_f32");
}

TEST(Tensorize, ErrorShapeMismatch) {
  Schedule sch(matmul(16, 16, 16));
  LoopRV loop = tile(sch, sch.get_block("C"), {8})[0];
  expect_refusal(
      sch, [&](Schedule& s) { s.tensorize(loop, "dot_4x4x4_f32"); },
      "loop `i_1` runs over [0, +8) where the description's loop `i` runs over [0, +4)");
}

TEST(Tensorize, ErrorBodyMismatch) {
  // dense reads W[j, k]: the description reads B[k, j].
  Schedule sch(workloads::get("dense_bias_relu", {{"M", 8}, {"N", 8}, {"K", 8}}).func);
  LoopRV loop = tile(sch, sch.get_block("dense"), {4})[0];
  expect_refusal(
      sch, [&](Schedule& s) { s.tensorize(loop, "dot_4x4x4_f32"); },
      "where the description accesses `B[vk, vj]`");
  // A max-reduction is not a sum.
  Schedule pool(workloads::get("max_pool2d").func);
  BlockRV block = pool.get_block("max_pool");
  expect_refusal(
      pool, [&](Schedule& s) { s.tensorize(block, "dot_4x4x4_f32"); },
      "does not match tensor intrinsic");
}

TEST(Tensorize, ErrorScopeMismatch) {
  // Tensor cores read fragments, not global memory.
  Schedule sch(matmul_f16(32));
  LoopRV loop = tile(sch, sch.get_block("C"), {16})[0];
  expect_refusal(
      sch, [&](Schedule& s) { s.tensorize(loop, "wmma_sync_16x16x16_f16f16f32"); },
      "`C` (float32, scope \"global\", 2 dimensions) cannot stand for the description's `C` "
      "(float32, "
      "scope \"wmma.accumulator\", 2 dimensions)");
}

TEST(TensorIntrinRegistry, RegistersAndRefusesMalformedPairs) {
  const TensorIntrin& dot = get_tensor_intrin("dot_4x4x4_f32");
  EXPECT_THROW(register_tensor_intrin("dot_4x4x4_f32", dot.desc, dot.impl), std::invalid_argument);
  // An implementation with blocks in it could not be pasted twice.
  EXPECT_THROW(register_tensor_intrin("dot_copy", dot.desc, dot.desc), std::invalid_argument);
  // Nor one that writes a buffer of its own.
  ir::PrimFunc scratch = ir::parse_prim_func(R"(@kiln.prim_func
def scratch(A: Buffer((4, 4), "float32"), B: Buffer((4, 4), "float32"), C: Buffer((4, 4), "float32")):
    T = alloc_buffer((4, 4), "float32")
    for i, j in grid(4, 4):
        T[i, j] = A[i, j]
)");
  EXPECT_THROW(register_tensor_intrin("dot_scratch", dot.desc, scratch), std::invalid_argument);
  EXPECT_THROW(get_tensor_intrin("nothing"), std::invalid_argument);
  register_tensor_intrin("dot_4x4x4_f32_again", dot.desc, dot.impl);
  Schedule sch(matmul(8, 8, 8));
  sch.tensorize(tile(sch, sch.get_block("C"), {4})[0], "dot_4x4x4_f32_again");
  expect_same_outputs(sch.original(), sch.func());
}

}  // namespace
}  // namespace kiln::sched
