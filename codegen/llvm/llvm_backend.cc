// build_llvm: emit → verify → O3 → object file → JIT → module.
#include "codegen/llvm/llvm_backend.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <set>

#include "codegen/build.h"
#include "codegen/llvm/cpu_features.h"
#include "codegen/llvm/emitter.h"
#include "codegen/llvm/llvm_module.h"
#include "codegen/llvm/machine_code.h"
#include "codegen/llvm/optimize.h"
#include "codegen/llvm/target_machine.h"
#include "codegen/llvm/vector_library.h"
#include "codegen/passes/alignment_preference.h"
#include "codegen/passes/stmt_utils.h"
#include "runtime/metadata.h"

namespace kiln::codegen {

using namespace llvm_backend;

namespace {

class Stopwatch {
 public:
  // Wall milliseconds since the last call (or construction).
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double ms = std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
    return ms;
  }
  // CPU milliseconds of the calling thread since construction.
  double cpu() const { return thread_cpu_ms() - cpu_start_; }

 private:
  static double thread_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
  }
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  double cpu_start_ = thread_cpu_ms();
};

bool is_c_identifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Step 1. Everything about the request that can be wrong, before any work.
void check_request(const std::vector<LoweredKernel>& kernels, const Target& target,
                   const MachineSpec& spec) {
  if (target.kind() != "llvm") {
    throw BuildError("build_llvm: the target is `" + target.str() +
                     "`; the LLVM backend compiles for \"llvm\" targets (the CPU)");
  }
  if (kernels.empty()) throw BuildError("build_llvm: no kernels to compile");
  const llvm::Triple host(llvm::sys::getProcessTriple());
  const llvm::Triple wanted(spec.triple);
  if (wanted.getArch() != host.getArch() || wanted.getOS() != host.getOS()) {
    throw BuildError("build_llvm: target triple `" + spec.triple + "` is not this machine's (" +
                     host.str() + "), so its code cannot run here; drop -mtriple, or give " +
                     host.str());
  }
  std::set<std::string> names;
  for (const LoweredKernel& k : kernels) {
    const std::string& name = k.signature.name;
    if (!is_c_identifier(name)) {
      throw BuildError("build_llvm: kernel name `" + name +
                       "` is not a C identifier (letters, digits, '_'); it is the kernel's "
                       "symbol. Name the function accordingly (signature_of does this)");
    }
    if (!names.insert(name).second) {
      throw BuildError("build_llvm: two kernels are named `" + name +
                       "`; a module's kernels need distinct names");
    }
    if (!k.func) throw BuildError("build_llvm: kernel `" + name + "` has no function");
  }
}

void add_module_globals(llvm::Module* module,
                        const std::vector<runtime::KernelSignature>& signatures) {
  llvm::LLVMContext& ctx = module->getContext();
  auto* pointer = llvm::PointerType::get(ctx, 0);
  auto* pool = new llvm::GlobalVariable(
      *module, pointer, /*isConstant=*/false, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantPointerNull::get(pointer), kParallelForSymbol);
  pool->setDSOLocal(true);
  llvm::Constant* text =
      llvm::ConstantDataArray::getString(ctx, runtime::metadata_json(signatures));
  auto* metadata =
      new llvm::GlobalVariable(*module, text->getType(), /*isConstant=*/true,
                               llvm::GlobalValue::ExternalLinkage, text, "__kiln_module_metadata");
  metadata->setDSOLocal(true);
}

// "min-legal-vector-width": the widest vector the function computes with, as
// clang sets it. The x86 backend keeps vectors of that width whole: a loop
// vectorized to 16 floats stays in zmm registers even on CPUs that prefer
// 256-bit vectors, instead of being split into two ymm halves.
void declare_vector_width(llvm::Function& f) {
  uint64_t widest = 0;
  auto widen = [&](llvm::Type* t) {
    if (auto* v = llvm::dyn_cast<llvm::FixedVectorType>(t))
      widest = std::max<uint64_t>(widest, v->getPrimitiveSizeInBits().getFixedValue());
  };
  for (llvm::BasicBlock& block : f)
    for (llvm::Instruction& inst : block) {
      widen(inst.getType());
      for (llvm::Value* operand : inst.operands()) widen(operand->getType());
    }
  f.addFnAttr("min-legal-vector-width", std::to_string(widest));
}

