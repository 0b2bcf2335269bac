// compute_at, reverse_compute_at and sample_compute_location: golden cases,
// one test per refusal, trace round trips, and differential runs over the
// workloads (including every location sample_compute_location offers and
// every loop reverse_compute_at accepts).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "schedule/ir_utils.h"
#include "schedule/schedule.h"
#include "tests/cpp/schedule/differential.h"
#include "tests/cpp/schedule/schedule_checks.h"
#include "workloads/workloads.h"

namespace kiln::sched {
namespace {

size_t num_inputs(const ir::PrimFunc& func) { return func->params.size() - 1; }

// ---------------------------------------------------------------------------
// Golden cases: tests/ir_cases/{compute_at,reverse_compute_at}/<case>.kiln.

struct GoldenCase {
  std::string path;
  ir::PrimFunc before;
  std::string schedule;
  ir::PrimFunc expected;
};

GoldenCase read_case(const std::filesystem::path& path) {
  testing::GoldenCase c = testing::read_golden_file(path.string());
  return {path.string(), ir::parse_prim_func(c.before), c.schedule,
          ir::parse_prim_func(c.expected)};
}

std::vector<GoldenCase> cases_of(const std::string& primitive) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(KILN_SOURCE_DIR) +
                                                               "/tests/ir_cases/" + primitive))
    if (entry.path().extension() == ".kiln") paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  std::vector<GoldenCase> cases;
  for (const auto& p : paths) cases.push_back(read_case(p));
  return cases;
}

std::vector<std::string> split_names(const std::string& list) {
  std::vector<std::string> names;
  std::regex name(R"(\w+)");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), name); it != std::sregex_iterator();
       ++it)
    names.push_back(it->str());
  return names;
}

// Applies a schedule section (the instructions the golden cases use)
// through the C++ API.
void apply_schedule(Schedule& sch, const std::string& schedule) {
  static const std::regex get_block(R"re((\w+) = sch\.get_block\("(\w+)"\))re");
  static const std::regex get_loops(R"re((.+) = sch\.get_loops\((\w+)\))re");
  static const std::regex split(R"re((.+) = sch\.split\((\w+), factors=\[(.*)\]\))re");
  static const std::regex reorder(R"re(sch\.reorder\((.*)\))re");
  static const std::regex move(
      R"re(sch\.(compute_at|reverse_compute_at)\((\w+), (\w+), preserve_unit_loops=(True|False), index=(-?\d+)\))re");
  std::map<std::string, BlockRV> blocks;
  std::map<std::string, LoopRV> loops;
  auto name_loops = [&](const std::string& lhs, const std::vector<LoopRV>& out) {
    std::vector<std::string> names = split_names(lhs);
    ASSERT_EQ(names.size(), out.size());
    for (size_t i = 0; i < out.size(); ++i) loops[names[i]] = out[i];
  };
  std::istringstream lines(schedule);
  std::string line;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (std::regex_match(line, m, get_block)) {
      blocks[m[1]] = sch.get_block(m[2]);
    } else if (std::regex_match(line, m, get_loops)) {
      name_loops(m[1], sch.get_loops(blocks.at(m[2])));
    } else if (std::regex_match(line, m, split)) {
      std::vector<Factor> factors;
      for (const std::string& f : split_names(m[3]))
        factors.push_back(f == "None" ? Factor(std::monostate()) : Factor(int64_t{std::stoll(f)}));
      name_loops(m[1], sch.split(loops.at(m[2]), factors));
    } else if (std::regex_match(line, m, reorder)) {
      std::vector<LoopRV> order;
      for (const std::string& l : split_names(m[1])) order.push_back(loops.at(l));
      sch.reorder(order);
    } else if (std::regex_match(line, m, move)) {
      const bool preserve = m[4] == "True";
      const int index = std::stoi(m[5]);
      if (m[1] == "compute_at")
        sch.compute_at(blocks.at(m[2]), loops.at(m[3]), preserve, index);
      else
        sch.reverse_compute_at(blocks.at(m[2]), loops.at(m[3]), preserve, index);
    } else {
      ADD_FAILURE() << "unexpected schedule line: " << line;
    }
  }
}

