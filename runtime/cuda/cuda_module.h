// A module of CUDA kernels compiled ahead (NVRTC → cubin): loads the cubin
// into the driver on first call, launches each function's kernels in order
// on the default stream, and times them with CUDA events.
//
// Arguments may be host arrays (copied to the device and the written ones
// back) or arrays already on the GPU (kDLCUDA: nothing is copied).
// Building the module needs no driver; running it does (RuntimeError
// "no CUDA driver: ..." otherwise).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/gpu_launch.h"
#include "runtime/module.h"

namespace kiln::runtime::cuda {

struct CudaBinary {
  std::string source;  // CUDA C
  std::string ptx;
  std::string cubin;  // ELF bytes for `arch`
  std::string arch;   // "sm_90"
};

class CudaModuleNode : public GpuModuleNode {
 public:
  CudaModuleNode(CudaBinary binary, std::vector<GpuFunction> functions);
  ~CudaModuleNode() override;

  std::string kind() const override { return "cuda"; }
  DLDeviceType device_type() const override { return kDLCUDA; }
  void run(size_t index, const std::vector<const DLTensor*>& args) override;
  // "cuda" (the source), "ptx", "cubin" (the ELF bytes).
  std::string get_source(const std::string& format) const override;
  const CudaBinary& binary() const { return binary_; }

  // Milliseconds per call of function `index` on device-resident copies of
  // `args`: the mean of `number` back-to-back calls between two CUDA events,
  // after one warm-up call.
  double time_ms(size_t index, const std::vector<const DLTensor*>& args, int number) override;

 private:
  struct Loaded;
  Loaded& load();
  void launch_all(size_t index, const std::vector<void*>& device_args);

  CudaBinary binary_;
  std::mutex mutex_;
  std::unique_ptr<Loaded> loaded_;
};

}  // namespace kiln::runtime::cuda
