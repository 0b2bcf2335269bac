#include "codegen/llvm/jit.h"

#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>

#include <atomic>

#include "codegen/build.h"
#include "codegen/llvm/vector_library.h"

namespace kiln::codegen::llvm_backend {

namespace {

std::string message(llvm::Error error) { return llvm::toString(std::move(error)); }

// Never destroyed: modules may outlive static destruction order.
llvm::orc::LLJIT& process_jit() {
  static llvm::orc::LLJIT* jit = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    load_vector_library();  // kernels may call it; the process generator finds it
    auto created = llvm::orc::LLJITBuilder().create();
    if (!created) throw BuildError("cannot start the LLVM JIT: " + message(created.takeError()));
    return created->release();
  }();
  return *jit;
}

}  // namespace

std::shared_ptr<JitCode> JitCode::load(std::string object, const std::string& name) {
  llvm::orc::LLJIT& jit = process_jit();
  static std::atomic<uint64_t> counter{0};
  const std::string dylib_name = name + "#" + std::to_string(counter++);
  auto dylib = jit.createJITDylib(dylib_name);
  if (!dylib) throw BuildError("JIT: " + message(dylib.takeError()));
  auto process = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      jit.getDataLayout().getGlobalPrefix());
  if (!process) throw BuildError("JIT: " + message(process.takeError()));
  dylib->addGenerator(std::move(*process));
  std::shared_ptr<JitCode> code(new JitCode(&*dylib));
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(object, dylib_name);
  if (llvm::Error e = jit.addObjectFile(*dylib, std::move(buffer))) {
    throw BuildError("JIT: cannot add the object of `" + name + "`: " + message(std::move(e)));
  }
  return code;
}

JitCode::~JitCode() {
  llvm::Error e = process_jit().getExecutionSession().removeJITDylib(*dylib_);
  llvm::consumeError(std::move(e));  // nothing to do about it in a destructor
}

void* JitCode::lookup(const std::string& symbol) const {
  auto address = process_jit().lookup(*dylib_, symbol);
  if (!address) {
    throw BuildError("JIT: cannot link symbol `" + symbol + "`: " + message(address.takeError()));
  }
  return address->toPtr<void*>();
}

}  // namespace kiln::codegen::llvm_backend