void check_golden(const std::string& primitive) {
  std::vector<GoldenCase> cases = cases_of(primitive);
  EXPECT_GE(cases.size(), 3u);
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(c.path);
    Schedule sch(c.before);
    apply_schedule(sch, c.schedule);
    EXPECT_TRUE(ir::structural_equal(sch.func(), c.expected)) << ir::to_script(sch.func());
    EXPECT_EQ(sch.trace().as_python(), c.schedule);
    EXPECT_EQ(ir::to_script(sch.func()), ir::to_script(c.expected));
    EXPECT_EQ(testing::max_output_difference(c.before, sch.func(), num_inputs(c.before)), 0.0);
    // Trace round trip: JSON and back, replayed on the original.
    Schedule replay(c.before);
    Trace::from_json(nlohmann::json::parse(sch.trace().to_json().dump())).apply_to(replay);
    EXPECT_TRUE(ir::structural_equal(replay.func(), c.expected));
  }
}

TEST(ComputeAt, GoldenCases) { check_golden("compute_at"); }
TEST(ReverseComputeAt, GoldenCases) { check_golden("reverse_compute_at"); }

// ---------------------------------------------------------------------------
// Refusals: each leaves the schedule exactly as it was.

struct Target {
  std::string block;
  std::string loop_block;  // the block whose loops hold the target loop
  size_t loop_index;
};

void expect_refused(const ir::PrimFunc& func, const std::string& primitive, const Target& t,
                    const std::string& says, int index = -1) {
  Schedule sch(func);
  BlockRV b = sch.get_block(t.block);
  LoopRV l = sch.get_loops(sch.get_block(t.loop_block)).at(t.loop_index);
  const ir::PrimFunc before = sch.func();
  const size_t trace_length = sch.trace().size();
  try {
    if (primitive == "compute_at")
      sch.compute_at(b, l, false, index);
    else
      sch.reverse_compute_at(b, l, false, index);
    ADD_FAILURE() << primitive << " accepted " << t.block << ":\n" << ir::to_script(sch.func());
  } catch (const ScheduleError& e) {
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    EXPECT_EQ(e.primitive(), primitive);
    EXPECT_FALSE(e.hint().empty());
  }
  EXPECT_TRUE(sch.func() == before);
  EXPECT_EQ(sch.trace().size(), trace_length);
}

void expect_refused(const std::string& text, const std::string& primitive, const Target& t,
                    const std::string& says, int index = -1) {
  expect_refused(ir::parse_prim_func(text), primitive, t, says, index);
}

ir::PrimFunc workload(const std::string& name) { return workloads::get(name).func; }

// The workload at a small shape (odd spatial sizes, so that splits leave
// tails), for the tests that run the interpreter many times.
ir::PrimFunc small_workload(const std::string& name) {
  std::map<std::string, int64_t> shape;
  for (const auto& [key, value] : workloads::default_shape(name)) {
    if (key == "C" || key == "K")
      shape[key] = 4;
    else if (key == "H" || key == "W")
      shape[key] = 7;
    else if (key == "M" || key == "N")
      shape[key] = 12;
  }
  return workloads::get(name, shape).func;
}

ir::PrimFunc golden_before(const std::string& primitive, const std::string& name) {
  return read_case(std::string(KILN_SOURCE_DIR) + "/tests/ir_cases/" + primitive + "/" + name +
                   ".kiln")
      .before;
}

// A producer B and consumer C of one 8-element buffer, for the refusals
// that need a hand-made program; `between` goes between the two nests.
std::string pipeline(const std::string& b_block, const std::string& between = "") {
  return R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), X: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
)" + b_block +
         between +
         R"(    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi]
)";
}

