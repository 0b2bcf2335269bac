// Helpers for the tests that load real shared libraries: compile C source
// with the system's `cc` into a fresh temporary directory.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace kiln::runtime::testing {

inline bool have_c_compiler() { return std::system("command -v cc >/dev/null 2>&1") == 0; }

// A new empty directory under the system's temporary one, removed with it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "kiln_runtime_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << pattern;
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Compiles the C file `source` into `dir`/`name`, with the repository root on
// the include path (for runtime/c_api.h); returns the library's path.
inline std::string compile_library(const std::filesystem::path& source,
                                   const std::filesystem::path& dir, const std::string& name) {
  const std::string out = (dir / name).string();
  const std::string command = "cc -shared -fPIC -O2 -I'" + std::string(KILN_SOURCE_DIR) + "' '" +
                              source.string() + "' -o '" + out + "' 2>'" + out + ".log'";
  EXPECT_EQ(std::system(command.c_str()), 0) << "failed: " << command;
  return out;
}

// Same, from source text written to `dir`/`name`.c first.
inline std::string compile_library_text(const std::string& text, const std::filesystem::path& dir,
                                        const std::string& name) {
  const std::filesystem::path source = dir / (name + ".c");
  std::ofstream(source) << text;
  return compile_library(source, dir, name);
}

// The hand-written kiln library that adds float arrays (add_library.c).
inline std::filesystem::path add_library_source() {
  return std::filesystem::path(KILN_SOURCE_DIR) / "tests/cpp/runtime/add_library.c";
}

}  // namespace kiln::runtime::testing
