#include "codegen/build.h"

#include <cctype>
#include <chrono>

#include "codegen/gpu/build_gpu.h"
#include "codegen/passes/pipeline.h"
#include "ir/buffer.h"
#include "ir/functor.h"
#include "runtime/c_api.h"
#ifdef KILN_WITH_LLVM
#include "codegen/llvm/llvm_backend.h"
#endif

namespace kiln {

namespace {

// A kernel name is a C identifier: other characters become '_'.
std::string symbol_name(const std::string& name) {
  std::string out = name.empty() ? "kernel" : name;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  if (std::isdigit(static_cast<unsigned char>(out[0]))) out = "k_" + out;
  return out;
}

// The first thread-bound loop, if any: a GPU schedule cannot run on the CPU.
class ThreadLoopFinder : public ir::IRVisitor {
 public:
  const ir::ForNode* found = nullptr;

 protected:
  void visit_for(const ir::ForNode* op) override {
    if (op->for_kind == ir::ForKind::kThreadBinding && !found) found = op;
    ir::IRVisitor::visit_for(op);
  }
};

}  // namespace

runtime::KernelSignature signature_of(const ir::PrimFunc& func) {
  runtime::KernelSignature sig;
  sig.name = symbol_name(func->name);
  sig.alignment = KILN_BUFFER_ALIGNMENT;
  for (const ir::Buffer& p : func->params) {
    std::vector<int64_t> shape;
    try {
      shape = ir::static_shape(p);
    } catch (const std::logic_error&) {
      throw BuildError("build(" + func->name + "): parameter `" + p->name +
                       "` has a symbolic shape; kiln compiles static shapes only");
    }
    sig.params.push_back({p->name, runtime::parse_dtype(p->dtype.str()), std::move(shape)});
  }
  return sig;
}

codegen::Artifact compile(const ir::PrimFunc& func, const Target& target, bool keep_source) {
  runtime::KernelSignature signature = signature_of(func);
  if (target.kind() == "llvm") {
    ThreadLoopFinder threads;
    threads.visit(func->body);
    if (threads.found)
      throw BuildError("build(" + func->name + ", llvm): loop `" + threads.found->loop_var.name() +
                       "` is bound to `" + threads.found->thread_tag +
                       "`, a GPU thread axis; build it for a cuda or opencl target, or remove "
                       "the bind from the schedule");
  }
  const auto start = std::chrono::steady_clock::now();
  ir::PrimFunc lowered = codegen::lower(func, target);
  const double lower_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  codegen::Artifact artifact;
  if (target.kind() == "llvm") {
#ifdef KILN_WITH_LLVM
    artifact = codegen::compile_llvm({{lowered, signature}}, target, keep_source);
#else
    throw BuildError("build(" + func->name + "): this kiln was built without LLVM; no backend "
                     "for target `" + target.str() + "`");
#endif
  } else {
    artifact = codegen::compile_gpu(lowered, signature, target);
  }
  artifact.times.lower_ms = lower_ms;
  return artifact;
}

Module load_artifact(codegen::Artifact artifact) {
  if (artifact.kind == "llvm") {
#ifdef KILN_WITH_LLVM
    return codegen::load_llvm(std::move(artifact));
#else
    throw BuildError("load_artifact: this kiln was built without LLVM (KILN_WITH_LLVM=OFF) and "
                     "cannot load CPU code");
#endif
  }
  return codegen::load_gpu(std::move(artifact));
}

Module build(const ir::PrimFunc& func, const Target& target) {
  return load_artifact(compile(func, target, /*keep_source=*/true));
}

}  // namespace kiln
