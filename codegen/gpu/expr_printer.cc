// Expressions of the GPU source printer: scalar C expressions, and vector
// expressions lane by lane (with contiguous aligned loads as one vector load).
#include <string>

#include "codegen/build.h"
#include "codegen/gpu/kernel_printer.h"
#include "ir/arith/linear_form.h"
#include "ir/buffer.h"

namespace kiln::codegen::gpu {

namespace {

bool is_half(ir::DataType t) { return t.is_float() && !t.is_bfloat16() && t.bits() == 16; }

[[noreturn]] void unsupported(const std::string& what) {
  throw BuildError("GPU code generation: " + what);
}

}  // namespace

void KernelPrinter::note_type(ir::DataType t) {
  if (is_half(t) || t.is_bfloat16()) features_->uses_half = true;
  if (t.is_float() && t.bits() == 64) features_->uses_double = true;
}

std::string KernelPrinter::temp(const std::string& type, const std::string& value) {
  const std::string n = fresh("t" + std::to_string(temps_++));
  pending_.push_back("const " + type + " " + n + " = " + value + ";");
  return n;
}

std::string KernelPrinter::int_literal(ir::DataType t, int64_t value) const {
  if (t.is_bool()) return value ? "true" : "false";
  if (t.is_uint()) {
    const std::string v = std::to_string(static_cast<uint64_t>(value));
    return t.bits() == 64 ? v + (d_.is_cuda() ? "ull" : "ul") : v + "u";
  }
  std::string v;
  // The most negative value has no literal: write it as an expression.
  if (t.bits() == 64 && value == INT64_MIN)
    return d_.is_cuda() ? "(-9223372036854775807LL - 1)" : "(-9223372036854775807L - 1)";
  if (t.bits() == 32 && value == INT32_MIN) return "(-2147483647 - 1)";
  v = std::to_string(value);
  if (t.bits() == 64)
    v += d_.is_cuda() ? "LL" : "L";
  else if (t.bits() < 32)
    v = "((" + d_.type(t) + ")" + v + ")";
  return value < 0 ? "(" + v + ")" : v;
}

bool KernelPrinter::non_negative(const ir::Expr& e) const {
  return ir::arith::const_int_bound(e, bounds_).min >= 0;
}

bool KernelPrinter::aligned(const ir::Expr& index, int lanes) const {
  ir::arith::LinearForm f = ir::arith::LinearForm::from_expr(index);
  if (f.base() % lanes != 0) return false;
  for (const ir::arith::LinearTerm& t : f.terms())
    if (t.coef % lanes != 0) return false;
  return true;
}

bool KernelPrinter::vectorizable(const ir::Buffer& buffer, const ir::Expr& index) const {
  const auto* ramp = index.as<ir::RampNode>();
  if (!ramp || !is_const_int(ramp->stride, 1)) return false;
  const ir::DataType t = buffer->dtype.with_lanes(ramp->lanes);
  if (t.is_bool() || t.is_bfloat16()) return false;
  // Vector types exist for 2 and 4 lanes (CUDA half: 2); every buffer is
  // 16-byte aligned, so a vector of at most 16 bytes at a multiple of its
  // lanes is aligned.
  if (ramp->lanes != 2 && ramp->lanes != 4) return false;
  if (d_.is_cuda() && is_half(t) && ramp->lanes != 2) return false;
  if (t.bytes() * ramp->lanes > 16) return false;
  return aligned(ramp->base, ramp->lanes);
}

std::string KernelPrinter::scalar_load(const ir::Buffer& buffer, const std::string& index) {
  const std::string load = name_of(buffer) + "[" + index + "]";
  return buffer->dtype.is_bool() ? "(" + load + " != 0)" : load;
}

std::string KernelPrinter::floor_helper(const char* which, ir::DataType t) {
  const std::string type = d_.type(t);
  const std::string name =
      std::string("kiln_") + which + "_" + (t.is_uint() ? "u" : "i") + std::to_string(t.bits());
  if (!features_->helpers.count(name)) {
    const std::string q = d_.is_cuda() ? "__device__ __forceinline__ " : "inline ";
    // C division truncates; floor division rounds towards negative infinity.
    const std::string body =
        std::string(which) == "floordiv"
            ? "  " + type +
                  " q = a / b;\n  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;\n"
            : "  " + type + " r = a % b;\n  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;\n";
    features_->helpers[name] =
        q + type + " " + name + "(" + type + " a, " + type + " b) {\n" + body + "}\n";
  }
  return name;
}

std::string KernelPrinter::cast(ir::DataType to, ir::DataType from, const std::string& value) {
  note_type(to);
  if (to == from) return value;
  if (to.is_bool()) return "(" + value + " != 0)";
  // CUDA's half converts to and from float only; go through float.
  if (d_.is_cuda() && is_half(from) && !to.is_float())
    return "((" + d_.type(to) + ")(float)(" + value + "))";
  if (d_.is_cuda() && is_half(to) && !from.is_float())
    return "((" + d_.type(to) + ")(float)(" + value + "))";
  return "((" + d_.type(to) + ")(" + value + "))";
}

std::string KernelPrinter::binary(ir::ExprKind kind, ir::DataType t, const ir::Expr& a,
                                  const ir::Expr& b, const std::string& sa, const std::string& sb) {
  const ir::DataType arg = a.dtype().element_of();
  auto infix = [&](const char* op) { return "(" + sa + " " + op + " " + sb + ")"; };
  switch (kind) {
    case ir::ExprKind::kAdd: return infix("+");
    case ir::ExprKind::kSub: return infix("-");
    case ir::ExprKind::kMul: return infix("*");
    case ir::ExprKind::kDiv: return infix("/");
    case ir::ExprKind::kFloorDiv:
    case ir::ExprKind::kFloorMod: {
      const bool div = kind == ir::ExprKind::kFloorDiv;
      if (arg.is_float()) {
        const std::string fl = d_.math_function(ir::Intrinsic::kFloor, arg, false);
        const std::string q = fl + "(" + sa + " / " + sb + ")";
        return div ? q : "(" + sa + " - " + q + " * " + sb + ")";
      }
      // Both sides non-negative (loop indices nearly always are): C's
      // truncating operators agree with floor division.
      if (arg.is_uint() || (a.dtype().is_scalar() && non_negative(a) && non_negative(b)))
        return infix(div ? "/" : "%");
      return floor_helper(div ? "floordiv" : "floormod", arg) + "(" + sa + ", " + sb + ")";
    }
    case ir::ExprKind::kMin:
    case ir::ExprKind::kMax: {
      const bool mn = kind == ir::ExprKind::kMin;
      if (!arg.is_float()) return std::string(mn ? "min(" : "max(") + sa + ", " + sb + ")";
      const ir::DataType compute = is_half(arg) ? ir::DataType::Float(32) : arg;
      const std::string fn = mn ? d_.float_min(compute) : d_.float_max(compute);
      if (is_half(arg)) return "((half)" + fn + "((float)(" + sa + "), (float)(" + sb + ")))";
      return fn + "(" + sa + ", " + sb + ")";
    }
    case ir::ExprKind::kEQ: return infix("==");
    case ir::ExprKind::kNE: return infix("!=");
    case ir::ExprKind::kLT: return infix("<");
    case ir::ExprKind::kLE: return infix("<=");
    case ir::ExprKind::kGT: return infix(">");
    case ir::ExprKind::kGE: return infix(">=");
    case ir::ExprKind::kAnd: return infix("&&");
    case ir::ExprKind::kOr: return infix("||");
    default: break;
  }
  unsupported("unknown binary operator");
  (void)t;
}

// OpenCL with -warp_size: a shuffle through a __local array of one element
// per work-item, between two barriers. Every work-item of the group runs it:
// gpu_verify refuses shuffles in loops only part of the block runs.
std::string KernelPrinter::emulated_shuffle(ir::DataType t, const std::string& value,
                                            const std::string& mask) {
  const std::string type = d_.type(t);
  const std::string helper = "kiln_shfl_xor_" + type;
  auto it = shuffle_lanes_.find(type);
  if (it == shuffle_lanes_.end()) {
    const int64_t threads = launch_extent_.at("threadIdx.x") * launch_extent_.at("threadIdx.y") *
                            launch_extent_.at("threadIdx.z");
    ir::Buffer lanes = ir::make_buffer("kiln_shuffle_" + type, t, {threads}, "shared");
    shared_.push_back(lanes);
    it = shuffle_lanes_.emplace(type, lanes).first;
  }
  if (!features_->helpers.count(helper)) {
    const std::string head = "inline " + type + " " + helper + "(" + type +
                             " v, int mask, __local " + type + "* lanes) {\n";
    const std::string read = "  const " + type + " r = lanes[me ^ mask];\n";
    features_->helpers[helper] = head +
                                 "  const int me = (int)(get_local_id(0) + get_local_size(0) * "
                                 "(get_local_id(1) + get_local_size(1) * get_local_id(2)));\n"
                                 "  lanes[me] = v;\n"
                                 "  barrier(CLK_LOCAL_MEM_FENCE);\n" +
                                 read +
                                 "  barrier(CLK_LOCAL_MEM_FENCE);\n"
                                 "  return r;\n"
                                 "}\n";
  }
  return helper + "(" + value + ", " + mask + ", " + name_of(it->second) + ")";
}

std::string KernelPrinter::call(const ir::CallNode* op, const std::vector<std::string>& args) {
  if (op->op == ir::Intrinsic::kWarpShuffleXor) {
    if (d_.is_cuda()) return d_.warp_shuffle_xor(args.at(0), args.at(1), 32);
    return emulated_shuffle(op->dtype, args.at(0), args.at(1));
  }
  if (op->op == ir::Intrinsic::kGpuBarrier)
    unsupported("gpu_barrier() used as a value; it is a statement (evaluate)");
  const ir::DataType arg = op->args.at(0).dtype().element_of();
  if (!arg.is_float()) unsupported(std::string(ir::intrinsic_name(op->op)) + " of " + arg.str());
  const bool half = is_half(arg);
  const ir::DataType compute = half ? ir::DataType::Float(32) : arg;
  if (op->op == ir::Intrinsic::kSigmoid) {
    const std::string x = half ? "(float)(" + args[0] + ")" : args[0];
    const std::string one = d_.float_literal(compute, 1.0);
    const std::string e = d_.math_function(ir::Intrinsic::kExp, compute, options_.fast_math);
    const std::string r = "(" + one + " / (" + one + " + " + e + "(-" + x + ")))";
    return half ? "((half)" + r + ")" : r;
  }
  std::string text = d_.math_function(op->op, compute, options_.fast_math) + "(";
  for (size_t i = 0; i < args.size(); ++i)
    text += (i ? ", " : "") + (half ? "(float)(" + args[i] + ")" : args[i]);
  text += ")";
  if (op->op == ir::Intrinsic::kIsNan) return "(" + text + " != 0)";
  return half ? "((half)" + text + ")" : text;
}

std::string KernelPrinter::expr(const ir::Expr& e) {
  if (e.dtype().is_vector())
    unsupported("a vector value (" + e.dtype().str() + ") where a scalar is needed");
  note_type(e.dtype());
  switch (e.kind()) {
    case ir::ExprKind::kIntImm: return int_literal(e.dtype(), e.as<ir::IntImmNode>()->value);
    case ir::ExprKind::kFloatImm: {
      const double v = e.as<ir::FloatImmNode>()->value;
      if (is_half(e.dtype())) return "((half)" + d_.float_literal(ir::DataType::Float(32), v) + ")";
      return d_.float_literal(e.dtype(), v);
    }
    case ir::ExprKind::kVar: return name_of(ir::Var::from_expr(e));
    case ir::ExprKind::kNot: return "(!" + expr(e.as<ir::NotNode>()->a) + ")";
    case ir::ExprKind::kSelect: {
      const auto* op = e.as<ir::SelectNode>();
      // The C conditional evaluates only the chosen side, as the IR's scalar
      // select does: a guarded load stays guarded.
      return "(" + expr(op->condition) + " ? " + expr(op->true_value) + " : " +
             expr(op->false_value) + ")";
    }
    case ir::ExprKind::kCast: {
      const auto* op = e.as<ir::CastNode>();
      return cast(e.dtype(), op->value.dtype(), expr(op->value));
    }
    case ir::ExprKind::kBufferLoad: {
      const auto* op = e.as<ir::BufferLoadNode>();
      if (op->indices.size() != 1)
        unsupported("the load from " + op->buffer->name +
                    " has several indices; pass the lowered (flattened) function");
      return scalar_load(op->buffer, expr(op->indices[0]));
    }
    case ir::ExprKind::kCall: {
      const auto* op = e.as<ir::CallNode>();
      std::vector<std::string> args;
      for (const ir::Expr& a : op->args) args.push_back(expr(a));
      return call(op, args);
    }
    case ir::ExprKind::kLet: {
      const auto* op = e.as<ir::LetNode>();
      const std::string value = expr(op->value);
      if (op->var.dtype().is_integer())
        bounds_[op->var] = ir::arith::const_int_bound(op->value, bounds_);
      pending_.push_back("const " + d_.type(op->var.dtype()) + " " + name_of(op->var) + " = " +
                         value + ";");
      return expr(op->body);
    }
    case ir::ExprKind::kRamp:
    case ir::ExprKind::kBroadcast: break;  // vectors, refused above
    default: {
      const auto* op = e.as<ir::BinaryNode>();
      if (!op) break;
      return binary(e.kind(), e.dtype(), op->a, op->b, expr(op->a), expr(op->b));
    }
  }
  unsupported("an expression the GPU printer does not know");
}

std::string KernelPrinter::lane_of(const ir::Expr& e, int i) {
  if (e.dtype().is_scalar()) return expr(e);
  note_type(e.dtype().element_of());
  switch (e.kind()) {
    case ir::ExprKind::kRamp: {
      const auto* op = e.as<ir::RampNode>();
      const ir::DataType t = op->base.dtype();
      if (i == 0) return expr(op->base);
      return "(" + expr(op->base) + " + " + expr(op->stride) + " * " + int_literal(t, i) + ")";
    }
    case ir::ExprKind::kBroadcast: return expr(e.as<ir::BroadcastNode>()->value);
    case ir::ExprKind::kVar: {
      auto it = vector_vars_.find(e.as<ir::VarNode>());
      if (it == vector_vars_.end())
        unsupported("vector variable " + e.as<ir::VarNode>()->name + " has no value");
      return it->second.at(static_cast<size_t>(i));
    }
    case ir::ExprKind::kNot: return "(!" + lane_of(e.as<ir::NotNode>()->a, i) + ")";
    case ir::ExprKind::kSelect: {
      // Every lane of a vector select evaluates both sides (as the IR's does).
      const auto* op = e.as<ir::SelectNode>();
      return "(" + lane_of(op->condition, i) + " ? " + lane_of(op->true_value, i) + " : " +
             lane_of(op->false_value, i) + ")";
    }
    case ir::ExprKind::kCast: {
      const auto* op = e.as<ir::CastNode>();
      return cast(e.dtype().element_of(), op->value.dtype().element_of(), lane_of(op->value, i));
    }
    case ir::ExprKind::kBufferLoad: {
      const auto* op = e.as<ir::BufferLoadNode>();
      const ir::Expr& index = op->indices.at(0);
      if (vectorizable(op->buffer, index)) {
        // One vector load for all lanes, hoisted before the statement.
        auto it = vector_loads_.find(op);
        if (it == vector_loads_.end()) {
          const ir::DataType t = e.dtype();
          const std::string base = expr(index.as<ir::RampNode>()->base);
          const std::string v =
              temp(d_.type(t), d_.vector_load(t, "(" + name_of(op->buffer) + " + " + base + ")"));
          std::vector<std::string> lanes;
          for (int l = 0; l < t.lanes(); ++l) lanes.push_back(v + d_.lane(t.lanes(), l));
          it = vector_loads_.emplace(op, lanes).first;
        }
        return it->second.at(static_cast<size_t>(i));
      }
      return scalar_load(op->buffer, lane_of(index, i));
    }
    case ir::ExprKind::kCall: {
      const auto* op = e.as<ir::CallNode>();
      std::vector<std::string> args;
      for (const ir::Expr& a : op->args) args.push_back(lane_of(a, i));
      return call(op, args);
    }
    case ir::ExprKind::kLet: unsupported("a vector let expression; bind it with a LetStmt");
    default: {
      const auto* op = e.as<ir::BinaryNode>();
      if (!op) break;
      return binary(e.kind(), e.dtype().element_of(), op->a, op->b, lane_of(op->a, i),
                    lane_of(op->b, i));
    }
  }
  unsupported("a vector expression the GPU printer does not know");
}

}  // namespace kiln::codegen::gpu
