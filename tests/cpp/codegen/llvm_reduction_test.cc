// A serial float sum (what an unscheduled reduction lowers to) is emitted
// reassociable, so that LLVM keeps the running sum in registers and
// vectorizes the reduction loop: the row sums of a layernorm become packed
// adds; and a division by a loop-invariant divisor becomes a multiplication
// by its reciprocal. The code is only read here (on x86-64 targets named explicitly, so
// any x86-64 machine checks it); the results are checked against the
// interpreter on the host.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "codegen/build.h"
#include "fuzz/arguments.h"
#include "fuzz/build_check.h"
#include "ir/interpreter.h"
#include "workloads/workloads.h"

namespace kiln {
namespace {

int count(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), re),
                                        std::sregex_iterator()));
}

TEST(LlvmReduction, AnUnscheduledRowSumIsVectorized) {
  const ir::PrimFunc f = workloads::get("reduce_sum", {{"M", 8}, {"N", 1024}}).func;
  for (const char* cpu : {"haswell", "skylake-avx512"}) {
    const std::string assembly =
        build(f, Target(std::string("llvm -mcpu=") + cpu)).get_source("asm");
    EXPECT_GE(count(assembly, R"(vaddps\s+[^\n]*%[yz]mm)"), 4) << cpu << "\n" << assembly;
  }
}

// Divisions may use the reciprocal: a layernorm's per-row divisor is
// inverted once per row, outside the loop over the row, not per element.
TEST(LlvmReduction, ALoopInvariantDivisorIsInvertedOutsideTheLoop) {
  const ir::PrimFunc f = workloads::get("layernorm", {{"M", 8}, {"N", 768}}).func;
  const std::string assembly = build(f, Target("llvm -mcpu=skylake-avx512")).get_source("asm");
  EXPECT_GE(count(assembly, R"(vmulps\s+[^\n]*%zmm)"), 2) << assembly;
  EXPECT_EQ(count(assembly, R"(vdivps\s+[^\n]*%zmm)"), 0) << assembly;
}

TEST(LlvmReduction, ReassociatedSumsMatchTheInterpreter) {
  for (const auto& [name, shape] :
       std::vector<std::pair<std::string, std::map<std::string, int64_t>>>{
           {"reduce_sum", {{"M", 5}, {"N", 1031}}},
           {"layernorm", {{"M", 7}, {"N", 768}}},
           {"softmax", {{"M", 3}, {"N", 1000}}},
           {"matmul", {{"M", 9}, {"N", 7}, {"K", 515}}}}) {
    const ir::PrimFunc f = workloads::get(name, shape).func;
    fuzz::Arguments expected = fuzz::make_arguments(f, 3);
    ir::interpret(f, expected.views);
    EXPECT_EQ(fuzz::check_built_kernel(f, Target("llvm"), 3, expected), "") << name;
  }
}

}  // namespace
}  // namespace kiln
