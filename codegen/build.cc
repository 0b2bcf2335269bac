#include "codegen/build.h"

#include <cctype>

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

Module build(const ir::PrimFunc& func, const Target& target) {
  runtime::KernelSignature signature = signature_of(func);
  if (target.kind() == "llvm") {
    ThreadLoopFinder threads;
    threads.visit(func->body);
    if (threads.found)
      throw BuildError("build(" + func->name + ", llvm): loop `" + threads.found->loop_var.name() +
                       "` is bound to `" + threads.found->thread_tag +
                       "`, a GPU thread axis; build it for a cuda or opencl target, or remove "
                       "the bind from the schedule");
#ifdef KILN_WITH_LLVM
    ir::PrimFunc lowered = codegen::lower(func, target);
    return codegen::build_llvm({{lowered, signature}}, target);
#endif
  } else {
    return codegen::build_gpu(codegen::lower(func, target), signature, target);
  }
  throw BuildError("build(" + func->name + "): no backend for target `" + target.str() +
                   "` in this build of kiln");
}

}  // namespace kiln