const char* kPlainB = R"(    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi]
)";

TEST(ComputeAt, RefusesALoopInAnotherScope) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi]
    with block("outer"):
        reads(B[0:8])
        writes(C[0:8])
        for i in range(8):
            with block("C"):
                vi = axis.spatial(8, i)
                reads(B[vi])
                writes(C[vi])
                C[vi] = B[vi]
)",
                 "compute_at", {"B", "C", 0}, "not in the same block scope");
}

TEST(ComputeAt, RefusesALoopAroundTheBlock) {
  expect_refused(workload("transpose_add"), "compute_at", {"transpose_add", "transpose_add", 0},
                 "already encloses");
}

TEST(ComputeAt, RefusesALoopBeforeTheBlock) {
  expect_refused(workload("transpose_add"), "compute_at", {"relu_scale", "transpose_add", 0},
                 "runs before block");
}

TEST(ReverseComputeAt, RefusesALoopAfterTheBlock) {
  expect_refused(workload("transpose_add"), "reverse_compute_at",
                 {"transpose_add", "relu_scale", 0}, "runs after block");
}

TEST(ComputeAt, RefusesASecondWriter) {
  expect_refused(pipeline(kPlainB, R"(    for i in range(8):
        with block("B2"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] * 2.0
)"),
                 "compute_at", {"B", "C", 0}, "not the only writer of `B`");
}

TEST(ComputeAt, RefusesAnOutputBlock) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), B: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi]
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi]
)",
                 "compute_at", {"B", "C", 0}, "writes the function output `B`");
}

TEST(ComputeAt, RefusesABlockAccumulatingWithoutInit) {
  expect_refused(pipeline(R"(    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi], B[vi])
            writes(B[vi])
            B[vi] = B[vi] + A[vi]
)"),
                 "compute_at", {"B", "C", 0}, "reads what it writes");
}

TEST(ComputeAt, RefusesAReductionWrittenAtItsReductionVar) {
  expect_refused(pipeline(R"(    for i in range(8):
        with block("B"):
            vi = axis.reduce(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi]
)"),
                 "compute_at", {"B", "C", 0}, "at an index of its reduction iter var `vi`");
}

TEST(ComputeAt, RefusesIterationsThatOverwriteEachOther) {
  expect_refused(pipeline(R"(    for i, j in grid(8, 2):
        with block("B"):
            vi, vj = axis.remap("SS", [i, j])
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] * cast("float32", vj)
)"),
                 "compute_at", {"B", "C", 0}, "overwrite each other's points of `B`");
}

TEST(ComputeAt, RefusesAConsumerOutsideTheLoop) {
  expect_refused(workload("softmax"), "compute_at", {"exp", "row_sum", 0},
                 "block \"softmax\" reads `exp");
}

TEST(ComputeAt, RefusesMovingPastAWriterOfItsInput) {
  expect_refused(pipeline(kPlainB, R"(    for i in range(8):
        with block("W"):
            vi = axis.spatial(8, i)
            reads(X[vi])
            writes(A[vi])
            A[vi] = X[vi]
)"),
                 "compute_at", {"B", "C", 0}, "block \"W\" writes `A`, which block \"B\" reads");
}

TEST(ComputeAt, RefusesALoopWithoutConsumers) {
  // Nothing reads B.
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
)" + std::string(kPlainB) +
                     R"(    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(C[vi])
            C[vi] = A[vi]
)",
                 "compute_at", {"B", "C", 0}, "no block under loop `i` reads");
}

TEST(ComputeAt, RefusesAnIndexThatBreaksDataflow) {
  // The body of C's loop i is [D's loop, C's loop]: B may go at 0 or 1.
  expect_refused(golden_before("compute_at", "index_before_other_block"), "compute_at",
                 {"B", "C", 0}, "index 2 is no valid position", 2);
}

