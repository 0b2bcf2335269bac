// export_library: a shared library and its C header; loading it back with
// runtime::load_module, and calling it from C through the header.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codegen/shared_library.h"
#include "runtime/module.h"
#include "tests/cpp/codegen/llvm_test_util.h"

namespace kiln::codegen::testing {
namespace {

namespace fs = std::filesystem;
using ir::DataType;
using ir::Expr;
using ir::Var;

// C = A * B + 1 elementwise over 8 lanes, in a parallel loop.
ir::PrimFunc vmul() {
  ir::Buffer a = flat("A", f32, 64), b = flat("B", f32, 64), c = flat("C", f32, 64);
  Var i("i");
  Expr idx = ir::ramp(i * 8, i32(1), 8);
  return ir::make_prim_func(
      "vmul", {a, b, c},
      loop(i, 8,
           store(c, load(a, idx) * load(b, idx) + ir::broadcast(ir::float_imm(f32, 1), 8), idx),
           ir::ForKind::kParallel));
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class LlvmExport : public ::testing::Test {
 protected:
  void SetUp() override {
    if (find_c_compiler().empty()) GTEST_SKIP() << "no C compiler on PATH";
    dir_ = fs::temp_directory_path() / ("kiln-llvm-export-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
};

TEST_F(LlvmExport, WritesLibraryAndHeaderThatLoadBack) {
  ir::PrimFunc f = vmul();
  runtime::Module m = jit_build(f);
  const fs::path lib = dir_ / "libvmul.so";
  m.export_library(lib.string());
  ASSERT_TRUE(fs::exists(lib));
  ASSERT_TRUE(fs::exists(dir_ / "libvmul.h"));
  const std::string header = read(dir_ / "libvmul.h");
  EXPECT_NE(header.find("int32_t vmul(const float* A, const float* B, float* C);"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find("int32_t vmul__packed(void* const* args);"), std::string::npos);
  EXPECT_NE(header.find("#include \"runtime/c_api.h\""), std::string::npos);
  EXPECT_NE(header.find("-I<prefix>/include/kiln of an installed\n * kiln (CMake: link "
                        "kiln::runtime)"),
            std::string::npos)
      << header;
  EXPECT_NE(header.find("extern kiln_parallel_for_fn __kiln_parallel_for;"), std::string::npos);
  EXPECT_NE(header.find("A: float32[64], read"), std::string::npos) << header;
  EXPECT_NE(header.find("C: float32[64], written"), std::string::npos) << header;

  runtime::Module loaded = runtime::load_module(lib.string());
  EXPECT_EQ(loaded.kernel_names(), std::vector<std::string>{"vmul"});
  std::mt19937 rng(3);
  std::vector<runtime::NDArray> jit_args, lib_args;
  for (int k = 0; k < 3; ++k) {
    jit_args.push_back(runtime::NDArray::empty({64}, runtime::parse_dtype("float32")));
    lib_args.push_back(runtime::NDArray::empty({64}, runtime::parse_dtype("float32")));
    uniform(-2, 2)(jit_args[k].data(), f32, 64, rng);
    lib_args[k].copy_from(jit_args[k]);
  }
  m.entry()(jit_args);
  loaded.entry()(lib_args);
  for (int e = 0; e < 64; ++e) {
    EXPECT_EQ(static_cast<float*>(jit_args[2].data())[e],
              static_cast<float*>(lib_args[2].data())[e]);
  }
}

TEST_F(LlvmExport, HeaderCompilesAndLibraryRunsFromC) {
  const fs::path lib = dir_ / "libvmul.so";
  jit_build(vmul()).export_library(lib.string());
  const fs::path program = dir_ / "main.c";
  std::ofstream(program)
      << "#include \"libvmul.h\"\n#include <stdio.h>\n"
         "static float a[64] __attribute__((aligned(16))),"
         " b[64] __attribute__((aligned(16))), c[64] __attribute__((aligned(16)));\n"
         "int main(void) {\n"
         "  for (int i = 0; i < 64; ++i) { a[i] = i; b[i] = 2; }\n"
         "  if (vmul(a, b, c) != KILN_OK) return 1;\n"
         "  for (int i = 0; i < 64; ++i) if (c[i] != 2 * i + 1) return 2;\n"
         "  return 0;\n}\n";
  const std::string cc = find_c_compiler();
  const std::string command = cc + " -std=c99 -Wall -Werror -I" KILN_SOURCE_DIR " -I" +
                              dir_.string() + " -o " + (dir_ / "main").string() + " " +
                              program.string() + " " + lib.string() + " -Wl,-rpath," +
                              dir_.string() + " > " + (dir_ / "cc.log").string() + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << read(dir_ / "cc.log");
  EXPECT_EQ(std::system((dir_ / "main").c_str()), 0);
}

TEST_F(LlvmExport, UnwritablePathIsAClearError) {
  try {
    jit_build(vmul()).export_library((dir_ / "missing" / "libx.so").string());
    ADD_FAILURE() << "expected an error";
  } catch (const runtime::RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("export_library"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln::codegen::testing
