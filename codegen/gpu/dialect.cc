#include "codegen/gpu/dialect.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "codegen/build.h"

namespace kiln::codegen::gpu {

namespace {

[[noreturn]] void no_spelling(const Dialect& d, const std::string& what) {
  throw BuildError(std::string(d.name()) + " code generation: " + what);
}

}  // namespace

const Dialect& Dialect::cuda() {
  static const Dialect d(Kind::kCUDA);
  return d;
}

const Dialect& Dialect::opencl() {
  static const Dialect d(Kind::kOpenCL);
  return d;
}

std::string Dialect::type(ir::DataType t) const {
  std::string scalar;
  const int bits = t.bits();
  switch (t.code()) {
    case ir::DataType::Code::kFloat:
      if (bits == 16) scalar = is_cuda() ? "half" : "half";
      if (bits == 32) scalar = "float";
      if (bits == 64) scalar = "double";
      break;
    case ir::DataType::Code::kInt:
      if (bits == 8) scalar = is_cuda() ? "signed char" : "char";
      if (bits == 16) scalar = "short";
      if (bits == 32) scalar = "int";
      if (bits == 64) scalar = is_cuda() ? "long long" : "long";
      break;
    case ir::DataType::Code::kUInt:
      if (bits == 8) scalar = is_cuda() ? "unsigned char" : "uchar";
      if (bits == 16) scalar = is_cuda() ? "unsigned short" : "ushort";
      if (bits == 32) scalar = is_cuda() ? "unsigned int" : "uint";
      if (bits == 64) scalar = is_cuda() ? "unsigned long long" : "ulong";
      break;
    case ir::DataType::Code::kBool: scalar = "bool"; break;
    case ir::DataType::Code::kBFloat:
      if (is_cuda()) scalar = "__nv_bfloat16";
      break;
    case ir::DataType::Code::kHandle: break;
  }
  if (scalar.empty())
    no_spelling(*this, "the type " + t.str() + " has no " + std::string(name()) +
                           " spelling; use float16/32/64 or an integer type");
  if (t.is_scalar()) return scalar;
  const int lanes = t.lanes();
  const bool vector_ok = lanes == 2 || lanes == 4 || (!is_cuda() && (lanes == 8 || lanes == 16));
  if (!vector_ok || t.is_bool() || t.is_bfloat16())
    no_spelling(*this, "no vector type for " + t.str());
  if (is_cuda()) {
    if (t.code() == ir::DataType::Code::kFloat && bits == 16) {
      if (lanes != 2) no_spelling(*this, "no vector type for " + t.str() + " (only half2)");
      return "half2";
    }
    if (scalar == "signed char") return "char" + std::to_string(lanes);
    if (scalar == "unsigned char") return "uchar" + std::to_string(lanes);
    if (scalar == "long long") return "longlong" + std::to_string(lanes);
    if (scalar == "unsigned int") return "uint" + std::to_string(lanes);
    if (scalar == "unsigned short") return "ushort" + std::to_string(lanes);
    if (scalar == "unsigned long long") return "ulonglong" + std::to_string(lanes);
  }
  return scalar + std::to_string(lanes);
}

std::string Dialect::storage_type(ir::DataType t) const {
  // A bool pointer is no legal OpenCL kernel argument, and DLPack stores
  // bools as bytes: both dialects keep bool buffers as unsigned bytes.
  if (t.is_bool()) return is_cuda() ? "unsigned char" : "uchar";
  return type(t);
}

std::string Dialect::kernel_prefix(int64_t threads_per_block, const int64_t block[3]) const {
  if (is_cuda())
    return "extern \"C\" __global__ void __launch_bounds__(" + std::to_string(threads_per_block) +
           ")";
  return "__kernel __attribute__((reqd_work_group_size(" + std::to_string(block[0]) + ", " +
         std::to_string(block[1]) + ", " + std::to_string(block[2]) + "))) void";
}

std::string Dialect::pointer_param(ir::DataType element, bool read_only,
                                   const std::string& name) const {
  const std::string c = read_only ? "const " : "";
  if (is_cuda()) return c + storage_type(element) + "* __restrict__ " + name;
  return "__global " + c + storage_type(element) + "* restrict " + name;
}

std::string Dialect::shared_array(ir::DataType element, const std::string& name,
                                  int64_t count) const {
  // 16-byte alignment lets float4 / half2 accesses of shared arrays be vectors.
  if (is_cuda())
    return "__shared__ __align__(16) " + storage_type(element) + " " + name + "[" +
           std::to_string(count) + "];";
  return "__local " + storage_type(element) + " " + name + "[" + std::to_string(count) +
         "] __attribute__((aligned(16)));";
}

std::string Dialect::thread_index(const std::string& tag) const {
  const bool block = tag.rfind("blockIdx.", 0) == 0;
  const bool thread = tag.rfind("threadIdx.", 0) == 0;
  const char axis = tag.empty() ? '?' : tag.back();
  if ((!block && !thread) || axis < 'x' || axis > 'z')
    no_spelling(*this, "unknown thread tag \"" + tag +
                           "\"; bind loops to blockIdx.x/y/z or threadIdx.x/y/z");
  if (is_cuda()) return std::string("((int)") + tag + ")";
  const std::string dim = std::to_string(axis - 'x');
  return std::string("((int)") + (block ? "get_group_id(" : "get_local_id(") + dim + "))";
}

std::string Dialect::barrier() const {
  return is_cuda() ? "__syncthreads();" : "barrier(CLK_LOCAL_MEM_FENCE);";
}

std::string Dialect::make_vector(ir::DataType t, const std::string& lanes) const {
  if (is_cuda()) {
    if (t.is_float() && t.bits() == 16) return "__halves2half2(" + lanes + ")";
    return "make_" + type(t) + "(" + lanes + ")";
  }
  return "((" + type(t) + ")(" + lanes + "))";
}

std::string Dialect::lane(int lanes, int i) const {
  static const char* xyzw[] = {".x", ".y", ".z", ".w"};
  if (lanes <= 4) return xyzw[i];
  static const char* hex = "0123456789abcdef";
  return std::string(".s") + hex[i];
}

std::string Dialect::vector_load(ir::DataType t, const std::string& pointer) const {
  if (is_cuda()) return "(*(" + type(t) + "*)(" + pointer + "))";
  return "vload" + std::to_string(t.lanes()) + "(0, " + pointer + ")";
}

std::string Dialect::vector_store(ir::DataType t, const std::string& pointer,
                                  const std::string& value) const {
  if (is_cuda()) return "*(" + type(t) + "*)(" + pointer + ") = " + value + ";";
  return "vstore" + std::to_string(t.lanes()) + "(" + value + ", 0, " + pointer + ");";
}

std::string Dialect::math_function(ir::Intrinsic op, ir::DataType t, bool fast_math) const {
  const bool f32 = t.bits() == 32;
  auto named = [&](const std::string& base) {
    // CUDA spells float32 math with an f suffix; OpenCL overloads by type.
    return is_cuda() && f32 ? base + "f" : base;
  };
  if (fast_math && f32) {
    if (is_cuda()) {
      switch (op) {
        case ir::Intrinsic::kExp: return "__expf";
        case ir::Intrinsic::kLog: return "__logf";
        case ir::Intrinsic::kPow: return "__powf";
        default: break;
      }
    } else {
      switch (op) {
        case ir::Intrinsic::kExp: return "native_exp";
        case ir::Intrinsic::kLog: return "native_log";
        case ir::Intrinsic::kSqrt: return "native_sqrt";
        case ir::Intrinsic::kRsqrt: return "native_rsqrt";
        default: break;
      }
    }
  }
  switch (op) {
    case ir::Intrinsic::kExp: return named("exp");
    case ir::Intrinsic::kLog: return named("log");
    case ir::Intrinsic::kSqrt: return named("sqrt");
    case ir::Intrinsic::kRsqrt: return named("rsqrt");
    case ir::Intrinsic::kTanh: return named("tanh");
    case ir::Intrinsic::kErf: return named("erf");
    case ir::Intrinsic::kFabs: return named("fabs");
    case ir::Intrinsic::kFloor: return named("floor");
    case ir::Intrinsic::kCeil: return named("ceil");
    case ir::Intrinsic::kRound: return named("round");
    case ir::Intrinsic::kPow: return named("pow");
    case ir::Intrinsic::kFma: return named("fma");
    case ir::Intrinsic::kIsNan: return "isnan";
    default: break;
  }
  no_spelling(*this, std::string("the intrinsic ") + ir::intrinsic_name(op) +
                         " is no math function of " + t.str());
}

std::string Dialect::float_min(ir::DataType t) const {
  return is_cuda() && t.bits() == 32 ? "fminf" : "fmin";
}

std::string Dialect::float_max(ir::DataType t) const {
  return is_cuda() && t.bits() == 32 ? "fmaxf" : "fmax";
}

std::string Dialect::float_literal(ir::DataType t, double value) const {
  const bool f64 = t.bits() == 64;
  if (std::isnan(value) || std::isinf(value)) {
    std::string bits;
    if (std::isnan(value))
      bits = f64 ? "0x7ff8000000000000LL" : "0x7fc00000";
    else if (value > 0)
      bits = f64 ? "0x7ff0000000000000LL" : "0x7f800000";
    else
      bits = f64 ? "0xfff0000000000000LL" : "0xff800000";
    if (is_cuda()) return (f64 ? "__longlong_as_double(" : "__int_as_float(") + bits + ")";
    return (f64 ? "as_double(" : "as_float(") + bits + ")";
  }
  char buf[64];
  // 17 significant digits round-trip a double; 9 a float.
  std::snprintf(buf, sizeof(buf), f64 ? "%.17g" : "%.9g", value);
  std::string text = buf;
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return f64 ? text : text + "f";
}

std::string Dialect::warp_shuffle_xor(const std::string& value, const std::string& mask,
                                      int width) const {
  if (!is_cuda()) no_spelling(*this, "no warp shuffle instruction (the printer emulates one)");
  return "__shfl_xor_sync(0xffffffffu, " + value + ", " + mask + ", " + std::to_string(width) + ")";
}

std::string Dialect::preamble(bool uses_half, bool uses_double) const {
  std::string out;
  if (is_cuda()) {
    if (uses_half) out += "#include <cuda_fp16.h>\n";
    return out;
  }
  if (uses_half) out += "#pragma OPENCL EXTENSION cl_khr_fp16 : enable\n";
  if (uses_double) out += "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n";
  return out;
}

}  // namespace kiln::codegen::gpu
