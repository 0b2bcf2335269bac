#include "codegen/gpu/build_gpu.h"

#include <memory>
#include <unordered_set>

#include "codegen/build.h"
#include "codegen/gpu/dialect.h"
#include "codegen/gpu/nvrtc.h"
#include "codegen/gpu/source_printer.h"
#include "codegen/passes/gpu_insert_barriers.h"
#include "codegen/passes/gpu_lower_thread_allreduce.h"
#include "codegen/passes/gpu_split_kernels.h"
#include "codegen/passes/gpu_verify.h"
#include "codegen/passes/stmt_utils.h"
#include "ir/buffer.h"
#include "ir/functor.h"
#include "runtime/cuda/cuda_module.h"
#include "runtime/opencl/opencl_module.h"

namespace kiln::codegen {

namespace {

runtime::GpuFunction launch_description(const gpu::GpuProgram& program,
                                        const runtime::KernelSignature& signature) {
  runtime::GpuFunction f;
  f.signature = signature;
  std::unordered_set<const ir::BufferNode*> written;
  for (const gpu::GpuKernel& k : program.kernels) {
    written.merge(stored_buffers(k.body));
    f.kernels.push_back({k.name, k.launch, k.arguments});
  }
  for (const ir::Buffer& p : program.params) f.written.push_back(written.count(p.get()) > 0);
  for (const ir::Buffer& w : program.workspaces)
    f.workspace_bytes.push_back(ir::num_elements(w) * w->dtype.bytes());
  return f;
}

}  // namespace

runtime::Module build_gpu(const ir::PrimFunc& lowered, const runtime::KernelSignature& signature,
                          const Target& target) {
  if (!target.is_gpu()) throw BuildError("build_gpu: target " + target.str() + " is no GPU target");
  if (lowered->params.size() != signature.params.size())
    throw BuildError("build_gpu: " + lowered->name + " has " +
                     std::to_string(lowered->params.size()) + " parameters but its signature " +
                     std::to_string(signature.params.size()));
  const bool cuda = target.kind() == "cuda";
  gpu::GpuProgram program = gpu_split_kernels(lowered);
  gpu_lower_thread_allreduce(program, target);
  gpu_insert_barriers(program);
  gpu_verify(program, target);
  gpu::PrintOptions options;
  options.fast_math = target.option("fast_math") == "1";
  const std::string source =
      gpu::print_source(program, cuda ? gpu::Dialect::cuda() : gpu::Dialect::opencl(), options);
  std::vector<runtime::GpuFunction> functions = {launch_description(program, signature)};
  if (!cuda)
    return runtime::Module(
        std::make_shared<runtime::opencl::OpenCLModuleNode>(source, std::move(functions)));
  const std::string arch = target.option("arch");
  gpu::CudaCompileResult compiled = gpu::compile_cuda(source, arch, options.fast_math);
  runtime::cuda::CudaBinary binary{source, compiled.ptx, compiled.cubin, arch};
  return runtime::Module(
      std::make_shared<runtime::cuda::CudaModuleNode>(std::move(binary), std::move(functions)));
}

}  // namespace kiln::codegen