TEST(ReverseComputeAt, RefusesMovingBeforeAReaderOfItsOutput) {
  expect_refused(pipeline(kPlainB, R"(    for i in range(8):
        with block("R"):
            vi = axis.spatial(8, i)
            reads(C[vi])
            writes(X[vi])
            X[vi] = C[vi]
)"),
                 "reverse_compute_at", {"C", "B", 0},
                 "block \"R\" reads `C`, which block \"C\" writes");
}

TEST(ReverseComputeAt, RefusesAProducerOutsideTheLoop) {
  expect_refused(
      workload("softmax"), "reverse_compute_at", {"softmax", "exp", 0},
      "block \"row_sum\" writes `row_sum`, which block \"softmax\" reads, but is not under");
}

TEST(ReverseComputeAt, RefusesALoopWithoutProducers) {
  expect_refused(pipeline(kPlainB, R"(    for i in range(8):
        with block("W"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(X[vi])
            X[vi] = A[vi]
)"),
                 "reverse_compute_at", {"C", "W", 0}, "no block under loop `i` writes");
}

TEST(ReverseComputeAt, RefusesAProducerUnderAPredicate) {
  Schedule sch(golden_before("reverse_compute_at", "relu_at_matmul_tile"));
  std::vector<LoopRV> loops = sch.get_loops(sch.get_block("C"));
  sch.split(loops[0], {std::monostate(), int64_t{3}});
  expect_refused(sch.func(), "reverse_compute_at", {"D", "C", 0}, "runs under a predicate");
}

TEST(ReverseComputeAt, RefusesAProducerWithFusedLoops) {
  Schedule sch(golden_before("reverse_compute_at", "relu_at_matmul_tile"));
  std::vector<LoopRV> loops = sch.get_loops(sch.get_block("C"));
  LoopRV fused = sch.fuse({loops[0], loops[1]});
  // Tiles of 32 cross rows of 16: the row index depends on the inner loop.
  sch.split(fused, {std::monostate(), int64_t{32}});
  expect_refused(sch.func(), "reverse_compute_at", {"D", "C", 0}, "is not a sum of loops inside");
}

TEST(ReverseComputeAt, RefusesAReductionThatSpansTheLoop) {
  expect_refused(golden_before("reverse_compute_at", "relu_at_matmul_tile"), "reverse_compute_at",
                 {"D", "C", 2}, "reduces over `vk` across iterations of loop `k`");
}

TEST(ReverseComputeAt, RefusesSplittingItsOwnReduction) {
  expect_refused(golden_before("reverse_compute_at", "reduction_at_producer_row"),
                 "reverse_compute_at", {"C", "B", 1}, "only part of its reduction over `vk`");
}

TEST(ReverseComputeAt, RefusesReadingMoreThanTheProducerWrote) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((10,), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((10,), "float32")
    for i in range(10):
        with block("B"):
            vi = axis.spatial(10, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi]
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi:vi + 3])
            writes(C[vi])
            C[vi] = B[vi] + B[vi + 2]
)",
                 "reverse_compute_at", {"C", "B", 0},
                 "would read more of `B` than its producer has written");
}

TEST(ReverseComputeAt, RefusesAProducerWhoseInputIsNotFinal) {
  // U writes row i of Y1; W reads rows i - 1 and i, so in one iteration of
  // loop i it reads a row U wrote in the previous one.
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    Y1 = alloc_buffer((9,), "float32")
    Y2 = alloc_buffer((8,), "float32")
    for i in range(8):
        with block("U"):
            vi = axis.spatial(9, i + 1)
            reads(A[vi - 1])
            writes(Y1[vi])
            Y1[vi] = A[vi - 1]
        with block("W"):
            vi = axis.spatial(8, i)
            reads(Y1[vi:vi + 2])
            writes(Y2[vi])
            Y2[vi] = Y1[vi] + Y1[vi + 1]
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(Y2[vi])
            writes(C[vi])
            C[vi] = Y2[vi]
)",
                 "reverse_compute_at", {"C", "W", 0}, "block \"W\" reads `Y1` in one iteration");
}

