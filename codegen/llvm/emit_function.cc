// The kernel's two entries (runtime/c_api.h):
//   i32 @NAME(ptr noalias nocapture align 16 dereferenceable(N) %A, ...)
//   i32 @NAME__packed(ptr %args)
// Parameters never stored to are also readonly.
#include "codegen/llvm/emitter.h"
#include "codegen/passes/stmt_utils.h"
#include "ir/buffer.h"
#include "runtime/c_api.h"

namespace kiln::codegen::llvm_backend {

using ir::DataType;

KernelEmitter::KernelEmitter(llvm::Module* module, std::string cpu, std::string features,
                             int vector_bits, bool vector_library)
    : module_(module),
      ctx_(module->getContext()),
      b_(module->getContext()),
      cpu_(std::move(cpu)),
      features_(std::move(features)),
      vector_bits_(vector_bits),
      vector_library_(vector_library) {
  // Contraction (FMA fusion) only: no reassociation, so that results stay
  // within a tolerance of the interpreter's.
  llvm::FastMathFlags flags;
  flags.setAllowContract(true);
  b_.setFastMathFlags(flags);
}

llvm::Type* KernelEmitter::reg_type(DataType t) {
  llvm::Type* scalar = nullptr;
  switch (t.code()) {
    case DataType::Code::kBool: scalar = b_.getInt1Ty(); break;
    case DataType::Code::kInt:
    case DataType::Code::kUInt:
      if (t.bits() == 8 || t.bits() == 16 || t.bits() == 32 || t.bits() == 64) {
        scalar = b_.getIntNTy(t.bits());
      }
      break;
    case DataType::Code::kBFloat: scalar = b_.getInt16Ty(); break;
    case DataType::Code::kFloat:
      if (t.bits() == 16) scalar = b_.getHalfTy();
      if (t.bits() == 32) scalar = b_.getFloatTy();
      if (t.bits() == 64) scalar = b_.getDoubleTy();
      break;
    case DataType::Code::kHandle: break;
  }
  if (!scalar) internal_error("values of type " + t.str() + " have no CPU representation");
  if (t.lanes() > 1) return llvm::FixedVectorType::get(scalar, t.lanes());
  return scalar;
}

llvm::Type* KernelEmitter::mem_type(DataType t) {
  if (!t.is_bool()) return reg_type(t);
  llvm::Type* byte = b_.getInt8Ty();
  return t.lanes() > 1 ? static_cast<llvm::Type*>(llvm::FixedVectorType::get(byte, t.lanes()))
                       : byte;
}

llvm::Function* KernelEmitter::declare_runtime_function(const char* name, llvm::Type* ret,
                                                        std::vector<llvm::Type*> args) {
  llvm::FunctionCallee callee =
      module_->getOrInsertFunction(name, llvm::FunctionType::get(ret, args, false));
  auto* f = llvm::cast<llvm::Function>(callee.getCallee());
  f->setDoesNotThrow();
  return f;
}

void KernelEmitter::set_function_attributes(llvm::Function* f) {
  f->addFnAttr("target-cpu", cpu_);
  if (!features_.empty()) f->addFnAttr("target-features", features_);
  // LLVM's own vectorizers use the target's full width, as the schedules do
  // (some CPUs, e.g. skylake-avx512, would prefer 256 bits).
  f->addFnAttr("prefer-vector-width", std::to_string(vector_bits_));
  // Floating-point exceptions are never observed, so the optimizer may
  // speculate float operations (as clang's default).
  f->addFnAttr("no-trapping-math", "true");
  f->setDoesNotThrow();
}

void KernelEmitter::emit(const LoweredKernel& kernel) {
  const ir::PrimFunc& func = kernel.func;
  kernel_name_ = kernel.signature.name;
  if (func->params.size() != kernel.signature.params.size()) {
    internal_error("kernel `" + kernel_name_ + "` has " + std::to_string(func->params.size()) +
                   " parameters and a signature of " +
                   std::to_string(kernel.signature.params.size()));
  }
  const auto stored = stored_buffers(func->body);

  // Step 1. The typed entry.
  std::vector<llvm::Type*> params(func->params.size(), b_.getPtrTy());
  llvm::Function* entry =
      llvm::Function::Create(llvm::FunctionType::get(b_.getInt32Ty(), params, false),
                             llvm::Function::ExternalLinkage, kernel_name_, module_);
  set_function_attributes(entry);
  vars_.clear();
  buffers_.clear();
  buffer_alignment_.clear();
  for (size_t i = 0; i < func->params.size(); ++i) {
    const ir::Buffer& buffer = func->params[i];
    llvm::Argument* arg = entry->getArg(i);
    arg->setName(buffer->name);
    arg->addAttr(llvm::Attribute::NoAlias);
    arg->addAttr(llvm::Attribute::NoCapture);
    arg->addAttr(llvm::Attribute::NoUndef);
    arg->addAttr(llvm::Attribute::getWithAlignment(ctx_, llvm::Align(KILN_BUFFER_ALIGNMENT)));
    // The runtime checks every shape before a call, so the whole buffer is
    // there: loads may be hoisted out of conditions.
    const uint64_t bytes = static_cast<uint64_t>(ir::num_elements(buffer)) * buffer->dtype.bytes();
    if (bytes > 0) arg->addAttr(llvm::Attribute::getWithDereferenceableBytes(ctx_, bytes));
    if (!stored.count(buffer.get())) arg->addAttr(llvm::Attribute::ReadOnly);
    buffers_[buffer.get()] = arg;
    buffer_alignment_[buffer.get()] = KILN_BUFFER_ALIGNMENT;
  }
  fn_ = FunctionState{entry, llvm::BasicBlock::Create(ctx_, "entry", entry), {}};
  auto* start = llvm::BasicBlock::Create(ctx_, "start", entry);
  b_.SetInsertPoint(start);
  stmt(func->body);
  b_.CreateRet(b_.getInt32(KILN_OK));
  b_.SetInsertPoint(fn_.entry);
  b_.CreateBr(start);

  // Step 2. The packed entry: args[i] is parameter i.
  llvm::Function* packed =
      llvm::Function::Create(llvm::FunctionType::get(b_.getInt32Ty(), {b_.getPtrTy()}, false),
                             llvm::Function::ExternalLinkage, kernel_name_ + "__packed", module_);
  set_function_attributes(packed);
  llvm::Argument* args = packed->getArg(0);
  args->setName("args");
  llvm::IRBuilder<> p(llvm::BasicBlock::Create(ctx_, "entry", packed));
  std::vector<llvm::Value*> pointers;
  for (size_t i = 0; i < func->params.size(); ++i) {
    llvm::Value* slot = p.CreateConstInBoundsGEP1_64(p.getPtrTy(), args, i);
    pointers.push_back(p.CreateLoad(p.getPtrTy(), slot, func->params[i]->name));
  }
  p.CreateRet(p.CreateCall(entry, pointers));
  vars_.clear();
  buffers_.clear();
}

}  // namespace kiln::codegen::llvm_backend
