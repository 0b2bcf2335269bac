// Which registers vectorized loops use: on AVX-512 CPUs a loop vectorized to
// 16 floats is one zmm operation, not two ymm halves, also on CPUs LLVM
// tunes for 256-bit vectors (skylake-avx512); on AVX2 CPUs it is two ymm.
// The code is only read here (get_source("asm")), never run, so every
// target can be checked on any x86-64 machine.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "bench/schedules/matmul_cpu.h"
#include "codegen/build.h"
#include "workloads/workloads.h"

namespace kiln {
namespace {

struct RegisterUse {
  int zmm = 0, ymm = 0;
};

// The vector FMAs of the assembly, by register width.
RegisterUse fma_registers(const std::string& assembly) {
  RegisterUse use;
  const std::regex fma(R"(vfmadd\w+ps[^\n]*%(zmm|ymm))");
  for (auto it = std::sregex_iterator(assembly.begin(), assembly.end(), fma);
       it != std::sregex_iterator(); ++it)
    ((*it)[1] == "zmm" ? use.zmm : use.ymm)++;
  return use;
}

Module tiled_matmul(const std::string& target, int lanes) {
  ir::PrimFunc f = workloads::get("matmul", {{"M", 64}, {"N", 64}, {"K", 64}}).func;
  sched::Schedule sch = sched::tiled_matmul_cpu(f, 4, 16, lanes);
  return build(sch.func(), Target(target));
}

std::string tiled_matmul_assembly(const std::string& target, int lanes) {
  return tiled_matmul(target, lanes).get_source("asm");
}

TEST(LlvmVectorWidth, SixteenLanesAreOneZmmOnAvx512) {
  for (const char* cpu : {"znver4", "skylake-avx512"}) {
    const std::string target = std::string("llvm -mcpu=") + cpu;
    ASSERT_EQ(Target(target).vector_bytes, 64) << target;
    const RegisterUse use = fma_registers(tiled_matmul_assembly(target, 16));
    // A 4 x 16 register tile: 4 FMAs per k, each one zmm register.
    EXPECT_GE(use.zmm, 4) << target;
    EXPECT_EQ(use.ymm, 0) << target;
    // Said to LLVM as clang says it, rather than left to LLVM 16's reading
    // of a missing attribute (every width legal).
    const std::string ir = tiled_matmul(target, 16).get_source("ll");
    EXPECT_NE(ir.find("\"min-legal-vector-width\"=\"512\""), std::string::npos) << target;
    EXPECT_NE(ir.find("\"prefer-vector-width\"=\"512\""), std::string::npos) << target;
  }
}

TEST(LlvmVectorWidth, SixteenLanesAreTwoYmmOnAvx2) {
  const RegisterUse use = fma_registers(tiled_matmul_assembly("llvm -mcpu=haswell", 16));
  EXPECT_GE(use.ymm, 8);
  EXPECT_EQ(use.zmm, 0);
}

TEST(LlvmVectorWidth, EightLanesStayYmmOnAvx512) {
  const RegisterUse use = fma_registers(tiled_matmul_assembly("llvm -mcpu=znver4", 8));
  EXPECT_GE(use.ymm, 4);
  EXPECT_EQ(use.zmm, 0);
}

// The expert schedule takes its register tile from the target's vector
// width: zmm accumulators on AVX-512.
TEST(LlvmVectorWidth, ExpertMatmulUsesTheTargetsWidth) {
  ir::PrimFunc f = workloads::get("matmul", {{"M", 96}, {"N", 96}, {"K", 64}}).func;
  for (const char* cpu : {"znver4", "skylake-avx512", "haswell"}) {
    const Target target(std::string("llvm -mcpu=") + cpu);
    sched::Schedule sch = sched::expert_matmul_cpu(f, target.vector_bytes / 4, 2);
    const RegisterUse use = fma_registers(build(sch.func(), target).get_source("asm"));
    if (target.vector_bytes == 64) {
      EXPECT_GE(use.zmm, 8) << cpu;
      EXPECT_EQ(use.ymm, 0) << cpu;
    } else {
      EXPECT_GE(use.ymm, 8) << cpu;
      EXPECT_EQ(use.zmm, 0) << cpu;
    }
  }
}

}  // namespace
}  // namespace kiln
