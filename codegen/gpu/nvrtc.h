// NVRTC: CUDA C to PTX and a cubin for one architecture, in process.
//
// Available when kiln was configured with the CUDA toolkit (KILN_WITH_NVRTC);
// otherwise nvrtc_available() is false and compile_cuda throws BuildError.
#pragma once

#include <string>

namespace kiln::codegen::gpu {

struct CudaCompileResult {
  std::string ptx;
  std::string cubin;
  // The compiler's log: warnings (empty when the source compiled cleanly).
  std::string log;
  double seconds = 0;  // wall time of the compilation
};

bool nvrtc_available();
// "13.0".
std::string nvrtc_version();
// Compiles `source` for `arch` ("sm_90"). Throws BuildError with the log when
// the source does not compile or NVRTC does not know the arch.
CudaCompileResult compile_cuda(const std::string& source, const std::string& arch,
                               bool fast_math = false);

}  // namespace kiln::codegen::gpu
