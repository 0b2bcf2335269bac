// Machine code loaded into this process by one process-wide ORC LLJIT: each
// object gets its own JITDylib, removed (and its memory freed) when the last
// JitCode referring to it goes. Loading, looking up and removing are safe
// from any thread.
#pragma once

#include <memory>
#include <string>

namespace llvm::orc {
class JITDylib;
}

namespace kiln::codegen::llvm_backend {

class JitCode {
 public:
  // Links `object` (an ELF/Mach-O object for this machine) against the
  // process's symbols (libc, libm). Throws BuildError when linking fails.
  static std::shared_ptr<JitCode> load(std::string object, const std::string& name);
  ~JitCode();
  JitCode(const JitCode&) = delete;
  JitCode& operator=(const JitCode&) = delete;

  // The address of a symbol the object defines; throws BuildError if none.
  void* lookup(const std::string& symbol) const;

 private:
  explicit JitCode(llvm::orc::JITDylib* dylib) : dylib_(dylib) {}
  llvm::orc::JITDylib* dylib_;
};

}  // namespace kiln::codegen::llvm_backend
