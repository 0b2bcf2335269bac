#include "codegen/c_header.h"

#include <array>
#include <cctype>
#include <set>

namespace kiln::codegen {

namespace {

// A parameter name usable in C: other characters become '_', and a keyword
// or a leading digit gets a suffix or prefix.
std::string c_identifier(const std::string& name) {
  static const std::set<std::string> keywords = {
      "auto",     "break",  "case",   "char",     "const",    "continue", "default",  "do",
      "double",   "else",   "enum",   "extern",   "float",    "for",      "goto",     "if",
      "inline",   "int",    "long",   "register", "restrict", "return",   "short",    "signed",
      "sizeof",   "static", "struct", "switch",   "typedef",  "union",    "unsigned", "void",
      "volatile", "while",  "bool",   "true",     "false",    "args"};
  std::string out = name.empty() ? "arg" : name;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  if (std::isdigit(static_cast<unsigned char>(out[0]))) out = "p_" + out;
  if (keywords.count(out)) out += "_";
  return out;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// " *   0. A: float32[64, 64], read\n", one line per parameter.
std::string parameter_lines(const runtime::KernelSignature& sig) {
  std::string out;
  for (size_t i = 0; i < sig.params.size(); ++i) {
    const runtime::ParamInfo& p = sig.params[i];
    out += " *   " + std::to_string(i) + ". " + p.name + ": " + runtime::dtype_str(p.dtype) +
           shape_text(p.shape) + (p.written ? ", written" : ", read") +
           (p.preferred_alignment > 0
                ? ", fastest " + std::to_string(p.preferred_alignment) + "-byte aligned"
                : "") +
           "\n";
  }
  return out;
}

std::string guard_name(const std::string& library) {
  std::string out = "KILN_GENERATED_";
  for (char c : library) {
    out += std::isalnum(static_cast<unsigned char>(c))
               ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
               : '_';
  }
  return out + "_H_";
}

// The include guard and extern "C" that open a header's declarations, after
// its comment, with `includes` between them.
std::string header_open(const std::string& guard, const std::string& includes) {
  return "#ifndef " + guard + "\n#define " + guard + "\n\n" + includes +
         "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
}

std::string header_close(const std::string& guard) {
  return "\n#ifdef __cplusplus\n}  /* extern \"C\" */\n#endif\n\n#endif  /* " + guard + " */\n";
}

}  // namespace

std::string c_type(DLDataType dtype) {
  const std::string bits = std::to_string(dtype.bits);
  switch (dtype.code) {
    case kDLInt: return "int" + bits + "_t";
    case kDLUInt: return "uint" + bits + "_t";
    case kDLBool: return "uint8_t";
    case kDLFloat:
      if (dtype.bits == 32) return "float";
      if (dtype.bits == 64) return "double";
      return "uint16_t";  // float16: the IEEE half bits
    case kDLBfloat: return "uint16_t";
    default: break;
  }
  return "void";
}

std::string c_header(const std::vector<runtime::KernelSignature>& kernels,
                     const std::string& library, const std::string& target) {
  const std::string guard = guard_name(library);
  std::string out;
  out += "/* " + library + ": kernels compiled by kiln for `" + target + "`.\n";
  out += " *\n";
  out += " * Each kernel returns 0 (KILN_OK) or a kiln_status. Every buffer is contiguous,\n";
  out += " * row-major and KILN_BUFFER_ALIGNMENT-aligned, and no two buffers overlap.\n";
  out += " * float16 and bfloat16 elements are passed as their 16 bits, bool as one byte.\n";
  out += " * Compile with -I<kiln source root>, or -I<prefix>/include/kiln of an installed\n";
  out += " * kiln (CMake: link kiln::runtime), for runtime/c_api.h, and link the library;\n";
  out += " * it needs only libc and libm. */\n";
  out += header_open(guard, "#include <stdint.h>\n\n#include \"runtime/c_api.h\"\n\n");
  out += "/* The thread pool the kernels' parallel loops run on. While it is null (the\n";
  out += " * default) they run serially on the calling thread; set it to kiln_parallel_for\n";
  out += " * (kiln's runtime) or to any function with that contract before the first call:\n";
  out += " *   __kiln_parallel_for = &kiln_parallel_for; */\n";
  out += "extern kiln_parallel_for_fn __kiln_parallel_for;\n";
  out += "\n/* The kernels' signatures as JSON (names, dtypes, shapes). */\n";
  out += "extern const char __kiln_module_metadata[];\n";
  for (const runtime::KernelSignature& sig : kernels) {
    auto read_only = [&](size_t i) { return !sig.params[i].written; };
    out += "\n/* " + sig.name + "(";
    for (size_t i = 0; i < sig.params.size(); ++i) out += (i ? ", " : "") + sig.params[i].name;
    out += ")\n" + parameter_lines(sig);
    out += " * The packed form takes args[i] = the data of parameter i. */\n";
    out += "int32_t " + sig.name + "(";
    for (size_t i = 0; i < sig.params.size(); ++i) {
      const auto& p = sig.params[i];
      out += std::string(i ? ", " : "") + (read_only(i) ? "const " : "") + c_type(p.dtype) + "* " +
             c_identifier(p.name);
    }
    if (sig.params.empty()) out += "void";
    out += ");\n";
    out += "int32_t " + sig.name + "__packed(void* const* args);\n";
  }
  out += header_close(guard);
  return out;
}

namespace {

std::string dims_text(const std::array<int64_t, 3>& d) {
  return "(" + std::to_string(d[0]) + ", " + std::to_string(d[1]) + ", " + std::to_string(d[2]) +
         ")";
}

// What device kernel argument `index` is: a parameter by name, or a
// workspace the caller allocates.
std::string kernel_argument(const runtime::GpuFunction& f, int index) {
  const size_t n = f.signature.params.size();
  if (static_cast<size_t>(index) < n) return f.signature.params[index].name;
  return "workspace" + std::to_string(index - static_cast<int>(n));
}

// Above this, dynamic shared memory must be opted into per kernel.
constexpr int64_t kDefaultDynamicSharedLimit = 48 * 1024;

}  // namespace

std::string cuda_c_header(const std::vector<runtime::GpuFunction>& functions,
                          const std::string& library, const std::string& target,
                          const std::string& arch) {
  const std::string guard = guard_name(library);
  std::string out;
  out += "/* " + library + ": CUDA kernels compiled by kiln for `" + target + "`.\n";
  out += " *\n";
  out += " * The library holds no host code: it carries the kernels as a cubin for " + arch + "\n";
  out += " * and as PTX (which the driver compiles for newer GPUs), and each function's\n";
  out += " * launches below. kiln's runtime launches them for you:\n";
  out += " *   kiln::runtime::load_module(\"" + library + "\")  (C++, link kiln::runtime)\n";
  out += " *   kiln.load_module(\"" + library + "\")            (Python)\n";
  out += " * or launch them yourself with the CUDA driver API (link libcuda):\n";
  out += " *   CUmodule module;\n";
  out += " *   cuModuleLoadData(&module, __kiln_cuda_cubin);  (or __kiln_cuda_ptx)\n";
  out += " *   CUfunction kernel;\n";
  out += " *   cuModuleGetFunction(&kernel, module, \"<kernel name>\");\n";
  out += " *   void* args[] = {&A, &B, ...};  (the address of each CUdeviceptr, in the\n";
  out += " *                                 order a launch below lists them)\n";
  out += " *   cuLaunchKernel(kernel, grid.x, grid.y, grid.z, block.x, block.y, block.z,\n";
  out += " *                  dynamic_shared_bytes, stream, args, NULL);\n";
  out += " * A function's launches run in the order listed, on one stream. Every buffer\n";
  out += " * is contiguous, row-major device memory (cuMemAlloc), and no two overlap.\n";
  out += " * float16 and bfloat16 elements are their 16 bits, bool one byte. A workspace\n";
  out += " * is device memory the caller allocates for the call (uninitialized); it\n";
  out += " * carries values from one launch to the next. */\n";
  out += header_open(guard, "#include <stddef.h>\n\n");
  out += "/* The cubin (an ELF image for " + arch + "), __kiln_cuda_cubin_size bytes. */\n";
  out += "extern const unsigned char __kiln_cuda_cubin[];\n";
  out += "extern const size_t __kiln_cuda_cubin_size;\n";
  out += "/* The PTX the cubin was assembled from, NUL-terminated. */\n";
  out += "extern const char __kiln_cuda_ptx[];\n";
  out += "/* The CUDA C the PTX was compiled from, NUL-terminated. */\n";
  out += "extern const char __kiln_cuda_source[];\n";
  out += "/* The functions and their launches as JSON (what kiln's runtime reads). */\n";
  out += "extern const char __kiln_module_metadata[];\n";
  for (const runtime::GpuFunction& f : functions) {
    // Which parameters a launch writes, as the compiler found them.
    runtime::KernelSignature sig = f.signature;
    for (size_t i = 0; i < sig.params.size() && i < f.written.size(); ++i)
      sig.params[i].written = f.written[i];
    out += "\n/* " + sig.name + "(";
    for (size_t i = 0; i < sig.params.size(); ++i) out += (i ? ", " : "") + sig.params[i].name;
    out += ")\n" + parameter_lines(sig);
    for (size_t w = 0; w < f.workspace_bytes.size(); ++w)
      out += " * workspace" + std::to_string(w) + ": " + std::to_string(f.workspace_bytes[w]) +
             " bytes\n";
    out += " * Launch";
    out += f.kernels.size() == 1 ? ":\n" : ", in this order:\n";
    for (size_t k = 0; k < f.kernels.size(); ++k) {
      const runtime::DeviceKernel& kernel = f.kernels[k];
      const runtime::LaunchConfig& launch = kernel.launch;
      out += " *   " + std::to_string(k + 1) + ". " + kernel.name + "\n";
      out += " *      grid " + dims_text(launch.grid) + ", block " + dims_text(launch.block) +
             " (" + std::to_string(launch.threads_per_block()) + " threads)";
      out += ", dynamic shared memory " + std::to_string(launch.dynamic_shared_bytes) + " bytes\n";
      if (launch.dynamic_shared_bytes > kDefaultDynamicSharedLimit)
        out +=
            " *      (above 48 KiB: first cuFuncSetAttribute(kernel,\n"
            " *      CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, " +
            std::to_string(launch.dynamic_shared_bytes) + "))\n";
      out += " *      arguments (";
      for (size_t a = 0; a < kernel.params.size(); ++a)
        out += (a ? ", " : "") + kernel_argument(f, kernel.params[a]);
      out += ")\n";
    }
    out += " */\n";
  }
  out += header_close(guard);
  return out;
}

}  // namespace kiln::codegen