TEST(ReverseComputeAt, RefusesMissingPointsOfItsDomain) {
  // Loop i writes Y1[i] and Y2[i]: C (over vi, vj) could run only its diagonal.
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8, 8), "float32")):
    Y1 = alloc_buffer((8,), "float32")
    Y2 = alloc_buffer((8,), "float32")
    for i in range(8):
        with block("P1"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(Y1[vi])
            Y1[vi] = A[vi]
        with block("P2"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(Y2[vi])
            Y2[vi] = A[vi] * 2.0
    for i, j in grid(8, 8):
        with block("C"):
            vi, vj = axis.remap("SS", [i, j])
            reads(Y1[vi], Y2[vj])
            writes(C[vi, vj])
            C[vi, vj] = Y1[vi] + Y2[vj]
)",
                 "reverse_compute_at", {"C", "P1", 0}, "would not run every point of its domain");
}

// ---------------------------------------------------------------------------
// sample_compute_location.

// The locations sample_compute_location offers for `block`, by decision.
std::vector<int64_t> offered_locations(const ir::PrimFunc& func, const std::string& block) {
  std::vector<int64_t> offered;
  for (int64_t decision = -2; decision < 16; ++decision) {
    Schedule sch(func);
    BlockRV b = sch.get_block(block);
    sch.sample_compute_location(b, decision);
    if (std::get<int64_t>(*sch.trace().decision_of(1)) == decision) offered.push_back(decision);
  }
  return offered;
}

TEST(SampleComputeLocation, OffersRootInlineAndTheLegalLoops) {
  // pad: inline, root, and each loop of conv2d above its reduction that
  // keeps every consumer inside (all seven loops enclose the one consumer).
  EXPECT_EQ(offered_locations(workload("conv2d_nhwc"), "pad"),
            (std::vector<int64_t>{-2, -1, 0, 1, 2, 3, 4, 5, 6}));
  // exp has two consumers in different nests: no loop holds both.
  EXPECT_EQ(offered_locations(workload("softmax"), "exp"), (std::vector<int64_t>{-2, -1}));
  // dense is a reduction (not inlinable) and bias_add reads it.
  EXPECT_EQ(offered_locations(workload("dense_bias_relu"), "dense"),
            (std::vector<int64_t>{-1, 0, 1}));
  // relu writes the output: only the root.
  EXPECT_EQ(offered_locations(workload("dense_bias_relu"), "relu"), (std::vector<int64_t>{-1}));
}

TEST(SampleComputeLocation, TheRootLocationKeepsTheBlockAndTheInlineLocationInlines) {
  const ir::PrimFunc func = workload("conv2d_nhwc");
  Schedule root(func);
  BlockRV pad = root.get_block("pad");
  LoopRV at = root.sample_compute_location(pad, -1);
  EXPECT_TRUE(root.loop_var(at).same_as(Schedule::compute_root_mark()));
  root.compute_at(pad, at);
  EXPECT_TRUE(ir::structural_equal(root.func(), func));
  EXPECT_EQ(root.trace().as_python(),
            "b0 = sch.get_block(\"pad\")\n"
            "l1 = sch.sample_compute_location(b0, decision=-1)\n"
            "sch.compute_at(b0, l1, preserve_unit_loops=False, index=-1)\n");

  Schedule inlined(func), reference(func);
  BlockRV p = inlined.get_block("pad");
  inlined.compute_at(p, inlined.sample_compute_location(p, -2));
  reference.compute_inline(reference.get_block("pad"));
  EXPECT_TRUE(ir::structural_equal(inlined.func(), reference.func()));
}

