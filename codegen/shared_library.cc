#include "codegen/shared_library.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "runtime/error.h"

extern char** environ;

namespace kiln::codegen {

namespace fs = std::filesystem;
using runtime::RuntimeError;

namespace {

std::string find_on_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

void write_file(const fs::path& path, const std::string& data, const std::string& what) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) {
    throw RuntimeError("export_library: cannot write " + what + " `" + path.string() +
                       "`; check that the folder exists and is writable");
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Removes the scratch folder however the export ends.
struct ScratchDir {
  fs::path path;
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

}  // namespace

std::string find_c_compiler() {
  if (const char* cc = std::getenv("CC"); cc && *cc) {
    if (std::string found = find_on_path(cc); !found.empty()) return found;
  }
  for (const char* name : {"cc", "gcc", "clang"}) {
    if (std::string found = find_on_path(name); !found.empty()) return found;
  }
  return "";
}

void write_shared_library(const std::string& path, const LibraryInput& input,
                          const std::string& header) {
  const std::string compiler = find_c_compiler();
  if (compiler.empty()) {
    throw RuntimeError("export_library(" + path +
                       "): no C compiler to link the shared library with: none of $CC, cc, gcc "
                       "or clang is on PATH; install one (apt-get install gcc) or set CC");
  }
  std::string scratch_template = (fs::temp_directory_path() / "kiln-export-XXXXXX").string();
  if (!mkdtemp(scratch_template.data())) {
    throw RuntimeError("export_library(" + path + "): cannot create a scratch folder in " +
                       fs::temp_directory_path().string());
  }
  ScratchDir scratch{scratch_template};
  const fs::path input_path = scratch.path / input.name;
  const fs::path log_path = scratch.path / "link.log";
  write_file(input_path, input.contents, "the compiler's input");

  std::vector<std::string> argv = {compiler, "-shared", "-fPIC", "-o", path};
  argv.push_back(input_path.string());
  argv.push_back("-lm");
  // Kernels may call glibc's vector math library (llvm/vector_library.h);
  // --as-needed keeps it out of libraries that do not.
  argv.push_back("-Wl,--push-state,--as-needed");
  argv.push_back("-lmvec");
  argv.push_back("-Wl,--pop-state");
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, compiler.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw RuntimeError("export_library(" + path + "): cannot run `" + compiler +
                       "`: " + std::strerror(spawned));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw RuntimeError("export_library(" + path + "): `" + compiler + " -shared -fPIC -o " + path +
                       " " + input.name + " -lm -lmvec` failed:\n" + read_file(log_path) +
                       "check that the folder of the path exists and is writable");
  }
  write_file(fs::path(path).replace_extension(".h"), header, "the C header");
}

}  // namespace kiln::codegen
