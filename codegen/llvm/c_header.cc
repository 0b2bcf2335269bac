#include "codegen/llvm/c_header.h"

#include <cctype>
#include <set>

namespace kiln::codegen::llvm_backend {

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

std::string guard_name(const std::string& library) {
  std::string out = "KILN_GENERATED_";
  for (char c : library) {
    out += std::isalnum(static_cast<unsigned char>(c))
               ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
               : '_';
  }
  return out + "_H_";
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

std::string c_header(const std::vector<runtime::KernelSignature>& kernels, const std::string& library,
                     const std::string& target) {
  const std::string guard = guard_name(library);
  std::string out;
  out += "/* " + library + ": kernels compiled by kiln for `" + target + "`.\n";
  out += " *\n";
  out += " * Each kernel returns 0 (KILN_OK) or a kiln_status. Every buffer is contiguous,\n";
  out += " * row-major and KILN_BUFFER_ALIGNMENT-aligned, and no two buffers overlap.\n";
  out += " * float16 and bfloat16 elements are passed as their 16 bits, bool as one byte.\n";
  out += " * Compile with -I<kiln source root> (for runtime/c_api.h) and link the library;\n";
  out += " * it needs only libc and libm. */\n";
  out += "#ifndef " + guard + "\n#define " + guard + "\n\n";
  out += "#include <stdint.h>\n\n#include \"runtime/c_api.h\"\n\n";
  out += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
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
    out += ")\n";
    for (size_t i = 0; i < sig.params.size(); ++i) {
      const auto& p = sig.params[i];
      out += " *   " + std::to_string(i) + ". " + p.name + ": " + runtime::dtype_str(p.dtype) +
             shape_text(p.shape) + (read_only(i) ? ", read" : ", written") +
             (p.preferred_alignment > 0
                  ? ", fastest " + std::to_string(p.preferred_alignment) + "-byte aligned"
                  : "") +
             "\n";
    }
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
  out += "\n#ifdef __cplusplus\n}  /* extern \"C\" */\n#endif\n\n#endif  /* " + guard + " */\n";
  return out;
}

}  // namespace kiln::codegen::llvm_backend
