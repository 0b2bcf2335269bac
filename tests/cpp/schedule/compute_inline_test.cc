// compute_inline and reverse_compute_inline: golden cases, one test per
// refusal, trace round trips, and differential runs over every workload.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "schedule/schedule.h"
#include "tests/cpp/schedule/differential.h"
#include "tests/cpp/schedule/schedule_checks.h"
#include "workloads/workloads.h"

namespace kiln::sched {
namespace {

// ---------------------------------------------------------------------------
// Golden cases: tests/ir_cases/<primitive>/<case>.kiln.

struct InlineCase {
  std::string path;
  ir::PrimFunc before;
  std::string schedule;
  ir::PrimFunc expected;
};

InlineCase read_inline_case(const std::filesystem::path& path) {
  testing::GoldenCase c = testing::read_golden_file(path.string());
  return {path.string(), ir::parse_prim_func(c.before), c.schedule,
          ir::parse_prim_func(c.expected)};
}

std::vector<InlineCase> inline_cases(const std::string& primitive) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(KILN_SOURCE_DIR) +
                                                               "/tests/ir_cases/" + primitive))
    if (entry.path().extension() == ".kiln") paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  std::vector<InlineCase> cases;
  for (const auto& p : paths) cases.push_back(read_inline_case(p));
  return cases;
}

// Applies the schedule section (get_block and the two inlining calls)
// through the C++ API.
void apply_inline_schedule(Schedule& sch, const std::string& schedule) {
  static const std::regex get_block(R"re((\w+) = sch\.get_block\("(\w+)"\))re");
  static const std::regex inline_call(
      R"re(sch\.(compute_inline|reverse_compute_inline)\((\w+)\))re");
  std::map<std::string, BlockRV> blocks;
  std::istringstream lines(schedule);
  std::string line;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (std::regex_match(line, m, get_block))
      blocks[m[1]] = sch.get_block(m[2]);
    else if (std::regex_match(line, m, inline_call) && m[1] == "compute_inline")
      sch.compute_inline(blocks.at(m[2]));
    else if (std::regex_match(line, m, inline_call))
      sch.reverse_compute_inline(blocks.at(m[2]));
    else
      ADD_FAILURE() << "unexpected schedule line: " << line;
  }
}

void check_golden(const std::string& primitive) {
  std::vector<InlineCase> cases = inline_cases(primitive);
  EXPECT_GE(cases.size(), 2u);
  for (const InlineCase& c : cases) {
    SCOPED_TRACE(c.path);
    Schedule sch(c.before);
    apply_inline_schedule(sch, c.schedule);
    EXPECT_TRUE(ir::structural_equal(sch.func(), c.expected)) << ir::to_script(sch.func());
    EXPECT_EQ(sch.trace().as_python(), c.schedule);
    EXPECT_EQ(testing::max_output_difference(c.before, sch.func(), c.before->params.size() - 1),
              0.0);
    // The expected text is what the printer writes.
    EXPECT_EQ(ir::to_script(sch.func()), ir::to_script(c.expected));
  }
}

TEST(ComputeInline, GoldenCases) { check_golden("compute_inline"); }
TEST(ReverseComputeInline, GoldenCases) { check_golden("reverse_compute_inline"); }

// ---------------------------------------------------------------------------
// Refusals: each leaves the schedule exactly as it was.

void expect_refused(Schedule& sch, const std::string& block, bool reverse,
                    const std::string& says) {
  BlockRV b = sch.get_block(block);
  const ir::PrimFunc before = sch.func();
  const size_t trace_length = sch.trace().size();
  try {
    reverse ? sch.reverse_compute_inline(b) : sch.compute_inline(b);
    ADD_FAILURE() << "accepted " << block << ":\n" << ir::to_script(sch.func());
  } catch (const ScheduleError& e) {
    EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    EXPECT_EQ(e.primitive(), reverse ? "reverse_compute_inline" : "compute_inline");
  }
  EXPECT_TRUE(sch.func() == before);
  EXPECT_EQ(sch.trace().size(), trace_length);
}

void expect_refused(const std::string& func_text, const std::string& block, bool reverse,
                    const std::string& says) {
  Schedule sch(ir::parse_prim_func(func_text));
  expect_refused(sch, block, reverse, says);
}

void expect_refused(const ir::PrimFunc& func, const std::string& block, bool reverse,
                    const std::string& says) {
  Schedule sch(func);
  expect_refused(sch, block, reverse, says);
}

