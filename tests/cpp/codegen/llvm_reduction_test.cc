// A serial float sum (what an unscheduled reduction lowers to) is emitted
// reassociable, so that LLVM keeps the running sum in registers and
// vectorizes the reduction loop: the row sums of a layernorm become packed
// adds; a serial max is emitted as if no NaN came, so that a softmax's row
// maxima become packed maxima too; a division by a loop-invariant divisor
// becomes a multiplication by its reciprocal; and exp calls glibc's vector
// math library (libmvec) 8 lanes at a time, not libm once per lane. The code is only read here (on x86-64 targets named explicitly, so
// any x86-64 machine checks it); the results are checked against the
// interpreter on the host.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "codegen/build.h"
#include "fuzz/arguments.h"
#include "fuzz/build_check.h"
#include "ir/dsl/te.h"
#include "ir/interpreter.h"
#include "schedule/schedule.h"
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

TEST(LlvmReduction, AnUnscheduledRowMaxIsVectorized) {
  const ir::PrimFunc f = workloads::get("softmax", {{"M", 8}, {"N", 1024}}).func;
  const std::string assembly = build(f, Target("llvm -mcpu=skylake-avx512")).get_source("asm");
  EXPECT_GE(count(assembly, R"(vmaxps\s+[^\n]*%zmm)"), 4) << assembly;
}

// exp, whether the loop vectorizer vectorized it (the unscheduled softmax)
// or the schedule did (16 lanes, made of two 8-lane calls), calls libmvec
// wherever this process has it; and matches the interpreter.
TEST(LlvmReduction, ExpCallsTheVectorMathLibrary) {
  te::Tensor a = te::placeholder({4, 1024}, ir::DataType::Float(32), "A");
  te::Tensor b = te::compute(
      {4, 1024}, [&](const std::vector<ir::Var>& v) { return te::exp(a(v[0], v[1])); }, "B");
  sched::Schedule sch(te::create_prim_func({a, b}, "exp16"));
  const std::vector<sched::LoopRV> loops = sch.get_loops(sch.get_block("B"));
  sch.vectorize(sch.split(loops[1], {std::monostate{}, int64_t{16}})[1]);
  const ir::PrimFunc softmax = workloads::get("softmax", {{"M", 3}, {"N", 1000}}).func;
  const bool has_libmvec = dlopen("libmvec.so.1", RTLD_NOW) != nullptr;
  for (const ir::PrimFunc& f : {sch.func(), softmax}) {
    const std::string assembly = build(f, Target("llvm -mcpu=skylake-avx512")).get_source("asm");
    if (has_libmvec) {
      EXPECT_GE(count(assembly, R"(call\w*\s+_ZGVdN8v_expf)"), 2) << f->name << "\n" << assembly;
    } else {
      EXPECT_EQ(count(assembly, "_ZGV"), 0) << f->name << "\n" << assembly;
    }
    fuzz::Arguments expected = fuzz::make_arguments(f, 5);
    ir::interpret(f, expected.views);
    EXPECT_EQ(fuzz::check_built_kernel(f, Target("llvm"), 5, expected), "") << f->name;
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

TEST(LlvmReduction, ReassociatedSumsAndMaximaMatchTheInterpreter) {
  for (const auto& [name, shape] :
       std::vector<std::pair<std::string, std::map<std::string, int64_t>>>{
           {"reduce_sum", {{"M", 5}, {"N", 1031}}},
           {"max_pool2d", {{"N", 1}, {"H", 17}, {"W", 17}, {"C", 19}, {"R", 3}, {"S", 3},
                           {"stride", 2}, {"padding", 1}}},
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