TEST(SampleComputeLocation, RepairsAStaleDecisionAndReplaysMutations) {
  const ir::PrimFunc func = small_workload("conv2d_nhwc");
  Schedule sch(func, 7);
  BlockRV pad = sch.get_block("pad");
  sch.compute_at(pad, sch.sample_compute_location(pad, 40));
  const int64_t repaired = std::get<int64_t>(*sch.trace().decision_of(1));
  EXPECT_GE(repaired, -2);
  EXPECT_LE(repaired, 6);
  EXPECT_EQ(testing::max_output_difference(func, sch.func(), num_inputs(func)), 0.0);
  // Every decision, replayed as a mutation of this trace, gives a valid program.
  for (int64_t decision : offered_locations(func, "pad")) {
    SCOPED_TRACE(decision);
    Schedule mutated(func);
    sch.trace().with_decision(1, decision).apply_to(mutated);
    EXPECT_EQ(std::get<int64_t>(*mutated.trace().decision_of(1)), decision);
    EXPECT_EQ(testing::max_output_difference(func, mutated.func(), num_inputs(func)), 0.0);
    Schedule replay(func);
    Trace::from_json(mutated.trace().to_json()).apply_to(replay);
    EXPECT_TRUE(ir::structural_equal(replay.func(), mutated.func()));
  }
}

// ---------------------------------------------------------------------------
// Differential runs: the moved programs compute what the originals compute.

void expect_same_outputs(const ir::PrimFunc& original, const Schedule& sch) {
  EXPECT_LE(testing::max_output_difference(original, sch.func(), num_inputs(original)), 1e-5)
      << sch.trace().as_python() << ir::to_script(sch.func());
}

TEST(ComputeAt, DenseBiasReluChainAfterTiling) {
  const ir::PrimFunc func = workload("dense_bias_relu");
  for (int64_t tile : {4, 8, 5}) {
    SCOPED_TRACE(tile);
    Schedule sch(func);
    std::vector<LoopRV> loops = sch.get_loops(sch.get_block("relu"));
    std::vector<LoopRV> i = sch.split(loops[0], {std::monostate(), tile});
    std::vector<LoopRV> j = sch.split(loops[1], {std::monostate(), tile});
    sch.reorder({i[0], j[0], i[1], j[1]});
    sch.compute_at(sch.get_block("bias_add"), j[0]);
    sch.compute_at(sch.get_block("dense"), j[0]);
    expect_same_outputs(func, sch);
  }
}

TEST(ComputeAt, ConvPadAtEveryConvLoop) {
  const ir::PrimFunc func = small_workload("conv2d_nhwc");
  for (size_t loop = 0; loop < 7; ++loop) {
    for (bool preserve : {false, true}) {
      SCOPED_TRACE(loop);
      Schedule sch(func);
      std::vector<LoopRV> loops = sch.get_loops(sch.get_block("conv2d"));
      sch.split(loops[2], {std::monostate(), int64_t{4}});
      std::vector<LoopRV> all = sch.get_loops(sch.get_block("conv2d"));
      sch.compute_at(sch.get_block("pad"), all[loop], preserve);
      expect_same_outputs(func, sch);
    }
  }
}

TEST(ComputeAt, SoftmaxExpAtTheRowLoop) {
  const ir::PrimFunc func = workload("softmax");
  Schedule sch(func);
  std::vector<LoopRV> rows = sch.get_loops(sch.get_block("row_sum"));
  sch.reverse_compute_at(sch.get_block("softmax"), rows[0]);
  sch.compute_at(sch.get_block("exp"), rows[0]);
  sch.compute_at(sch.get_block("row_max"), rows[0]);
  expect_same_outputs(func, sch);
  // All four stages now share one row loop.
  EXPECT_EQ(child_blocks(find_loop(sch.func(), sch.loop_var(rows[0]))).size(), 4u);
}

TEST(ComputeAt, TransposeAddAfterSplitAndFuse) {
  const ir::PrimFunc func = workload("transpose_add");
  Schedule sch(func);
  std::vector<LoopRV> loops = sch.get_loops(sch.get_block("relu_scale"));
  LoopRV fused = sch.fuse({loops[0], loops[1]});
  std::vector<LoopRV> tiles = sch.split(fused, {std::monostate(), int64_t{48}});
  sch.compute_at(sch.get_block("transpose_add"), tiles[0]);
  expect_same_outputs(func, sch);
}

