// The GPU backend on hand-built lowered functions: OpenCL C run on PoCL and
// compared with the interpreter; CUDA C compiled by NVRTC for every preset
// arch without a warning; launch configuration, barriers, verification.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <regex>
#include <vector>

#include "codegen/build.h"
#include "codegen/gpu/dialect.h"
#include "codegen/gpu/nvrtc.h"
#include "codegen/gpu/source_printer.h"
#include "codegen/passes/gpu_insert_barriers.h"
#include "codegen/passes/gpu_split_kernels.h"
#include "codegen/passes/gpu_verify.h"
#include "gpu_lowered_programs.h"
#include "gpu_test_util.h"
#include "ir/interpreter/float16.h"
#include "runtime/cuda/cuda_driver.h"
#include "runtime/cuda/cuda_module.h"
#include "runtime/gpu_launch.h"
#include "schedule/schedule.h"
#include "workloads/workloads.h"

namespace kiln::codegen {
namespace {

using namespace gpu_testing;

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<ir::PrimFunc> programs() {
  return {vector_add4(), tiled_matmul(), two_kernels(), guarded_and_helpers()};
}

void expect_programs_match_interpreter(const std::string& target_kind) {
  for (const ir::PrimFunc& f : programs()) {
    SCOPED_TRACE(f->name);
    expect_lowered_matches_interpreter(f, target_kind);
  }
}

TEST(GpuCodegen, OpenCLMatchesInterpreter) {
  KILN_REQUIRE_DEVICE("opencl");
  expect_programs_match_interpreter("opencl");
}

TEST(GpuCodegen, CudaMatchesInterpreter) {
  KILN_REQUIRE_DEVICE("cuda");
  expect_programs_match_interpreter("cuda");
}

TEST(GpuCodegen, LaunchConfigurationFromThreadBinding) {
  gpu::GpuProgram p = gpu_split_kernels(tiled_matmul(64));
  ASSERT_EQ(p.kernels.size(), 1u);
  const runtime::LaunchConfig& c = p.kernels[0].launch;
  EXPECT_EQ(c.grid, (std::array<int64_t, 3>{4, 4, 1}));
  EXPECT_EQ(c.block, (std::array<int64_t, 3>{16, 16, 1}));
  gpu::GpuProgram two = gpu_split_kernels(two_kernels(1024));
  ASSERT_EQ(two.kernels.size(), 2u);
  EXPECT_EQ(two.kernels[0].launch.block[0], 128);
  EXPECT_EQ(two.kernels[1].launch.block[0], 256);
  ASSERT_EQ(two.workspaces.size(), 1u);
  EXPECT_EQ(two.kernels[0].arguments, (std::vector<int>{0, 2}));     // A, T
  EXPECT_EQ(two.kernels[1].arguments, (std::vector<int>{0, 1, 2}));  // A, C, T
}

TEST(GpuCodegen, BarriersOnlyWhereSharedMemoryIsCommunicated) {
  gpu::GpuProgram matmul = gpu_split_kernels(tiled_matmul());
  gpu_insert_barriers(matmul);
  const std::string cl = gpu::print_source(matmul, gpu::Dialect::opencl());
  // One after the tiles are staged (read after write), one before the next
  // stage overwrites them (write after read, loop-carried).
  EXPECT_EQ(count(cl, "barrier(CLK_LOCAL_MEM_FENCE)"), 2) << cl;
  for (ir::PrimFunc f : {vector_add4(), two_kernels(), guarded_and_helpers()}) {
    gpu::GpuProgram p = gpu_split_kernels(f);
    gpu_insert_barriers(p);
    EXPECT_EQ(count(gpu::print_source(p, gpu::Dialect::cuda()), "__syncthreads"), 0) << f->name;
  }
}

TEST(GpuCodegen, PrinterSpellings) {
  gpu::GpuProgram add = gpu_split_kernels(vector_add4());
  const std::string cu = gpu::print_source(add, gpu::Dialect::cuda());
  EXPECT_NE(cu.find("float4"), std::string::npos) << cu;
  EXPECT_NE(cu.find("__launch_bounds__(64)"), std::string::npos) << cu;
  EXPECT_NE(cu.find("threadIdx.x"), std::string::npos);
  const std::string cl = gpu::print_source(add, gpu::Dialect::opencl());
  EXPECT_NE(cl.find("vload4"), std::string::npos) << cl;
  EXPECT_NE(cl.find("vstore4"), std::string::npos) << cl;
  EXPECT_NE(cl.find("get_local_id(0)"), std::string::npos);
  EXPECT_NE(cl.find("reqd_work_group_size(64, 1, 1)"), std::string::npos);
  gpu::GpuProgram g = gpu_split_kernels(guarded_and_helpers());
  const std::string gs = gpu::print_source(g, gpu::Dialect::cuda());
  EXPECT_NE(gs.find("kiln_floordiv_i32"), std::string::npos) << gs;
  EXPECT_NE(gs.find("< 48"), std::string::npos) << gs;  // the guard
  // An `if` around a comparison has one pair of parentheses: clang (PoCL)
  // warns about two.
  EXPECT_NE(gs.find("if ("), std::string::npos) << gs;
  EXPECT_EQ(gs.find("if (("), std::string::npos) << gs;
  gpu::GpuProgram m = gpu_split_kernels(tiled_matmul());
  const std::string ms = gpu::print_source(m, gpu::Dialect::cuda());
  EXPECT_NE(ms.find("__shared__ __align__(16) float A_shared[256];"), std::string::npos) << ms;
  // Loop indices are non-negative: plain `/` and `%`, no helper.
  EXPECT_EQ(ms.find("kiln_floor"), std::string::npos);
}

// float16 pairs are half2 loads and stores on CUDA; a device without half
// arithmetic is refused before any source is printed; where a device has it,
// the kernel rounds as the interpreter does (after every operation).
TEST(GpuCodegen, HalfVectorsAreHalf2) {
  const ir::PrimFunc f = vector_add_mul_half2();
  gpu::GpuProgram p = gpu_split_kernels(f);
  const std::string cu = gpu::print_source(p, gpu::Dialect::cuda());
  EXPECT_NE(cu.find("#include <cuda_fp16.h>"), std::string::npos) << cu;
  EXPECT_NE(cu.find("*(half2*)"), std::string::npos) << cu;
  if (gpu::nvrtc_available()) {
    for (const char* arch : {"sm_80", "sm_86", "sm_89", "sm_90"})
      EXPECT_EQ(gpu::compile_cuda(cu, arch).log, "") << arch << "\n" << cu;
  }

  Target no_half = Target("opencl");
  no_half.has_fp16 = false;
  try {
    gpu_verify(p, no_half);
    ADD_FAILURE() << "float16 accepted on a device without cl_khr_fp16";
  } catch (const BuildError& e) {
    EXPECT_NE(std::string(e.what()).find("computes in float16"), std::string::npos) << e.what();
  }

  for (const std::string& kind : runnable_kinds()) {
    SCOPED_TRACE(kind);
    if (!Target(kind).has_fp16) continue;  // PoCL on x86: no cl_khr_fp16
    std::vector<std::vector<uint16_t>> data(3, std::vector<uint16_t>(512));
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    for (auto& d : data)
      for (uint16_t& x : d) x = ir::float_to_half_bits(dist(rng));
    std::vector<uint16_t> expected = data[2];
    std::vector<ir::TensorView> views;
    std::vector<int64_t> shape = {512};
    for (size_t i = 0; i < 2; ++i) views.push_back({data[i].data(), DataType::Float(16), shape});
    views.push_back({expected.data(), DataType::Float(16), shape});
    ir::interpret(f, views);
    std::vector<DLTensor> tensors(3);
    std::vector<const DLTensor*> args;
    for (size_t i = 0; i < 3; ++i) {
      tensors[i] =
          DLTensor{data[i].data(), {kDLCPU, 0}, 1, {kDLFloat, 16, 1}, shape.data(), nullptr, 0};
      args.push_back(&tensors[i]);
    }
    runtime::Module m = build_gpu(f, flat_signature(f), Target(kind));
    m.node()->run(0, args);
    EXPECT_EQ(data[2], expected) << m.get_source(source_format(kind));
  }
}

// Past 48 KB, CUDA's shared arrays are carved out of one dynamic array
// sized at launch (the runtime opts the kernel into it); OpenCL's stay
// static. Both run equal to the interpreter where a device is present.
TEST(GpuCodegen, SharedMemoryPast48KBIsDynamicOnCuda) {
  const ir::PrimFunc f = large_shared();
  gpu::GpuProgram p = gpu_split_kernels(f);
  gpu_insert_barriers(p);
  const std::string cu = gpu::print_source(p, gpu::Dialect::cuda());
  EXPECT_NE(cu.find("extern __shared__ __align__(16) unsigned char kiln_dynamic_shared[];"),
            std::string::npos)
      << cu;
  EXPECT_NE(cu.find("(kiln_dynamic_shared + 32768)"), std::string::npos) << cu;
  EXPECT_EQ(p.kernels[0].launch.dynamic_shared_bytes, 65536);
  gpu_verify(p, Target("cuda -arch=sm_86"));  // 99 KB per block there
  if (gpu::nvrtc_available()) {
    for (const char* arch : {"sm_80", "sm_86", "sm_89", "sm_90"})
      EXPECT_EQ(gpu::compile_cuda(cu, arch).log, "") << arch << "\n" << cu;
  }
  gpu::GpuProgram cl = gpu_split_kernels(f);
  gpu_insert_barriers(cl);
  EXPECT_EQ(gpu::print_source(cl, gpu::Dialect::opencl()).find("kiln_dynamic_shared"),
            std::string::npos);
  for (const std::string& kind : runnable_kinds()) {
    SCOPED_TRACE(kind);
    expect_lowered_matches_interpreter(f, kind);
  }
}

// Arrays already on the device are passed to the kernels as they are (no
// staging through the host), and the result stays there.
TEST(GpuCodegen, DeviceArraysGoStraightToTheKernel) {
  const ir::PrimFunc f = tiled_matmul();
  const std::vector<std::string> kinds = runnable_kinds();
  if (kinds.empty()) GTEST_SKIP() << "neither an OpenCL platform nor a CUDA driver here";
  for (const std::string& kind : kinds) {
    SCOPED_TRACE(kind);
    const DLDevice device = runtime::parse_device(kind);
    HostArgs expected(f, 9), host(f, 9);
    ir::interpret(f, expected.views);
    std::vector<runtime::NDArray> on_device;
    for (size_t p = 0; p < host.data.size(); ++p) {
      runtime::NDArray staged = runtime::NDArray::empty(host.shapes[p], {kDLFloat, 32, 1});
      std::memcpy(staged.data(), host.data[p].data(), host.data[p].size() * sizeof(float));
      on_device.push_back(runtime::NDArray::empty(host.shapes[p], {kDLFloat, 32, 1}, device));
      on_device.back().copy_from(staged);
    }
    runtime::Module m = build_gpu(f, flat_signature(f), Target(kind));
    m(on_device);
    runtime::NDArray result = runtime::NDArray::empty(host.shapes[2], {kDLFloat, 32, 1});
    result.copy_from(on_device[2]);
    const auto* c = static_cast<const float*>(result.data());
    for (size_t i = 0; i < expected.data[2].size(); ++i)
      ASSERT_NEAR(c[i], expected.data[2][i], 1e-4f * (1 + std::fabs(expected.data[2][i]))) << i;
  }
}

TEST(GpuCodegen, NvrtcCompilesEveryArchWithoutWarnings) {
  if (!gpu::nvrtc_available()) GTEST_SKIP() << "kiln was built without NVRTC";
  for (const ir::PrimFunc& f : programs()) {
    gpu::GpuProgram p = gpu_split_kernels(f);
    gpu_insert_barriers(p);
    const std::string source = gpu::print_source(p, gpu::Dialect::cuda());
    for (const char* arch : {"sm_80", "sm_86", "sm_89", "sm_90"}) {
      gpu::CudaCompileResult r = gpu::compile_cuda(source, arch);
      EXPECT_EQ(r.log, "") << f->name << " for " << arch << "\n" << source;
      EXPECT_FALSE(r.cubin.empty());
      EXPECT_NE(r.ptx.find(".target " + std::string(arch)), std::string::npos);
    }
  }
}

TEST(GpuCodegen, CudaModuleHasSourcesAndNeedsADriverToRun) {
  if (!gpu::nvrtc_available()) GTEST_SKIP() << "kiln was built without NVRTC";
  ir::PrimFunc f = vector_add4();
  runtime::Module m = build_gpu(f, flat_signature(f), Target("cuda -arch=sm_90"));
  EXPECT_NE(m.get_source("cuda").find("vector_add4_kernel"), std::string::npos);
  EXPECT_NE(m.get_source("ptx").find(".entry vector_add4_kernel"), std::string::npos);
  std::string reason;
  if (runtime::cuda::driver_available(&reason)) {
    HostArgs expected(f, 3), actual(f, 3);
    ir::interpret(f, expected.views);
    m.node()->run(0, actual.pointers());
    EXPECT_EQ(expected.data[2], actual.data[2]);
    return;
  }
  HostArgs args(f, 3);
  try {
    m.node()->run(0, args.pointers());
    FAIL() << "ran without a CUDA driver";
  } catch (const runtime::RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("no CUDA driver"), std::string::npos) << e.what();
  }
}

TEST(GpuCodegen, VerifyRefusesOverTheLimits) {
  Target cuda = Target("cuda -arch=sm_90");
  auto expect_refused = [&](const ir::PrimFunc& f, const std::string& what) {
    gpu::GpuProgram p = gpu_split_kernels(f);
    gpu_insert_barriers(p);
    try {
      gpu_verify(p, cuda);
      ADD_FAILURE() << "accepted " << f->name;
    } catch (const BuildError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  // 2048 threads per block.
  {
    Buffer A = ir::make_buffer("A", DataType::Float(32), {2048});
    Var t("t");
    expect_refused(
        ir::make_prim_func("wide", {A},
                           bound(t, 2048, "threadIdx.x", ir::buffer_store(A, Expr(1.0f), {t}))),
        "2048 threads per block");
  }
  // 256 KB of shared memory.
  {
    Buffer A = ir::make_buffer("A", DataType::Float(32), {64});
    Buffer S = ir::make_buffer("S", DataType::Float(32), {65536}, "shared");
    Var t("t");
    Stmt body =
        ir::allocate(S, bound(t, 64, "threadIdx.x",
                              ir::seq({ir::buffer_store(S, Expr(1.0f), {t}),
                                       ir::buffer_store(A, ir::buffer_load(S, {t}), {t})})));
    expect_refused(ir::make_prim_func("big_shared", {A}, body), "bytes of shared memory");
  }
  // threadIdx.z over 64.
  {
    Buffer A = ir::make_buffer("A", DataType::Float(32), {128});
    Var t("t");
    expect_refused(
        ir::make_prim_func("deep", {A},
                           bound(t, 128, "threadIdx.z", ir::buffer_store(A, Expr(1.0f), {t}))),
        "threadIdx.z has extent 128");
  }
  // Unbound loops at the root.
  {
    Buffer A = ir::make_buffer("A", DataType::Float(32), {16});
    Var i("i");
    try {
      gpu_split_kernels(
          ir::make_prim_func("serial", {A}, serial(i, 16, ir::buffer_store(A, Expr(1.0f), {i}))));
      ADD_FAILURE() << "accepted an unbound loop";
    } catch (const BuildError& e) {
      EXPECT_NE(std::string(e.what()).find("not bound to GPU threads"), std::string::npos);
    }
  }
  // A staging loop on threadIdx.x inside a threadIdx.x loop, depending on it.
  {
    Buffer A = ir::make_buffer("A", DataType::Float(32), {64});
    Var t("t"), u("u");
    expect_refused(ir::make_prim_func("diagonal", {A},
                                      bound(t, 8, "threadIdx.x",
                                            bound(u, 8, "threadIdx.x",
                                                  ir::buffer_store(A, Expr(1.0f), {t * 8 + u})))),
                   "inside loop t bound to the same axis");
  }
  // The matmul fits.
  gpu::GpuProgram ok = gpu_split_kernels(tiled_matmul());
  gpu_insert_barriers(ok);
  EXPECT_NO_THROW(gpu_verify(ok, cuda));
}

// Cross-thread reductions lowered for warps (xor butterflies, then the warps'
// totals through shared memory), run on OpenCL with emulated warps: one and
// several warps per row, rows on threadIdx.y, a warp count that is no power
// of two. Before every lane read back all the warps' totals, only the first
// lanes of each warp held the sum, and all lanes wrote the result.
TEST(GpuCodegen, WarpReductionsOnEmulatedWarps) {
  KILN_REQUIRE_DEVICE("opencl");
  const int64_t rows = 8, columns = 768;
  const ir::PrimFunc f = workloads::get("reduce_sum", {{"M", rows}, {"N", columns}}).func;
  for (auto [threads, rows_per_block] : std::vector<std::pair<int64_t, int64_t>>{
           {16, 1}, {32, 4}, {64, 1}, {96, 1}, {64, 2}, {256, 2}}) {
    sched::Schedule sch(f);
    sched::BlockRV b = sch.get_block("B");
    std::vector<sched::LoopRV> loops = sch.get_loops(b);
    std::vector<sched::LoopRV> k = sch.split(loops[1], {std::monostate{}, threads});
    std::vector<sched::LoopRV> i = sch.split(loops[0], {std::monostate{}, rows_per_block});
    sch.reorder({i[0], i[1], k[1], k[0]});
    sch.bind(i[0], "blockIdx.x");
    sch.bind(i[1], "threadIdx.y");
    sch.bind(k[1], "threadIdx.x");
    for (const char* target : {"opencl -warp_size=32", "opencl -warp_size=8"}) {
      SCOPED_TRACE(std::to_string(threads) + " threads x " + std::to_string(rows_per_block) +
                   " rows on " + target);
      runtime::Module m = kiln::build(sch.func(), Target(target));
      // (16 threads fill no warp of 32: those reduce through the tree.)
      if (std::string(target) == "opencl -warp_size=32" && threads >= 32) {
        EXPECT_NE(m.get_source("cl").find("kiln_shfl_xor_float"), std::string::npos);
      }
      expect_module_matches_interpreter(m, f, 1, 1e-5f, 5, "cl");
    }
  }
}

}  // namespace
}  // namespace kiln::codegen

namespace kiln::codegen {
namespace {

// A reduction across threads whose init was decomposed away would have every
// thread update the same element at once: refused, not miscompiled (the
// search's postprocessor once did this and PoCL gave garbage).
TEST(GpuCodegen, ADecomposedReductionAcrossThreadsIsRefused) {
  const ir::PrimFunc f = workloads::get("reduce_sum", {{"M", 8}, {"N", 64}}).func;
  sched::Schedule sch(f);
  sched::BlockRV b = sch.get_block("B");
  std::vector<sched::LoopRV> loops = sch.get_loops(b);
  std::vector<sched::LoopRV> k = sch.split(loops[1], {std::monostate{}, int64_t{32}});
  sch.reorder({loops[0], k[1], k[0]});
  sch.bind(loops[0], "blockIdx.x");
  sch.bind(k[1], "threadIdx.x");
  sch.decompose_reduction(b, k[1]);
  for (const char* target : {"opencl", "cuda -arch=sm_90"}) {
    try {
      kiln::compile(sch.func(), Target(target));
      ADD_FAILURE() << "compiled a racing reduction for " << target;
    } catch (const BuildError& e) {
      EXPECT_NE(std::string(e.what()).find("init was split off"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace kiln::codegen
