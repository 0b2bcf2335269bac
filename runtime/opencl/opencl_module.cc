#include "runtime/opencl/opencl_module.h"

#include "runtime/error.h"
#include "runtime/opencl/opencl_context.h"
#include "runtime/opencl/opencl_device_api.h"

namespace kiln::runtime::opencl {

namespace {

// Device buffers for the host arguments of one call, released when it ends.
class StagedArguments {
 public:
  StagedArguments(const GpuFunction& function, const std::vector<const DLTensor*>& args)
      : function_(function), args_(args) {
    for (const DLTensor* t : args) {
      if (t->device.device_type == kDLOpenCL) {
        if (t->byte_offset != 0) {
          throw RuntimeError(function.signature.name +
                             ": an OpenCL array with a byte offset cannot be passed; copy it "
                             "into its own array first");
        }
        memories_.push_back(t->data);
        staged_.push_back(false);
        continue;
      }
      Memory m = alloc_memory(tensor_bytes(*t));
      memories_.push_back(m);
      staged_.push_back(true);
      write(m, 0, static_cast<const char*>(t->data) + t->byte_offset, tensor_bytes(*t));
    }
    for (int64_t bytes : function.workspace_bytes) {
      memories_.push_back(alloc_memory(static_cast<size_t>(bytes)));
      staged_.push_back(true);
    }
  }
  ~StagedArguments() {
    for (size_t i = 0; i < memories_.size(); ++i)
      if (staged_[i]) free_memory(memories_[i]);
  }
  const std::vector<void*>& memories() const { return memories_; }
  void copy_back() const {
    for (size_t i = 0; i < args_.size(); ++i) {
      if (!staged_[i] || !function_.written[i]) continue;
      read(static_cast<char*>(args_[i]->data) + args_[i]->byte_offset, memories_[i], 0,
           tensor_bytes(*args_[i]));
    }
  }

 private:
  const GpuFunction& function_;
  const std::vector<const DLTensor*>& args_;
  std::vector<void*> memories_;
  std::vector<bool> staged_;
};

}  // namespace

OpenCLModuleNode::OpenCLModuleNode(std::string source, std::vector<GpuFunction> functions)
    : GpuModuleNode(std::move(functions)), source_(std::move(source)) {
  register_opencl_device_api();
}

OpenCLModuleNode::~OpenCLModuleNode() {
  for (auto& kernels : kernel_objects_)
    for (void* k : kernels) release_kernel(k);
}

int64_t OpenCLModuleNode::launch_all(size_t index, const std::vector<void*>& memories,
                                     bool profile) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (kernel_objects_.empty()) {
    Program program = build_program(source_);
    for (const GpuFunction& f : functions_) {
      std::vector<void*> objects;
      for (const DeviceKernel& k : f.kernels) objects.push_back(create_kernel(program, k.name));
      kernel_objects_.push_back(std::move(objects));
    }
  }
  const GpuFunction& f = functions_.at(index);
  int64_t ns = 0;
  for (size_t k = 0; k < f.kernels.size(); ++k) {
    void* object = kernel_objects_[index][k];
    const DeviceKernel& kernel = f.kernels[k];
    for (size_t a = 0; a < kernel.params.size(); ++a)
      set_arg_memory(object, static_cast<int>(a), memories.at(kernel.params[a]));
    ns += enqueue(object, kernel.launch.grid.data(), kernel.launch.block.data(), profile);
  }
  return ns;
}

void OpenCLModuleNode::run(size_t index, const std::vector<const DLTensor*>& args) {
  StagedArguments staged(functions_.at(index), args);
  launch_all(index, staged.memories(), false);
  finish();
  staged.copy_back();
}

double OpenCLModuleNode::time_ms(size_t index, const std::vector<const DLTensor*>& args,
                                 int number) {
  if (number < 1) throw RuntimeError("time_ms: number must be at least 1");
  StagedArguments staged(functions_.at(index), args);
  launch_all(index, staged.memories(), false);
  finish();
  int64_t ns = 0;
  for (int i = 0; i < number; ++i) ns += launch_all(index, staged.memories(), true);
  return static_cast<double>(ns) / 1e6 / number;
}

std::string OpenCLModuleNode::get_source(const std::string& format) const {
  if (format == "cl" || format == "opencl") return source_;
  throw RuntimeError("get_source(\"" + format + "\"): an OpenCL module has the format \"cl\"");
}

}  // namespace kiln::runtime::opencl