ir::PrimFunc workload(const std::string& name) { return workloads::get(name).func; }

TEST(ComputeInline, RefusesAReduction) {
  expect_refused(workload("dense_bias_relu"), "dense", false, "has an init statement");
}

TEST(ComputeInline, RefusesAReductionIterVarWithoutInit) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8, 8), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
    for i, k in grid(8, 8):
        with block("B"):
            vi, vk = axis.remap("SR", [i, k])
            reads(A[vi, vk])
            writes(B[vi])
            B[vi] = A[vi, vk]
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi]
)",
                 "B", false, "reduction iter var `vk`");
}

TEST(ComputeInline, RefusesABlockWritingAnOutput) {
  expect_refused(workload("dense_bias_relu"), "relu", false, "an output of the function");
}

TEST(ComputeInline, RefusesStoreIndicesThatAreNotIterVars) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((9,), "float32")
    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi + 1])
            B[vi + 1] = A[vi]
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi + 1])
            writes(C[vi])
            C[vi] = B[vi + 1]
)",
                 "B", false, "not distinct iter vars");
}

TEST(ComputeInline, RefusesAValueOfAnUnindexedIterVar) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8, 4), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
    for i, j in grid(8, 4):
        with block("B"):
            vi, vj = axis.remap("SS", [i, j])
            reads(A[vi, vj])
            writes(B[vi])
            B[vi] = A[vi, vj]
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi]
)",
                 "B", false, "from iter var `vj`");
}

TEST(ComputeInline, RefusesABlockReadingItsOwnBuffer) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi], B[vi])
            writes(B[vi])
            B[vi] = A[vi] + B[vi]
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi]
)",
                 "B", false, "reads the buffer `B` it writes");
}

const char* const kTwoWriters = R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
    for i in range(8):
        with block("B0"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi]
    for i in range(8):
        with block("B1"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] * 2.0
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi]
)";

TEST(ComputeInline, RefusesABufferWithTwoWriters) {
  expect_refused(kTwoWriters, "B0", false, "and by block \"B1\"");
}

TEST(ComputeInline, RefusesAConsumerBeforeTheProducer) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi]
    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi]
)",
                 "B", false, "reads `B` before block \"B\" writes it");
}

TEST(ComputeInline, RefusesTheOnlyBlock) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi]
)",
                 "B", false, "only block in its scope");
}

TEST(ComputeInline, RefusesWhenAnInputChangesBeforeTheConsumer) {
  // X is rewritten between B and C: C must see B's value of the old X.
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    X = alloc_buffer((8,), "float32")
    B = alloc_buffer((8,), "float32")
    for i in range(8):
        with block("X0"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(X[vi])
            X[vi] = A[vi]
    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(X[vi])
            writes(B[vi])
            B[vi] = X[vi] + 1.0
    for i in range(8):
        with block("X1"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(X[vi])
            X[vi] = A[vi] * 3.0
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi], X[vi])
            writes(C[vi])
            C[vi] = B[vi] * X[vi]
)",
                 "B", false, "block \"X1\" writes `X`");
}

TEST(ComputeInline, RefusesAnInputAllocatedInsideAnotherBlock) {
  // The fuzzer's case: reindex puts `transpose_add_reindex` in the block
  // blockize made, and "relu_scale", outside it, would read it once the
  // copy-back block is inlined.
  Schedule sch(workload("transpose_add"));
  BlockRV b = sch.get_block("transpose_add");
  sch.blockize(sch.get_loops(b)[0]);
  sch.reindex(sch.get_block("transpose_add"), 0, true);
  expect_refused(sch, "transpose_add_reindex", false,
                 "reads `transpose_add_reindex`, which block \"transpose_add_o\" allocates, and "
                 "block \"relu_scale\" runs outside that block");
}

TEST(ReverseComputeInline, RefusesAReductionConsumer) {
  expect_refused(workload("conv2d_nhwc"), "conv2d", true, "has an init statement");
}

TEST(ReverseComputeInline, RefusesAReductionProducer) {
  expect_refused(workload("dense_bias_relu"), "bias_add", true,
                 "block \"dense\" has an init statement");
}

TEST(ReverseComputeInline, RefusesAConsumerWithoutProducer) {
  expect_refused(workload("transpose_add"), "transpose_add", true,
                 "reads no buffer that another block writes");
}

