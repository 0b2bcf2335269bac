// load_module on real shared libraries compiled here with `cc`: the
// hand-written kiln library (add_library.c), and files that are not kiln
// libraries, each refused with a message saying why.
#include "runtime/library_module.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "runtime/thread_pool.h"
#include "tests/cpp/runtime/expect_error.h"
#include "tests/cpp/runtime/test_library.h"

namespace kiln::runtime {
namespace {

using testing::TempDir;

class LoadModule : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_c_compiler()) GTEST_SKIP() << "no `cc` on PATH to compile test libraries";
  }
  TempDir dir;
};

NDArray filled(float start) {
  NDArray a = NDArray::empty({32, 32}, parse_dtype("float32"));
  for (int i = 0; i < 1024; ++i) static_cast<float*>(a.data())[i] = start + i;
  return a;
}

TEST_F(LoadModule, RunsTheKernelsOfAKilnLibrary) {
  const std::string path =
      testing::compile_library(testing::add_library_source(), dir.path(), "libadd.so");
  Module m = load_module(path);
  EXPECT_EQ(m.node()->kind(), "library");
  EXPECT_EQ(m.kernel_names(), (std::vector<std::string>{"add", "count_chunks", "fail"}));
  const KernelSignature& add = m.get("add").signature();
  EXPECT_EQ(add.params[2].name, "C");
  EXPECT_EQ(add.params[2].shape, (std::vector<int64_t>{32, 32}));

  NDArray a = filled(0), b = filled(1000), c = NDArray::empty({32, 32}, parse_dtype("float32"));
  m.get("add")(a, b, c);
  for (int i = 0; i < 1024; ++i) ASSERT_EQ(static_cast<float*>(c.data())[i], 1000.0f + 2 * i);

  // The loader pointed the library's parallel loops at this process's pool.
  NDArray chunks = NDArray::empty({1}, parse_dtype("int64"));
  m.get("count_chunks")(chunks);
  EXPECT_EQ(static_cast<int64_t*>(chunks.data())[0], std::min(kiln_num_threads(), 1000));

  EXPECT_RUNTIME_ERROR(m.get("fail")(NDArray::empty({4}, parse_dtype("float32"))),
                       "kernel `fail` failed: could not allocate its workspace "
                       "(KILN_ERROR_WORKSPACE)");
  EXPECT_RUNTIME_ERROR(m.get("add")(a, b), "kernel `add` takes 3 arguments (A, B, C)");
}

TEST_F(LoadModule, KeepsTheLibraryLoadedWhileAKernelLives) {
  const std::string path =
      testing::compile_library(testing::add_library_source(), dir.path(), "libadd.so");
  Kernel add = load_module(path).get("add");  // the Module itself is gone
  NDArray a = filled(1), b = filled(2), c = filled(0);
  add(a, b, c);
  EXPECT_EQ(static_cast<float*>(c.data())[1023], 3.0f + 2 * 1023);
}

TEST_F(LoadModule, ResolvesRelativePathsFromTheCurrentDirectory) {
  testing::compile_library(testing::add_library_source(), dir.path(), "librel.so");
  struct InDirectory {
    std::filesystem::path saved = std::filesystem::current_path();
    explicit InDirectory(const std::filesystem::path& d) { std::filesystem::current_path(d); }
    ~InDirectory() { std::filesystem::current_path(saved); }
  } in_dir(dir.path());
  // A bare name: dlopen alone would search LD_LIBRARY_PATH, not this directory.
  EXPECT_EQ(load_module("librel.so").kernel_names().size(), 3u);
}

TEST_F(LoadModule, ExportingALoadedLibraryCopiesIt) {
  const std::string path =
      testing::compile_library(testing::add_library_source(), dir.path(), "libadd.so");
  std::ofstream(dir / "libadd.h") << "/* the C header export_library writes beside it */\n";
  Module m = load_module(path);
  const std::string copy = (dir / "libcopy.so").string();
  m.export_library(copy);
  m.export_library(path);  // onto itself: nothing to do
  EXPECT_TRUE(std::filesystem::exists(dir / "libcopy.h"));
  Module again = load_module(copy);
  NDArray a = filled(0), b = filled(0), c = filled(0);
  again.get("add")(a, b, c);
  EXPECT_EQ(static_cast<float*>(c.data())[10], 20.0f);
  EXPECT_RUNTIME_ERROR(m.export_library((dir / "no/such/dir/lib.so").string()),
                       "cannot export the library loaded from", "writable directory");
  EXPECT_RUNTIME_ERROR(m.get_source("ll"), "a `library` module has no `ll` source");
}