// Every location sample_compute_location offers, for every block of every
// workload (after a split of its first consumer's loops), and every loop at
// which reverse_compute_at accepts a block, computes the original outputs.
TEST(ComputeAt, EveryAcceptedMoveOnEveryWorkloadIsExact) {
  int accepted_reverse = 0, sampled = 0;
  for (const std::string& name : workloads::list()) {
    SCOPED_TRACE(name);
    const ir::PrimFunc func = small_workload(name);
    std::vector<std::string> blocks;
    for (const ir::Stmt& b : all_blocks(func))
      blocks.push_back(b.as<ir::BlockRealizeNode>()->block->name);
    for (const std::string& block : blocks) {
      for (int64_t decision = -2; decision < 8; ++decision) {
        Schedule sch(func);
        BlockRV b = sch.get_block(block);
        std::vector<BlockRV> consumers = sch.get_consumers(b);
        if (!consumers.empty()) {
          std::vector<LoopRV> loops = sch.get_loops(consumers[0]);
          sch.split(loops.back(), {std::monostate(), int64_t{3}});
        }
        LoopRV at = sch.sample_compute_location(b, decision);
        if (std::get<int64_t>(*sch.trace().decision_of(sch.trace().size() - 1)) != decision)
          continue;
        sch.compute_at(b, at);
        ++sampled;
        expect_same_outputs(func, sch);
      }
      for (const std::string& producer : blocks) {
        Schedule probe(func);
        const size_t num_loops = probe.get_loops(probe.get_block(producer)).size();
        for (size_t loop = 0; loop < num_loops; ++loop) {
          Schedule sch(func);
          BlockRV b = sch.get_block(block);
          LoopRV l = sch.get_loops(sch.get_block(producer))[loop];
          try {
            sch.reverse_compute_at(b, l);
          } catch (const ScheduleError&) {
            continue;
          }
          ++accepted_reverse;
          expect_same_outputs(func, sch);
        }
      }
    }
  }
  EXPECT_GT(sampled, 20);
  EXPECT_GT(accepted_reverse, 10);
}

}  // namespace
}  // namespace kiln::sched

namespace kiln::sched {
namespace {

// A shared buffer computed under a threadIdx loop holds what every thread of
// the block reads: the region is relaxed over the thread loops (cooperative
// fetching), not cut to the one thread's slice.
TEST(ComputeAt, SharedBufferCoversEveryThreadOfTheBlock) {
  ir::PrimFunc func = workloads::get("matmul", {{"M", 16}, {"N", 8}, {"K", 12}}).func;
  Schedule sch(func);
  BlockRV c = sch.get_block("C");
  std::vector<LoopRV> loops = sch.get_loops(c);
  std::vector<LoopRV> i = sch.split(loops[0], {int64_t{4}, int64_t{4}});
  sch.bind(i[0], "blockIdx.x");
  sch.bind(i[1], "threadIdx.x");
  BlockRV shared = sch.cache_read(c, 0, "shared");
  sch.compute_at(shared, i[1]);
  std::vector<LoopRV> fetch = sch.get_loops(shared);
  ASSERT_EQ(fetch.size(), 4u);
  auto extent = [&](LoopRV l) {
    return *ir::as_const_int(sch.loop_stmt(l).as<ir::ForNode>()->extent);
  };
  EXPECT_EQ(extent(fetch[2]), 4) << ir::to_script(sch.func());   // the block's 4 rows
  EXPECT_EQ(extent(fetch[3]), 12) << ir::to_script(sch.func());  // all of K
  EXPECT_LE(testing::max_output_difference(func, sch.func(), 2), 1e-5);
}

}  // namespace
}  // namespace kiln::sched
