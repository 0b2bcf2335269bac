#include "codegen/gpu/nvrtc.h"

#include <chrono>
#include <cstdlib>
#include <vector>

#include "codegen/build.h"

#ifdef KILN_WITH_NVRTC
#include <nvrtc.h>
#endif

namespace kiln::codegen::gpu {

#ifdef KILN_WITH_NVRTC

namespace {

void check(nvrtcResult r, const char* what) {
  if (r != NVRTC_SUCCESS)
    throw BuildError(std::string("NVRTC ") + what + " failed: " + nvrtcGetErrorString(r));
}

// cuda_fp16.h and friends: $CUDA_HOME/include when set, else the toolkit kiln
// was configured with.
std::string include_dir() {
  if (const char* home = std::getenv("CUDA_HOME")) return std::string(home) + "/include";
  return KILN_CUDA_INCLUDE_DIR;
}

}  // namespace

bool nvrtc_available() { return true; }

std::string nvrtc_version() {
  int major = 0, minor = 0;
  nvrtcVersion(&major, &minor);
  return std::to_string(major) + "." + std::to_string(minor);
}

CudaCompileResult compile_cuda(const std::string& source, const std::string& arch, bool fast_math) {
  const auto start = std::chrono::steady_clock::now();
  nvrtcProgram program = nullptr;
  check(nvrtcCreateProgram(&program, source.c_str(), "kiln_kernel.cu", 0, nullptr, nullptr),
        "nvrtcCreateProgram");
  struct Release {
    nvrtcProgram* p;
    ~Release() { nvrtcDestroyProgram(p); }
  } release{&program};
  const std::string arch_flag = "--gpu-architecture=" + arch;
  const std::string include_flag = "--include-path=" + include_dir();
  std::vector<const char*> options = {arch_flag.c_str(), include_flag.c_str(), "--std=c++17",
                                      "--device-as-default-execution-space"};
  if (fast_math) options.push_back("--use_fast_math");
  const nvrtcResult compiled =
      nvrtcCompileProgram(program, static_cast<int>(options.size()), options.data());
  CudaCompileResult result;
  size_t log_size = 0;
  check(nvrtcGetProgramLogSize(program, &log_size), "nvrtcGetProgramLogSize");
  std::string log(log_size, '\0');
  if (log_size) check(nvrtcGetProgramLog(program, log.data()), "nvrtcGetProgramLog");
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  if (compiled != NVRTC_SUCCESS) {
    throw BuildError("NVRTC could not compile the generated CUDA C for " + arch + " (" +
                     nvrtcGetErrorString(compiled) +
                     "); this is a kiln bug, please report it with the source:\n" + log +
                     "\n--- source ---\n" + source);
  }
  result.log = log;
  size_t size = 0;
  check(nvrtcGetPTXSize(program, &size), "nvrtcGetPTXSize");
  result.ptx.resize(size);
  check(nvrtcGetPTX(program, result.ptx.data()), "nvrtcGetPTX");
  while (!result.ptx.empty() && result.ptx.back() == '\0') result.ptx.pop_back();
  check(nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize");
  result.cubin.resize(size);
  check(nvrtcGetCUBIN(program, result.cubin.data()), "nvrtcGetCUBIN");
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

#else  // !KILN_WITH_NVRTC

bool nvrtc_available() { return false; }
std::string nvrtc_version() { return ""; }
CudaCompileResult compile_cuda(const std::string&, const std::string& arch, bool) {
  throw BuildError("cannot compile CUDA for " + arch +
                   ": kiln was configured without the CUDA toolkit (CMake found no NVRTC); "
                   "install it and reconfigure, or build for target \"opencl\"");
}

#endif  // KILN_WITH_NVRTC

}  // namespace kiln::codegen::gpu