TEST(LoadModuleErrors, AMissingFileSaysWhere) {
  EXPECT_RUNTIME_ERROR(load_module("/no/such/libkernels.so"),
                       "load_module(\"/no/such/libkernels.so\"): there is no file at",
                       "pass the path Module.export_library wrote");
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_RUNTIME_ERROR(load_module("relative/libk.so"), "relative paths start at", cwd.c_str());
}

TEST_F(LoadModule, AFileThatIsNotASharedLibraryIsRefused) {
  std::ofstream(dir / "notes.so") << "not an ELF file\n";
  EXPECT_RUNTIME_ERROR(load_module((dir / "notes.so").string()),
                       "cannot load it as a shared library", "notes.so");
}

TEST_F(LoadModule, ASharedLibraryWithoutMetadataIsNotAKilnLibrary) {
  const std::string path =
      testing::compile_library_text("int answer(void) { return 42; }\n", dir.path(), "libplain.so");
  EXPECT_RUNTIME_ERROR(load_module(path), "is not a kiln library",
                       "no `__kiln_module_metadata` symbol",
                       "load only libraries written by Module.export_library");
}

TEST_F(LoadModule, DamagedMetadataOrAMissingEntryIsRefused) {
  const std::string damaged = testing::compile_library_text(
      "const char __kiln_module_metadata[] = \"{\\\"version\\\": 1}\";\n", dir.path(),
      "libdamaged.so");
  EXPECT_RUNTIME_ERROR(load_module(damaged), "the library's kernel metadata",
                       "the field `kernels` is missing", "damaged, or was not written by kiln");
  const std::string missing = testing::compile_library_text(
      "const char __kiln_module_metadata[] = \"{\\\"version\\\": 1, \\\"kernels\\\": "
      "[{\\\"name\\\": \\\"k\\\", \\\"symbol\\\": \\\"k__packed\\\", \\\"alignment\\\": 16, "
      "\\\"params\\\": []}]}\";\n",
      dir.path(), "libmissing.so");
  EXPECT_RUNTIME_ERROR(load_module(missing), "lists kernel `k`", "no symbol `k__packed`");
}

// A CUDA library (a cuda module's export) carries its cubin, PTX and CUDA C;
// nothing is loaded into a driver before the first call.
TEST_F(LoadModule, ACudaLibraryNeedsItsCubinPtxAndSource) {
  const std::string metadata =
      "const char __kiln_module_metadata[] = \"{\\\"version\\\": 1, \\\"kind\\\": "
      "\\\"cuda\\\", \\\"arch\\\": \\\"sm_90\\\", \\\"functions\\\": []}\";\n";
  const std::string no_cubin = testing::compile_library_text(metadata, dir.path(), "libnocubin.so");
  EXPECT_RUNTIME_ERROR(load_module(no_cubin),
                       "is a CUDA library without the symbol `__kiln_cuda_cubin`",
                       "was not written by Module.export_library");
  const std::string cuda_symbols =
      "#include <stddef.h>\n"
      "const unsigned char __kiln_cuda_cubin[] = \"\\177ELF\";\n"
      "const size_t __kiln_cuda_cubin_size = 4;\n"
      "const char __kiln_cuda_ptx[] = \".version 8.0\";\n"
      "const char __kiln_cuda_source[] = \"// no kernels\";\n";
  const std::string whole =
      testing::compile_library_text(metadata + cuda_symbols, dir.path(), "libcuda_empty.so");
  Module m = load_module(whole);
  EXPECT_EQ(m.node()->kind(), "cuda");
  EXPECT_TRUE(m.kernel_names().empty());
  EXPECT_EQ(m.get_source("cubin"), "\177ELF");
  EXPECT_EQ(m.get_source("ptx"), ".version 8.0");

  const std::string other = testing::compile_library_text(
      "const char __kiln_module_metadata[] = \"{\\\"version\\\": 1, \\\"kind\\\": "
      "\\\"metal\\\"}\";\n",
      dir.path(), "libmetal.so");
  EXPECT_RUNTIME_ERROR(load_module(other), "holds `metal` kernels",
                       "loads CPU and CUDA libraries only");
}

}  // namespace
}  // namespace kiln::runtime
