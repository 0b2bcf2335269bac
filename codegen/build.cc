#include "codegen/build.h"

#include <cctype>

#include "codegen/passes/pipeline.h"
#include "ir/buffer.h"
#include "ir/functor.h"
#include "runtime/c_api.h"
#ifdef KILN_WITH_LLVM
#include "codegen/llvm/llvm_backend.h"
#endif

namespace kiln {

namespace {

// DLPack's view of an IR data type.
DLDataType to_dlpack(ir::DataType t) {
  DLDataType out;
  out.bits = static_cast<uint8_t>(t.is_bool() ? 8 : t.bits());
  out.lanes = static_cast<uint16_t>(t.lanes());
  switch (t.code()) {
    case ir::DataType::Code::kInt: out.code = kDLInt; break;
    case ir::DataType::Code::kUInt: out.code = kDLUInt; break;
    case ir::DataType::Code::kFloat: out.code = kDLFloat; break;
    case ir::DataType::Code::kBFloat: out.code = kDLBfloat; break;
    case ir::DataType::Code::kBool: out.code = kDLBool; break;
    case ir::DataType::Code::kHandle: out.code = kDLOpaqueHandle; break;
  }
  return out;
}

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
    sig.params.push_back({p->name, to_dlpack(p->dtype), std::move(shape)});
  }
  return sig;
}

Module build(const ir::PrimFunc& func, const Target& target) {
  runtime::KernelSignature signature = signature_of(func);
  if (target.kind() == "llvm") {
    ThreadLoopFinder threads;
    threads.visit(func->body);
    if (threads.found)
      throw BuildError("build(" + func->name + ", llvm): loop `" +
                       threads.found->loop_var.name() + "` is bound to `" +
                       threads.found->thread_tag +
                       "`, a GPU thread axis; build it for a cuda or opencl target, or remove "
                       "the bind from the schedule");
#ifdef KILN_WITH_LLVM
    ir::PrimFunc lowered = codegen::lower(func, target);
    return codegen::build_llvm({{lowered, signature}}, target);
#endif
  }
  throw BuildError("build(" + func->name + "): no backend for target `" + target.str() +
                   "` in this build of kiln");
}

}  // namespace kiln