const char* const kTwoIntermediates = R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), D: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
    C = alloc_buffer((8,), "float32")
    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] + 1.0
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(C[vi])
            C[vi] = A[vi] * 2.0
    for i in range(8):
        with block("D"):
            vi = axis.spatial(8, i)
            reads(B[vi], C[vi])
            writes(D[vi])
            D[vi] = B[vi] - C[vi]
)";

TEST(ReverseComputeInline, RefusesAConsumerOfTwoProducers) {
  expect_refused(kTwoIntermediates, "D", true, "more than one producer");
}

TEST(ReverseComputeInline, RefusesAnIntermediateWithTwoReaders) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8,), "float32"), D: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] + 1.0
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi] * 2.0
    for i in range(8):
        with block("D"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(D[vi])
            D[vi] = B[vi] * 3.0
)",
                 "C", true, "and by block \"D\"");
}

TEST(ReverseComputeInline, RefusesAnOutputIntermediate) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), B: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] + 1.0
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi] * 2.0
)",
                 "C", true, "an output of the function");
}

// A producer of B (12 elements) and a consumer body to fill in.
std::string producer_and_consumer(const std::string& consumer_loops_and_block) {
  return R"(@kiln.prim_func
def f(A: Buffer((12,), "float32"), C: Buffer((12,), "float32")):
    B = alloc_buffer((12,), "float32")
    for i in range(12):
        with block("B"):
            vi = axis.spatial(12, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] + 1.0
)" + consumer_loops_and_block;
}

TEST(ReverseComputeInline, RefusesTwoLoadPositions) {
  expect_refused(producer_and_consumer(R"(    for i in range(11):
        with block("C"):
            vi = axis.spatial(11, i)
            reads(B[vi:vi + 2])
            writes(C[vi])
            C[vi] = B[vi] + B[vi + 1]
)"),
                 "C", true, "at more than one position");
}

TEST(ReverseComputeInline, RefusesAPartialConsumer) {
  expect_refused(producer_and_consumer(R"(    for i in range(6):
        with block("C"):
            vi = axis.spatial(6, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi]
)"),
                 "C", true, "does not cover its dimension of `B`");
}

TEST(ReverseComputeInline, RefusesABroadcastingConsumer) {
  expect_refused(producer_and_consumer(R"(    for i, j in grid(12, 2):
        with block("C"):
            vi, vj = axis.remap("SS", [i, j])
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi] * 2.0
)"),
                 "C", true, "iter var `vj` does not index its load of `B`");
}

TEST(ReverseComputeInline, RefusesANonInjectiveStore) {
  expect_refused(producer_and_consumer(R"(    for i in range(12):
        with block("C"):
            vi = axis.spatial(12, i)
            reads(B[vi])
            writes(C[0:12])
            C[vi // 2] = B[vi]
)"),
                 "C", true, "more than once");
}

TEST(ReverseComputeInline, RefusesAConsumerBeforeItsProducer) {
  expect_refused(R"(@kiln.prim_func
def f(A: Buffer((8,), "float32"), C: Buffer((8,), "float32")):
    B = alloc_buffer((8,), "float32")
    for i in range(8):
        with block("C"):
            vi = axis.spatial(8, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi]
    for i in range(8):
        with block("B"):
            vi = axis.spatial(8, i)
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi]
)",
                 "C", true, "is not before block \"C\"");
}

TEST(ReverseComputeInline, RefusesWhenAnotherBlockSeesTheOutputInBetween) {
  // D reads C between B and C: computing C at B's time would change it.
  expect_refused(producer_and_consumer(R"(    for i in range(12):
        with block("D"):
            vi = axis.spatial(12, i)
            reads(C[vi])
            writes(A[vi])
            A[vi] = C[vi]
    for i in range(12):
        with block("C"):
            vi = axis.spatial(12, i)
            reads(B[vi])
            writes(C[vi])
            C[vi] = B[vi] * 2.0
)"),
                 "C", true, "block \"D\" accesses `C` between");
}

// ---------------------------------------------------------------------------
// Trace round trip.