// The kernel's signature with what its code says of each parameter: whether
// it is written, and whether it wants its data on a cache line.
runtime::KernelSignature with_access_facts(const LoweredKernel& kernel, const Target& target) {
  runtime::KernelSignature sig = kernel.signature;
  const auto stored = stored_buffers(kernel.func->body);
  const std::vector<bool> wants_alignment = params_wanting_alignment(kernel.func, target.vector_bytes);
  for (size_t i = 0; i < sig.params.size(); ++i) {
    sig.params[i].written = stored.count(kernel.func->params[i].get()) > 0;
    sig.params[i].preferred_alignment = wants_alignment[i] ? target.cache_line_bytes : 0;
  }
  return sig;
}

std::string print_module(const llvm::Module& module) {
  std::string text;
  llvm::raw_string_ostream out(text);
  module.print(out, nullptr);
  out.flush();
  return text;
}

}  // namespace

Artifact compile_llvm(const std::vector<LoweredKernel>& kernels, const Target& target,
                      bool keep_ir) {
  Stopwatch clock;
  const MachineSpec machine = machine_spec(target);
  check_request(kernels, target, machine);
  std::unique_ptr<llvm::TargetMachine> tm = make_target_machine(machine);
  Artifact artifact;
  artifact.kind = "llvm";
  artifact.target = target.str();

  // Step 2. LLVM IR for every kernel, in one module.
  llvm::LLVMContext context;
  llvm::Module module("kiln", context);
  module.setTargetTriple(machine.triple);
  module.setDataLayout(tm->createDataLayout());
  for (const LoweredKernel& k : kernels) artifact.signatures.push_back(with_access_facts(k, target));
  add_module_globals(&module, artifact.signatures);
  KernelEmitter emitter(&module, machine.cpu, machine.features, target.vector_bytes * 8,
                        uses_vector_library(*tm));
  for (const LoweredKernel& k : kernels) emitter.emit(k);
  for (llvm::Function& f : module) {
    if (f.isDeclaration()) continue;
    if (!f.hasLocalLinkage()) f.setDSOLocal(true);
    declare_vector_width(f);
  }
  std::string problems;
  llvm::raw_string_ostream problem_stream(problems);
  if (llvm::verifyModule(module, &problem_stream)) {
    internal_error("the emitted LLVM IR is invalid:\n" + problem_stream.str());
  }
  artifact.times.emit_ms = clock.lap();

  // Step 3. Optimize, keep the IR text if asked, make machine code.
  const double cpu_before_optimize = clock.cpu();
  optimize_module(&module, tm.get());
  artifact.times.optimize_ms = clock.lap();
  artifact.times.optimize_cpu_ms = clock.cpu() - cpu_before_optimize;
  if (keep_ir) artifact.source = print_module(module);
  artifact.binary = emit_object(&module, tm.get());
  artifact.times.codegen_ms = clock.lap();
  artifact.times.total_cpu_ms = clock.cpu();
  return artifact;
}

runtime::Module load_llvm(Artifact artifact) {
  if (artifact.kind != "llvm" || artifact.signatures.empty())
    throw BuildError("load_llvm: the artifact is of kind `" + artifact.kind + "` with " +
                     std::to_string(artifact.signatures.size()) +
                     " kernels; it loads llvm artifacts");
  Stopwatch clock;
  const double cpu_before = clock.cpu();
  const std::string missing = features_missing_on_host(Target(artifact.target).features);
  std::shared_ptr<JitCode> code = JitCode::load(artifact.binary, artifact.signatures[0].name);
  std::vector<kiln_packed_fn> entries;
  for (const runtime::KernelSignature& sig : artifact.signatures)
    entries.push_back(
        reinterpret_cast<kiln_packed_fn>(code->lookup(runtime::packed_symbol(sig.name))));
  *static_cast<kiln_parallel_for_fn*>(code->lookup(kParallelForSymbol)) = &kiln_parallel_for;
  artifact.times.jit_ms = clock.lap();
  artifact.times.total_cpu_ms += clock.cpu() - cpu_before;
  return runtime::Module(std::make_shared<LlvmModule>(std::move(entries), std::move(code),
                                                      std::move(artifact), missing));
}

runtime::Module build_llvm(const std::vector<LoweredKernel>& kernels, const Target& target) {
  return load_llvm(compile_llvm(kernels, target, /*keep_ir=*/true));
}

}  // namespace kiln::codegen
