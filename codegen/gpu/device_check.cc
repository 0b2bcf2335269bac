#include "codegen/gpu/device_check.h"

#include <stdexcept>

#include "runtime/cuda/cuda_driver.h"
#include "runtime/opencl/opencl_context.h"

namespace kiln::codegen {

void require_device(const Target& target, const std::string& activity) {
  if (!target.is_gpu()) return;
  std::string reason;
  const bool cuda = target.kind() == "cuda";
  if (cuda ? runtime::cuda::driver_available(&reason) : runtime::opencl::opencl_available(&reason))
    return;
  throw std::invalid_argument(
      "cannot " + activity + " for " + target.kind() + " here: " + reason +
      (cuda ? "; --target opencl runs the same GPU schedules on PoCL's CPU device" : ""));
}

}  // namespace kiln::codegen
