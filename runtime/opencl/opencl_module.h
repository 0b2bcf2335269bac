// A module of OpenCL C kernels: the program is built from source on first
// call (once per source text per process), each function's kernels are
// enqueued in order with their local sizes, and the written host arrays are
// read back.
//
// Arguments may be host arrays (copied in and back) or kDLOpenCL arrays
// (their data is a cl_mem; nothing is copied).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/gpu_launch.h"
#include "runtime/module.h"

namespace kiln::runtime::opencl {

class OpenCLModuleNode : public GpuModuleNode {
 public:
  OpenCLModuleNode(std::string source, std::vector<GpuFunction> functions);
  ~OpenCLModuleNode() override;

  std::string kind() const override { return "opencl"; }
  DLDeviceType device_type() const override { return kDLOpenCL; }
  void run(size_t index, const std::vector<const DLTensor*>& args) override;
  // "cl" / "opencl": the OpenCL C source.
  std::string get_source(const std::string& format) const override;

  // Milliseconds per call of function `index` (device time from profiling
  // events, summed over its kernels): the mean of `number` calls after one
  // warm-up call.
  double time_ms(size_t index, const std::vector<const DLTensor*>& args, int number) override;

 private:
  // Runs every kernel of function `index` once; returns their device time (ns).
  int64_t launch_all(size_t index, const std::vector<void*>& memories, bool profile);

  std::string source_;
  std::mutex mutex_;  // kernel objects are not safe to set arguments on concurrently
  std::vector<std::vector<void*>> kernel_objects_;
};

}  // namespace kiln::runtime::opencl
