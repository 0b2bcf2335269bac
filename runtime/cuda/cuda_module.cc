#include "runtime/cuda/cuda_module.h"

#include <algorithm>

#include "runtime/cuda/cuda_device_api.h"
#include "runtime/cuda/cuda_driver.h"
#include "runtime/error.h"

namespace kiln::runtime::cuda {

namespace {

void* tensor_data(const DLTensor& t) { return static_cast<char*>(t.data) + t.byte_offset; }

// Device copies of the host arguments of one call, freed when it ends.
class StagedArguments {
 public:
  StagedArguments(const DriverTable& driver, const GpuFunction& function,
                  const std::vector<const DLTensor*>& args)
      : driver_(driver), function_(function), args_(args) {
    for (const DLTensor* t : args) {
      if (t->device.device_type == kDLCUDA) {
        pointers_.push_back(tensor_data(*t));
        staged_.push_back(0);
        continue;
      }
      CUdeviceptr p = 0;
      check(driver.cuMemAlloc(&p, std::max<size_t>(tensor_bytes(*t), 1)), "cuMemAlloc");
      staged_.push_back(p);
      pointers_.push_back(reinterpret_cast<void*>(p));
      check(driver.cuMemcpyHtoD(p, tensor_data(*t), tensor_bytes(*t)), "cuMemcpyHtoD");
    }
    for (int64_t bytes : function.workspace_bytes) {
      CUdeviceptr p = 0;
      check(driver.cuMemAlloc(&p, std::max<size_t>(static_cast<size_t>(bytes), 1)),
            "cuMemAlloc(workspace)");
      staged_.push_back(p);
      pointers_.push_back(reinterpret_cast<void*>(p));
    }
  }
  ~StagedArguments() {
    for (CUdeviceptr p : staged_)
      if (p) driver_.cuMemFree(p);
  }
  const std::vector<void*>& pointers() const { return pointers_; }
  // Copies the written host arguments back.
  void copy_back() const {
    for (size_t i = 0; i < args_.size(); ++i) {
      if (!staged_[i] || !function_.written[i]) continue;
      check(driver_.cuMemcpyDtoH(tensor_data(*args_[i]), staged_[i], tensor_bytes(*args_[i])),
            "cuMemcpyDtoH");
    }
  }

 private:
  const DriverTable& driver_;
  const GpuFunction& function_;
  const std::vector<const DLTensor*>& args_;
  std::vector<void*> pointers_;
  std::vector<CUdeviceptr> staged_;
};

}  // namespace

struct CudaModuleNode::Loaded {
  CUmodule module = nullptr;
  // Per function, per kernel.
  std::vector<std::vector<CUfunction>> kernels;
};

CudaModuleNode::CudaModuleNode(CudaBinary binary, std::vector<GpuFunction> functions)
    : GpuModuleNode(std::move(functions)), binary_(std::move(binary)) {
  register_cuda_device_api();
}

CudaModuleNode::~CudaModuleNode() {
  // Unloading needs the driver; a module that never ran has nothing loaded.
  if (loaded_ && loaded_->module) driver().cuModuleUnload(loaded_->module);
}

CudaModuleNode::Loaded& CudaModuleNode::load() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (loaded_) return *loaded_;
  const DriverTable& d = driver();
  auto loaded = std::make_unique<Loaded>();
  check(d.cuModuleLoadData(&loaded->module, binary_.cubin.data()),
        ("cuModuleLoadData (cubin for " + binary_.arch + ")").c_str());
  for (const GpuFunction& f : functions_) {
    std::vector<CUfunction> handles;
    for (const DeviceKernel& k : f.kernels) {
      CUfunction h = nullptr;
      check(d.cuModuleGetFunction(&h, loaded->module, k.name.c_str()),
            ("cuModuleGetFunction(" + k.name + ")").c_str());
      // Dynamic shared memory over 48 KB must be opted into per kernel.
      if (k.launch.dynamic_shared_bytes > 48 * 1024) {
        check(d.cuFuncSetAttribute(h, kFuncAttributeMaxDynamicSharedSizeBytes,
                                   static_cast<int>(k.launch.dynamic_shared_bytes)),
              "cuFuncSetAttribute(max dynamic shared memory)");
      }
      handles.push_back(h);
    }
    loaded->kernels.push_back(std::move(handles));
  }
  loaded_ = std::move(loaded);
  return *loaded_;
}

void CudaModuleNode::launch_all(size_t index, const std::vector<void*>& device_args) {
  const DriverTable& d = driver();
  Loaded& loaded = load();
  const GpuFunction& f = functions_.at(index);
  for (size_t k = 0; k < f.kernels.size(); ++k) {
    const DeviceKernel& kernel = f.kernels[k];
    std::vector<void*> values;
    for (int p : kernel.params) values.push_back(device_args.at(p));
    std::vector<void*> params;
    for (void*& v : values) params.push_back(&v);
    const LaunchConfig& c = kernel.launch;
    check(d.cuLaunchKernel(loaded.kernels[index][k], static_cast<unsigned>(c.grid[0]),
                           static_cast<unsigned>(c.grid[1]), static_cast<unsigned>(c.grid[2]),
                           static_cast<unsigned>(c.block[0]), static_cast<unsigned>(c.block[1]),
                           static_cast<unsigned>(c.block[2]),
                           static_cast<unsigned>(c.dynamic_shared_bytes), nullptr, params.data(),
                           nullptr),
          ("cuLaunchKernel(" + kernel.name + ")").c_str());
  }
}

void CudaModuleNode::run(size_t index, const std::vector<const DLTensor*>& args) {
  const DriverTable& d = driver();
  StagedArguments staged(d, functions_.at(index), args);
  launch_all(index, staged.pointers());
  check(d.cuCtxSynchronize(), ("running " + functions_[index].signature.name).c_str());
  staged.copy_back();
}

double CudaModuleNode::time_ms(size_t index, const std::vector<const DLTensor*>& args, int number) {
  if (number < 1) throw RuntimeError("time_ms: number must be at least 1");
  const DriverTable& d = driver();
  StagedArguments staged(d, functions_.at(index), args);
  launch_all(index, staged.pointers());  // warm-up: module load, caches
  CUevent start = nullptr, stop = nullptr;
  check(d.cuEventCreate(&start, 0), "cuEventCreate");
  check(d.cuEventCreate(&stop, 0), "cuEventCreate");
  float ms = 0;
  check(d.cuEventRecord(start, nullptr), "cuEventRecord");
  for (int i = 0; i < number; ++i) launch_all(index, staged.pointers());
  check(d.cuEventRecord(stop, nullptr), "cuEventRecord");
  check(d.cuEventSynchronize(stop), "cuEventSynchronize");
  check(d.cuEventElapsedTime(&ms, start, stop), "cuEventElapsedTime");
  d.cuEventDestroy(start);
  d.cuEventDestroy(stop);
  return ms / number;
}

std::string CudaModuleNode::get_source(const std::string& format) const {
  if (format == "cuda" || format == "cu") return binary_.source;
  if (format == "ptx") return binary_.ptx;
  if (format == "cubin") return binary_.cubin;
  throw RuntimeError("get_source(\"" + format +
                     "\"): a CUDA module has the formats \"cuda\", \"ptx\" and \"cubin\"");
}

}  // namespace kiln::runtime::cuda