TEST(ComputeInline, TraceRoundTrip) {
  Schedule sch(workload("dense_bias_relu"));
  sch.compute_inline(sch.get_block("bias_add"));
  Schedule conv(workload("conv2d_nhwc"));
  conv.compute_inline(conv.get_block("pad"));
  Schedule rev(workload("transpose_add"));
  rev.reverse_compute_inline(rev.get_block("relu_scale"));
  for (Schedule* s : {&sch, &conv, &rev}) {
    Trace replayed = Trace::from_json(s->trace().to_json());
    Schedule fresh(s->original());
    replayed.apply_to(fresh);
    EXPECT_TRUE(ir::structural_equal(fresh.func(), s->func()));
    EXPECT_EQ(fresh.trace().as_python(), s->trace().as_python());
  }
  EXPECT_EQ(rev.trace().as_python(),
            "b0 = sch.get_block(\"relu_scale\")\nsch.reverse_compute_inline(b0)\n");
}

// ---------------------------------------------------------------------------
// Differential: every block of every workload.

size_t num_inputs(const ir::PrimFunc& f) { return f->params.size() - 1; }

std::vector<std::string> block_names(const ir::PrimFunc& f) {
  std::vector<std::string> names;
  std::regex block(R"re(with block\("(\w+)"\))re");
  const std::string text = ir::to_script(f);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), block);
       it != std::sregex_iterator(); ++it)
    names.push_back((*it)[1]);
  return names;
}

// Tries the primitive on every block of every workload; checks the outputs
// of each accepted one. Returns the accepted "workload/block" names.
std::set<std::string> accepted_on_every_block(bool reverse) {
  std::set<std::string> accepted;
  for (const std::string& name : workloads::list()) {
    const ir::PrimFunc func = workload(name);
    for (const std::string& block : block_names(func)) {
      Schedule sch(func);
      try {
        BlockRV b = sch.get_block(block);
        reverse ? sch.reverse_compute_inline(b) : sch.compute_inline(b);
      } catch (const ScheduleError&) {
        EXPECT_TRUE(sch.func() == func) << name << "/" << block;
        continue;
      }
      accepted.insert(name + "/" + block);
      EXPECT_LE(testing::max_output_difference(func, sch.func(), num_inputs(func)), 1e-5)
          << name << "/" << block;
      EXPECT_TRUE(ir::structural_equal(ir::parse_prim_func(ir::to_script(sch.func())), sch.func()))
          << name << "/" << block;
    }
  }
  return accepted;
}

TEST(ComputeInline, EveryBlockOfEveryWorkload) {
  std::set<std::string> accepted = accepted_on_every_block(false);
  for (const char* expected :
       {"conv2d_nhwc/pad", "dense_bias_relu/bias_add", "transpose_add/transpose_add"})
    EXPECT_TRUE(accepted.count(expected)) << expected;
}

TEST(ReverseComputeInline, EveryBlockOfEveryWorkload) {
  std::set<std::string> accepted = accepted_on_every_block(true);
  for (const char* expected : {"dense_bias_relu/relu", "transpose_add/relu_scale"})
    EXPECT_TRUE(accepted.count(expected)) << expected;
}

// Inlines every block it can, over and over, after reshaping the loops.
TEST(ComputeInline, RepeatedInliningAfterLoopTransformations) {
  for (const std::string& name : workloads::list()) {
    const ir::PrimFunc func = workload(name);
    Schedule sch(func);
    // Split and reorder the loops of every block first.
    for (const std::string& block : block_names(func)) {
      std::vector<LoopRV> loops = sch.get_loops(sch.get_block(block));
      std::vector<LoopRV> parts = sch.split(loops.back(), {std::monostate(), int64_t{3}});
      if (loops.size() >= 2) {
        sch.reorder({parts[0], loops[loops.size() - 2]});
        sch.fuse({parts[0], loops[loops.size() - 2]});
      }
    }
    bool progress = true;
    int inlined = 0;
    while (progress) {
      progress = false;
      for (const std::string& block : block_names(sch.func())) {
        for (bool reverse : {false, true}) {
          try {
            BlockRV b = sch.get_block(block);
            reverse ? sch.reverse_compute_inline(b) : sch.compute_inline(b);
          } catch (const ScheduleError&) {
            continue;
          }
          ++inlined;
          progress = true;
          break;
        }
        if (progress) break;
      }
    }
    EXPECT_LE(testing::max_output_difference(func, sch.func(), num_inputs(func)), 1e-5) << name;
    Schedule replay(func);
    Trace::from_json(sch.trace().to_json()).apply_to(replay);
    EXPECT_TRUE(ir::structural_equal(replay.func(), sch.func())) << name;
    if (name == "dense_bias_relu" || name == "transpose_add" || name == "conv2d_nhwc") {
      EXPECT_GE(inlined, 1) << name;
    }
  }
}

}  // namespace
}  // namespace kiln::sched
