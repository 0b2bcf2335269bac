#include "codegen/gpu/build_gpu.h"

#include <chrono>
#include <memory>
#include <unordered_set>

#include "codegen/build.h"
#include "codegen/gpu/cuda_export.h"
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

gpu::GpuProgram gpu_program(const ir::PrimFunc& lowered, const Target& target) {
  gpu::GpuProgram program = gpu_split_kernels(lowered);
  gpu_lower_thread_allreduce(program, target);
  gpu_insert_barriers(program);
  gpu_verify(program, target);
  return program;
}

}  // namespace

void check_gpu_program(const ir::PrimFunc& lowered, const Target& target) {
  if (!target.is_gpu()) throw BuildError("check_gpu_program: target " + target.str() + " is no GPU target");
  gpu_program(lowered, target);
}

Artifact compile_gpu(const ir::PrimFunc& lowered, const runtime::KernelSignature& signature,
                     const Target& target) {
  if (!target.is_gpu()) throw BuildError("compile_gpu: target " + target.str() + " is no GPU target");
  if (lowered->params.size() != signature.params.size())
    throw BuildError("compile_gpu: " + lowered->name + " has " +
                     std::to_string(lowered->params.size()) + " parameters but its signature " +
                     std::to_string(signature.params.size()));
  const auto start = std::chrono::steady_clock::now();
  const bool cuda = target.kind() == "cuda";
  gpu::GpuProgram program = gpu_program(lowered, target);
  gpu::PrintOptions options;
  options.fast_math = target.option("fast_math") == "1";
  Artifact artifact;
  artifact.kind = target.kind();
  artifact.target = target.str();
  const std::string source =
      gpu::print_source(program, cuda ? gpu::Dialect::cuda() : gpu::Dialect::opencl(), options);
  // After printing: the printer sizes each kernel's dynamic shared memory.
  artifact.functions = {launch_description(program, signature)};
  const auto printed = std::chrono::steady_clock::now();
  artifact.times.emit_ms = std::chrono::duration<double, std::milli>(printed - start).count();
  if (!cuda) {
    artifact.binary = source;
    return artifact;
  }
  gpu::CudaCompileResult compiled = gpu::compile_cuda(source, target.option("arch"), options.fast_math);
  artifact.binary = std::move(compiled.cubin);
  artifact.ptx = std::move(compiled.ptx);
  artifact.source = source;
  artifact.times.codegen_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - printed).count();
  return artifact;
}

runtime::Module load_gpu(Artifact artifact) {
  if (artifact.kind == "opencl")
    return runtime::Module(std::make_shared<runtime::opencl::OpenCLModuleNode>(
        std::move(artifact.binary), std::move(artifact.functions)));
  if (artifact.kind != "cuda")
    throw BuildError("load_gpu: the artifact is of kind `" + artifact.kind +
                     "`; it loads cuda and opencl artifacts");
  runtime::cuda::CudaBinary binary{std::move(artifact.source), std::move(artifact.ptx),
                                   std::move(artifact.binary),
                                   Target(artifact.target).option("arch")};
  return runtime::Module(std::make_shared<gpu::CompiledCudaModule>(
      std::move(binary), std::move(artifact.functions), std::move(artifact.target)));
}

runtime::Module build_gpu(const ir::PrimFunc& lowered, const runtime::KernelSignature& signature,
                          const Target& target) {
  return load_gpu(compile_gpu(lowered, signature, target));
}

}  // namespace kiln::codegen
