// export_library of a CUDA module: a shared library holding the cubin, PTX,
// CUDA C and launches (no host code), a C header that says how to launch
// each kernel, and load_module reading it back. NVRTC compiles without a
// GPU; running the loaded module needs one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codegen/shared_library.h"
#include "tests/cpp/codegen/gpu_lowered_programs.h"
#include "tests/cpp/codegen/gpu_test_util.h"

namespace kiln::codegen::gpu_testing {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CudaExport : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!gpu::nvrtc_available()) GTEST_SKIP() << "kiln was built without NVRTC";
    if (find_c_compiler().empty()) GTEST_SKIP() << "no C compiler on PATH";
    dir_ = fs::temp_directory_path() / ("kiln-cuda-export-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }
  runtime::Module build(const ir::PrimFunc& f, const std::string& target = "cuda -arch=sm_90") {
    return build_gpu(f, flat_signature(f), Target(target));
  }
  fs::path dir_;
};

TEST_F(CudaExport, HeaderSaysHowToLaunchEachKernel) {
  build(tiled_matmul()).export_library((dir_ / "libmm.so").string());
  const std::string header = read(dir_ / "libmm.h");
  for (const char* expected : {
           "kernels compiled by kiln for `cuda -arch=sm_90",
           "cubin for sm_90",
           "kiln::runtime::load_module(\"libmm.so\")",
           "cuModuleLoadData(&module, __kiln_cuda_cubin);",
           "cuLaunchKernel(kernel, grid.x, grid.y, grid.z, block.x, block.y, block.z,",
           "extern const unsigned char __kiln_cuda_cubin[];",
           "extern const size_t __kiln_cuda_cubin_size;",
           "extern const char __kiln_cuda_ptx[];",
           "extern const char __kiln_cuda_source[];",
           "/* tiled_matmul(A, B, C)\n"
           " *   0. A: float32[4096], read\n"
           " *   1. B: float32[4096], read\n"
           " *   2. C: float32[4096], written\n"
           " * Launch:\n"
           " *   1. tiled_matmul_kernel\n"
           " *      grid (4, 4, 1), block (16, 16, 1) (256 threads), dynamic shared memory 0 "
           "bytes\n"
           " *      arguments (A, B, C)\n"
           " */\n",
       }) {
    EXPECT_NE(header.find(expected), std::string::npos) << expected << "\n---\n" << header;
  }
}

TEST_F(CudaExport, HeaderListsEveryLaunchWorkspacesAndLargeSharedMemory) {
  build(two_kernels()).export_library((dir_ / "libtwo.so").string());
  const std::string two = read(dir_ / "libtwo.h");
  EXPECT_NE(two.find(" * workspace0: 4096 bytes\n * Launch, in this order:\n"), std::string::npos)
      << two;
  EXPECT_NE(two.find("grid (8, 1, 1), block (128, 1, 1) (128 threads)"), std::string::npos) << two;
  EXPECT_NE(two.find("grid (4, 1, 1), block (256, 1, 1) (256 threads)"), std::string::npos) << two;
  EXPECT_NE(two.find("arguments (A, workspace0)"), std::string::npos) << two;

  build(large_shared()).export_library((dir_ / "libshared.so").string());
  const std::string shared = read(dir_ / "libshared.h");
  EXPECT_NE(shared.find("dynamic shared memory 65536 bytes\n"
                        " *      (above 48 KiB: first cuFuncSetAttribute(kernel,\n"
                        " *      CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, 65536))"),
            std::string::npos)
      << shared;
}

TEST_F(CudaExport, LibraryLoadsBackWithItsKernelsAndSources) {
  const ir::PrimFunc f = two_kernels();
  runtime::Module built = build(f);
  const fs::path lib = dir_ / "libtwo.so";
  built.export_library(lib.string());

  runtime::Module loaded = runtime::load_module(lib.string());
  EXPECT_EQ(loaded.node()->kind(), "cuda");
  EXPECT_EQ(loaded.node()->device_type(), kDLCUDA);
  EXPECT_EQ(loaded.kernel_names(), std::vector<std::string>{"two_kernels"});
  EXPECT_EQ(loaded.get("two_kernels").signature().params[1].name, "C");
  for (const char* format : {"cubin", "ptx", "cuda"})
    EXPECT_EQ(loaded.get_source(format), built.get_source(format)) << format;
  const auto& functions = dynamic_cast<const runtime::GpuModuleNode&>(*loaded.node()).functions();
  ASSERT_EQ(functions.size(), 1u);
  EXPECT_EQ(functions[0].kernels.size(), 2u);
  EXPECT_EQ(functions[0].workspace_bytes, std::vector<int64_t>{4096});

  // Exporting the loaded library copies it, header and all.
  loaded.export_library((dir_ / "libcopy.so").string());
  EXPECT_EQ(read(dir_ / "libcopy.h"), read(dir_ / "libtwo.h"));
  EXPECT_EQ(runtime::load_module((dir_ / "libcopy.so").string()).get_source("ptx"),
            built.get_source("ptx"));

  std::string reason;
  if (runtime::cuda::driver_available(&reason))
    expect_module_matches_interpreter(loaded, f, 1, 1e-6f, 5, "cuda");
}

TEST_F(CudaExport, HeaderCompilesAndHoldsTheCubinFromC) {
  build(vector_add4()).export_library((dir_ / "libadd.so").string());
  std::ofstream(dir_ / "main.c")
      << "#include \"libadd.h\"\n#include <string.h>\n"
         "int main(void) {\n"
         "  if (__kiln_cuda_cubin_size < 4) return 1;\n"
         "  if (memcmp(__kiln_cuda_cubin, \"\\177ELF\", 4)) return 2;\n"
         "  if (!strstr(__kiln_cuda_ptx, \".entry vector_add4_kernel\")) return 3;\n"
         "  if (!strstr(__kiln_cuda_source, \"vector_add4_kernel(\")) return 4;\n"
         "  if (!strstr(__kiln_module_metadata, \"\\\"kind\\\":\\\"cuda\\\"\")) return 5;\n"
         "  return 0;\n}\n";
  const std::string command = find_c_compiler() + " -std=c99 -Wall -Werror -I" + dir_.string() +
                              " -o " + (dir_ / "main").string() + " " + (dir_ / "main.c").string() +
                              " " + (dir_ / "libadd.so").string() + " -Wl,-rpath," + dir_.string() +
                              " > " + (dir_ / "cc.log").string() + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << read(dir_ / "cc.log");
  EXPECT_EQ(std::system((dir_ / "main").c_str()), 0);
}

}  // namespace
}  // namespace kiln::codegen::gpu_testing
