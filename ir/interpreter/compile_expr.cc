// Compiling expressions into closures. Each operation is specialised for its
// element format at compile time, so running one is a call per child plus the
// arithmetic itself.
#include <cmath>
#include <limits>
#include <type_traits>

#include "ir/buffer.h"
#include "ir/interpreter.h"
#include "ir/interpreter/access.h"
#include "ir/interpreter/compiler.h"
#include "ir/interpreter/describe.h"

namespace kiln::ir::interp {

namespace {

// `c` as `lanes` values; a scalar is broadcast.
VectorFn to_vector(const CompiledExpr& c, int lanes) {
  if (c.lanes == lanes) return c.vector;
  return [s = c.scalar, lanes](Frame& f, Scalar* out) {
    const Scalar v = s(f);
    for (int l = 0; l < lanes; ++l) out[l] = v;
  };
}

// Applies a per-lane operation to one, two or three operands.
template <typename Op>
CompiledExpr map1(const CompiledExpr& a, int lanes, Op op) {
  CompiledExpr out;
  out.lanes = lanes;
  if (lanes == 1) {
    out.scalar = [a = a.scalar, op](Frame& f) { return op(a(f)); };
  } else {
    out.vector = [a = to_vector(a, lanes), op, lanes](Frame& f, Scalar* o) {
      a(f, o);
      for (int l = 0; l < lanes; ++l) o[l] = op(o[l]);
    };
  }
  return out;
}

template <typename Op>
CompiledExpr map2(const CompiledExpr& a, const CompiledExpr& b, int lanes, Op op) {
  CompiledExpr out;
  out.lanes = lanes;
  if (lanes == 1) {
    out.scalar = [a = a.scalar, b = b.scalar, op](Frame& f) {
      const Scalar x = a(f);
      return op(x, b(f));
    };
  } else {
    out.vector = [a = to_vector(a, lanes), b = to_vector(b, lanes), op, lanes,
                  tmp = std::vector<Scalar>(lanes)](Frame& f, Scalar* o) mutable {
      a(f, o);
      b(f, tmp.data());
      for (int l = 0; l < lanes; ++l) o[l] = op(o[l], tmp[l]);
    };
  }
  return out;
}

template <typename Op>
CompiledExpr map3(const CompiledExpr& a, const CompiledExpr& b, const CompiledExpr& c, int lanes,
                  Op op) {
  CompiledExpr out;
  out.lanes = lanes;
  if (lanes == 1) {
    out.scalar = [a = a.scalar, b = b.scalar, c = c.scalar, op](Frame& f) {
      const Scalar x = a(f);
      const Scalar y = b(f);
      return op(x, y, c(f));
    };
  } else {
    out.vector = [a = to_vector(a, lanes), b = to_vector(b, lanes), c = to_vector(c, lanes), op,
                  lanes, tmp = std::vector<Scalar>(2 * lanes)](Frame& f, Scalar* o) mutable {
      a(f, o);
      b(f, tmp.data());
      c(f, tmp.data() + lanes);
      for (int l = 0; l < lanes; ++l) o[l] = op(o[l], tmp[l], tmp[lanes + l]);
    };
  }
  return out;
}

CompiledExpr constant(Scalar v) {
  CompiledExpr out;
  out.scalar = [v](Frame&) { return v; };
  return out;
}

template <Format F>
bool less(Scalar a, Scalar b) {
  if constexpr (is_float_format(F)) {
    return a.f < b.f;
  } else if constexpr (F == Format::kU64) {
    return static_cast<uint64_t>(a.i) < static_cast<uint64_t>(b.i);
  } else {
    return a.i < b.i;
  }
}

template <Format F>
bool equal(Scalar a, Scalar b) {
  if constexpr (is_float_format(F)) {
    return a.f == b.f;
  } else {
    return a.i == b.i;
  }
}

// Comparisons and min/max, common to integers and floats. Min and max pick
// like `select(a < b, a, b)`, which is what the backends emit.
template <Format F>
CompiledExpr ordering(ExprKind kind, const CompiledExpr& a, const CompiledExpr& b, int lanes) {
  auto boolean = [](bool v) { return int_scalar(v); };
  switch (kind) {
    case ExprKind::kMin:
      return map2(a, b, lanes, [](Scalar x, Scalar y) { return less<F>(x, y) ? x : y; });
    case ExprKind::kMax:
      return map2(a, b, lanes, [](Scalar x, Scalar y) { return less<F>(y, x) ? x : y; });
    case ExprKind::kEQ:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) { return boolean(equal<F>(x, y)); });
    case ExprKind::kNE:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) { return boolean(!equal<F>(x, y)); });
    case ExprKind::kLT:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) { return boolean(less<F>(x, y)); });
    case ExprKind::kLE:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) { return boolean(!less<F>(y, x)); });
    case ExprKind::kGT:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) { return boolean(less<F>(y, x)); });
    case ExprKind::kGE:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) { return boolean(!less<F>(x, y)); });
    default: break;
  }
  return {};
}

// Floats compare like C, so `a <= b` with a NaN is false; !less would say
// true. Comparisons on floats therefore use the operators directly.
template <Format F>
CompiledExpr float_comparison(ExprKind kind, const CompiledExpr& a, const CompiledExpr& b,
                              int lanes) {
  switch (kind) {
    case ExprKind::kLE:
      return map2(a, b, lanes, [](Scalar x, Scalar y) { return int_scalar(x.f <= y.f); });
    case ExprKind::kGE:
      return map2(a, b, lanes, [](Scalar x, Scalar y) { return int_scalar(x.f >= y.f); });
    default: return ordering<F>(kind, a, b, lanes);
  }
}

template <Format F>
CompiledExpr float_binary(ExprKind kind, const CompiledExpr& a, const CompiledExpr& b, int lanes) {
  auto r = [](double v) { return float_scalar(round_float<F>(v)); };
  switch (kind) {
    case ExprKind::kAdd: return map2(a, b, lanes, [=](Scalar x, Scalar y) { return r(x.f + y.f); });
    case ExprKind::kSub: return map2(a, b, lanes, [=](Scalar x, Scalar y) { return r(x.f - y.f); });
    case ExprKind::kMul: return map2(a, b, lanes, [=](Scalar x, Scalar y) { return r(x.f * y.f); });
    case ExprKind::kDiv: return map2(a, b, lanes, [=](Scalar x, Scalar y) { return r(x.f / y.f); });
    case ExprKind::kFloorDiv:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) { return r(std::floor(x.f / y.f)); });
    case ExprKind::kFloorMod:
      return map2(a, b, lanes,
                  [=](Scalar x, Scalar y) { return r(x.f - std::floor(x.f / y.f) * y.f); });
    default: return float_comparison<F>(kind, a, b, lanes);
  }
}

// Integer arithmetic in uint64_t (where overflow is defined) wrapped back to
// the width of F. Division by zero is a fault; the one signed overflow of
// division (MIN / -1) wraps like the other operations.
template <Format F>
CompiledExpr int_binary(ExprKind kind, const CompiledExpr& a, const CompiledExpr& b, int lanes,
                        const SitePtr& site, const std::string& text) {
  using U = uint64_t;
  constexpr bool kU64 = F == Format::kU64;
  auto w = [](U v) { return int_scalar(wrap_int<F>(v)); };
  auto check = [site, text](Scalar x, Scalar y) {
    if (y.i == 0) {
      site->fail("integer division by zero in `" + text + "` (dividend " + std::to_string(x.i) +
                 ")");
    }
  };
  switch (kind) {
    case ExprKind::kAdd:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) { return w(U(x.i) + U(y.i)); });
    case ExprKind::kSub:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) { return w(U(x.i) - U(y.i)); });
    case ExprKind::kMul:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) { return w(U(x.i) * U(y.i)); });
    case ExprKind::kDiv:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) {
        check(x, y);
        if constexpr (kU64) return w(U(x.i) / U(y.i));
        if (y.i == -1) return w(U{0} - U(x.i));
        return w(U(x.i / y.i));
      });
    case ExprKind::kFloorDiv:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) {
        check(x, y);
        if constexpr (kU64) return w(U(x.i) / U(y.i));
        if (y.i == -1) return w(U{0} - U(x.i));
        int64_t q = x.i / y.i;
        if (x.i % y.i != 0 && ((x.i < 0) != (y.i < 0))) --q;
        return w(U(q));
      });
    case ExprKind::kFloorMod:
      return map2(a, b, lanes, [=](Scalar x, Scalar y) {
        check(x, y);
        if constexpr (kU64) return w(U(x.i) % U(y.i));
        if (y.i == -1) return int_scalar(0);
        int64_t r = x.i % y.i;
        if (r != 0 && ((r < 0) != (y.i < 0))) r += y.i;
        return w(U(r));
      });
    case ExprKind::kAnd:
      return map2(a, b, lanes, [](Scalar x, Scalar y) { return int_scalar(x.i && y.i); });
    case ExprKind::kOr:
      return map2(a, b, lanes, [](Scalar x, Scalar y) { return int_scalar(x.i || y.i); });
    default: return ordering<F>(kind, a, b, lanes);
  }
}

// Intrinsics on float format F: float32 computes in float (as a float32
// kernel does), the others in double, and every result rounds to F.
template <Format F>
CompiledExpr intrinsic(Intrinsic op, const std::vector<CompiledExpr>& args, int lanes) {
  using T = std::conditional_t<F == Format::kF32, float, double>;
  auto in = [](Scalar s) { return static_cast<T>(s.f); };
  auto r = [](T v) { return float_scalar(round_float<F>(static_cast<double>(v))); };
  const CompiledExpr& a = args[0];
  switch (op) {
    case Intrinsic::kExp: return map1(a, lanes, [=](Scalar x) { return r(std::exp(in(x))); });
    case Intrinsic::kLog: return map1(a, lanes, [=](Scalar x) { return r(std::log(in(x))); });
    case Intrinsic::kSqrt: return map1(a, lanes, [=](Scalar x) { return r(std::sqrt(in(x))); });
    case Intrinsic::kRsqrt:
      return map1(a, lanes, [=](Scalar x) { return r(T(1) / std::sqrt(in(x))); });
    case Intrinsic::kTanh: return map1(a, lanes, [=](Scalar x) { return r(std::tanh(in(x))); });
    case Intrinsic::kSigmoid:
      return map1(a, lanes, [=](Scalar x) { return r(T(1) / (T(1) + std::exp(-in(x)))); });
    case Intrinsic::kErf: return map1(a, lanes, [=](Scalar x) { return r(std::erf(in(x))); });
    case Intrinsic::kFabs: return map1(a, lanes, [=](Scalar x) { return r(std::fabs(in(x))); });
    case Intrinsic::kFloor: return map1(a, lanes, [=](Scalar x) { return r(std::floor(in(x))); });
    case Intrinsic::kCeil: return map1(a, lanes, [=](Scalar x) { return r(std::ceil(in(x))); });
    case Intrinsic::kRound: return map1(a, lanes, [=](Scalar x) { return r(std::round(in(x))); });
    case Intrinsic::kPow:
      return map2(a, args[1], lanes, [=](Scalar x, Scalar y) { return r(std::pow(in(x), in(y))); });
    case Intrinsic::kFma:
      return map3(a, args[1], args[2], lanes,
                  [=](Scalar x, Scalar y, Scalar z) { return r(std::fma(in(x), in(y), in(z))); });
    case Intrinsic::kIsNan:
      return map1(a, lanes, [](Scalar x) { return int_scalar(std::isnan(x.f)); });
    case Intrinsic::kGpuBarrier:
    case Intrinsic::kWarpShuffleXor:
    case Intrinsic::kThreadAllreduce:
    case Intrinsic::kCount: break;
  }
  return {};
}

}  // namespace

CompiledExpr Compiler::expr(const Expr& e) {
  if (!e.defined()) compile_error("an expression is undefined");
  const int lanes = e.dtype().lanes();
  switch (e.kind()) {
    case ExprKind::kIntImm:
      return constant(make_int_constant(format_of(e.dtype()), e.as<IntImmNode>()->value));
    case ExprKind::kFloatImm:
      return constant(make_float_constant(format_of(e.dtype()), e.as<FloatImmNode>()->value));
    case ExprKind::kVar: {
      auto it = vars_.find(e.as<VarNode>());
      if (it == vars_.end()) {
        compile_error("variable `" + e.as<VarNode>()->name +
                      "` is used where no enclosing loop, let or block iter var binds it");
      }
      const VarSlot v = it->second;
      if (v.lanes != lanes)
        compile_error("variable `" + e.as<VarNode>()->name + "` has the wrong lane count");
      CompiledExpr out;
      out.lanes = lanes;
      const int slot = v.slot;
      if (lanes == 1) {
        out.scalar = [slot](Frame& f) { return f.slots[slot]; };
      } else {
        out.vector = [slot, lanes](Frame& f, Scalar* o) {
          for (int l = 0; l < lanes; ++l) o[l] = f.slots[slot + l];
        };
      }
      return out;
    }
    case ExprKind::kNot:
      return map1(expr(e.as<NotNode>()->a), lanes, [](Scalar x) { return int_scalar(!x.i); });
    case ExprKind::kSelect: return select(e.as<SelectNode>());
    case ExprKind::kCast: return cast(e.as<CastNode>());
    case ExprKind::kBufferLoad: return buffer_load(e.as<BufferLoadNode>());
    case ExprKind::kCall: return call(e.as<CallNode>());
    case ExprKind::kRamp: return ramp(e.as<RampNode>());
    case ExprKind::kBroadcast: {
      const auto* b = e.as<BroadcastNode>();
      CompiledExpr value = expr(b->value);
      if (value.lanes != 1) compile_error("broadcast of a vector: " + describe_expr(e));
      return map1(value, lanes, [](Scalar x) { return x; });
    }
    case ExprKind::kLet: return let(e.as<LetNode>());
    default: break;
  }
  return binary(e, e.as<BinaryNode>());
}

ScalarFn Compiler::scalar(const Expr& e) {
  if (e.defined() && e.dtype().lanes() != 1) {
    compile_error("expected a scalar, got " + e.dtype().str() + " `" + describe_expr(e) + "`");
  }
  return expr(e).scalar;
}

VectorFn Compiler::vector(const Expr& e, int lanes) {
  CompiledExpr c = expr(e);
  if (c.lanes != 1 && c.lanes != lanes) {
    compile_error("`" + describe_expr(e) + "` has " + std::to_string(c.lanes) + " lanes where " +
                  std::to_string(lanes) + " are expected");
  }
  return to_vector(c, lanes);
}

IndexFn Compiler::index(const Expr& e) {
  if (!e.defined() || !e.dtype().is_integer() || e.dtype().lanes() != 1) {
    compile_error("expected a scalar integer index, got `" + describe_expr(e) + "`" +
                  (e.defined() ? " of type " + e.dtype().str() : ""));
  }
  IndexFn out;
  if (const int64_t* v = as_const_int(e)) {
    out.kind = IndexFn::Kind::kConstant;
    out.constant = make_int_constant(format_of(e.dtype()), *v).i;
  } else if (const auto* var = e.as<VarNode>(); var && vars_.count(var)) {
    out.kind = IndexFn::Kind::kSlot;
    out.slot = vars_.at(var).slot;
  } else {
    out.kind = IndexFn::Kind::kGeneral;
    out.general = scalar(e);
  }
  return out;
}

CompiledExpr Compiler::binary(const Expr& e, const BinaryNode* op) {
  const DataType ta = op->a.dtype(), tb = op->b.dtype();
  if (ta != tb) {
    compile_error("the operands of `" + describe_expr(e) + "` have different types (" + ta.str() +
                  " and " + tb.str() + ")");
  }
  const int lanes = e.dtype().lanes();
  const Format format = format_of(ta.element_of());
  const bool logical = op->kind == ExprKind::kAnd || op->kind == ExprKind::kOr;
  if (logical && format != Format::kBool)
    compile_error("`" + describe_expr(e) + "` needs booleans");
  if (logical && lanes == 1) {
    // Short-circuit, so that `i < n and A[i] > 0` never loads A[n].
    ScalarFn a = scalar(op->a), b = scalar(op->b);
    CompiledExpr out;
    if (op->kind == ExprKind::kAnd) {
      out.scalar = [a, b](Frame& f) { return int_scalar(a(f).i && b(f).i); };
    } else {
      out.scalar = [a, b](Frame& f) { return int_scalar(a(f).i || b(f).i); };
    }
    return out;
  }
  const CompiledExpr a = expr(op->a), b = expr(op->b);
  const SitePtr where = site();
  const std::string text = describe_expr(e);
  CompiledExpr out = dispatch_format(format, [&](auto tag) {
    constexpr Format F = decltype(tag)::value;
    if constexpr (is_float_format(F)) {
      return float_binary<F>(op->kind, a, b, lanes);
    } else {
      return int_binary<F>(op->kind, a, b, lanes, where, text);
    }
  });
  if (!out.scalar && !out.vector) {
    compile_error("`" + text + "` is not defined for " + ta.str() + " operands");
  }
  return out;
}

CompiledExpr Compiler::select(const SelectNode* op) {
  const int lanes = op->dtype.lanes();
  if (op->true_value.dtype() != op->false_value.dtype()) {
    compile_error("select operands have different types: " + describe_expr(op->true_value) +
                  " and " + describe_expr(op->false_value));
  }
  CompiledExpr out;
  out.lanes = lanes;
  if (op->condition.dtype().lanes() == 1) {
    // Only the chosen operand runs, so a select can guard a load.
    ScalarFn cond = scalar(op->condition);
    CompiledExpr t = expr(op->true_value), f = expr(op->false_value);
    if (lanes == 1) {
      out.scalar = [cond, t = t.scalar, f = f.scalar](Frame& fr) {
        return cond(fr).i ? t(fr) : f(fr);
      };
    } else {
      out.vector = [cond, t = t.vector, f = f.vector](Frame& fr, Scalar* o) {
        cond(fr).i ? t(fr, o) : f(fr, o);
      };
    }
    return out;
  }
  VectorFn cond = vector(op->condition, lanes);
  VectorFn t = vector(op->true_value, lanes), f = vector(op->false_value, lanes);
  out.vector = [cond, t, f, lanes, tmp = std::vector<Scalar>(2 * lanes)](Frame& fr,
                                                                         Scalar* o) mutable {
    cond(fr, tmp.data());
    t(fr, o);
    f(fr, tmp.data() + lanes);
    for (int l = 0; l < lanes; ++l) {
      if (!tmp[l].i) o[l] = tmp[lanes + l];
    }
  };
  return out;
}

CompiledExpr Compiler::cast(const CastNode* op) {
  const int lanes = op->dtype.lanes();
  if (op->value.dtype().lanes() != lanes) {
    compile_error("cast to " + op->dtype.str() + " of a " + op->value.dtype().str() + " value");
  }
  const Format from = format_of(op->value.dtype().element_of());
  const Format to = format_of(op->dtype.element_of());
  return map1(expr(op->value), lanes, [from, to](Scalar x) { return cast_scalar(from, to, x); });
}

CompiledExpr Compiler::buffer_load(const BufferLoadNode* op) {
  BufferInfoPtr info = lookup_buffer(op->buffer, "load from");
  if (op->dtype.element_of() != op->buffer->dtype) {
    compile_error("a load from `" + op->buffer->name + "` (" + op->buffer->dtype.str() +
                  ") has type " + op->dtype.str());
  }
  if (op->indices.size() != info->shape.size()) {
    compile_error("a load from `" + op->buffer->name + "` has " +
                  std::to_string(op->indices.size()) + " indices for " +
                  std::to_string(info->shape.size()) + " dimensions");
  }
  const int lanes = op->dtype.lanes();
  const LoadFn load = load_fn(info->format);
  CompiledExpr out;
  out.lanes = lanes;
  if (lanes == 1) {
    std::vector<IndexFn> indices;
    for (const Expr& i : op->indices) indices.push_back(index(i));
    ScalarAccess access(info, std::move(indices), site(), "load from");
    // The element read is inlined per format: loads are most of the work.
    out.scalar = dispatch_format(info->format, [&](auto tag) -> ScalarFn {
      return [access](Frame& f) { return load_element<decltype(tag)::value>(access.address(f)); };
    });
    return out;
  }
  VectorAccess access{info, {}, lanes, site(), "load from", {}};
  for (const Expr& i : op->indices) {
    if (!i.dtype().is_integer())
      compile_error("a non-integer index into `" + op->buffer->name + "`");
    access.indices.push_back(vector(i, lanes));
  }
  access.scratch.resize(access.indices.size() * lanes);
  const int bytes = format_bytes(info->format);
  out.vector = [access = std::move(access), load, bytes, lanes,
                offsets = std::vector<int64_t>(lanes)](Frame& f, Scalar* o) mutable {
    access.offsets(f, offsets.data());
    const char* base = f.buffers[access.info->slot];
    for (int l = 0; l < lanes; ++l) o[l] = load(base + offsets[l] * bytes);
  };
  return out;
}

CompiledExpr Compiler::call(const CallNode* op) {
  const std::string name = intrinsic_name(op->op);
  if (op->op == Intrinsic::kGpuBarrier || op->op == Intrinsic::kWarpShuffleXor ||
      op->op == Intrinsic::kThreadAllreduce) {
    compile_error(name + " synchronizes GPU threads, which the interpreter runs one after the "
                         "other; interpret the function before GPU lowering");
  }
  if (static_cast<int>(op->args.size()) != intrinsic_arity(op->op)) {
    compile_error(name + " takes " + std::to_string(intrinsic_arity(op->op)) + " arguments, got " +
                  std::to_string(op->args.size()));
  }
  const DataType arg_type = op->args[0].dtype();
  for (const Expr& a : op->args) {
    if (a.dtype() != arg_type) compile_error("the arguments of " + name + " differ in type");
  }
  if (!arg_type.is_float()) {
    compile_error(name + " of " + arg_type.str() + ": intrinsics take floating-point arguments");
  }
  std::vector<CompiledExpr> args;
  for (const Expr& a : op->args) args.push_back(expr(a));
  const int lanes = op->dtype.lanes();
  return dispatch_format(format_of(arg_type.element_of()), [&](auto tag) {
    constexpr Format F = decltype(tag)::value;
    if constexpr (is_float_format(F)) {
      return intrinsic<F>(op->op, args, lanes);
    } else {
      return CompiledExpr{};
    }
  });
}

CompiledExpr Compiler::ramp(const RampNode* op) {
  const int lanes = op->lanes;
  const Format format = format_of(op->base.dtype());
  ScalarFn base = scalar(op->base), stride = scalar(op->stride);
  CompiledExpr out;
  out.lanes = lanes;
  if (is_float_format(format)) {
    out.vector = [base, stride, lanes, format](Frame& f, Scalar* o) {
      const double b = base(f).f, s = stride(f).f;
      for (int l = 0; l < lanes; ++l) o[l] = float_scalar(round_float(format, b + l * s));
    };
  } else {
    out.vector = [base, stride, lanes, format](Frame& f, Scalar* o) {
      const uint64_t b = static_cast<uint64_t>(base(f).i), s = static_cast<uint64_t>(stride(f).i);
      for (int l = 0; l < lanes; ++l) o[l] = int_scalar(wrap_int(format, b + l * s));
    };
  }
  return out;
}

CompiledExpr Compiler::let(const LetNode* op) {
  const int value_lanes = op->var.dtype().lanes();
  if (op->value.dtype() != op->var.dtype()) {
    compile_error("let binds `" + op->var->name + "` of type " + op->var.dtype().str() + " to a " +
                  op->value.dtype().str());
  }
  CompiledExpr value = expr(op->value);
  int slot = 0;
  ScopeGuard scope = bind_var(op->var, &slot);
  CompiledExpr body = expr(op->body);
  std::function<void(Frame&)> assign;
  if (value_lanes == 1) {
    assign = [slot, v = value.scalar](Frame& f) { f.slots[slot] = v(f); };
  } else {
    assign = [slot, v = value.vector](Frame& f) { v(f, f.slots + slot); };
  }
  CompiledExpr out;
  out.lanes = body.lanes;
  if (body.lanes == 1) {
    out.scalar = [assign, b = body.scalar](Frame& f) {
      assign(f);
      return b(f);
    };
  } else {
    out.vector = [assign, b = body.vector](Frame& f, Scalar* o) {
      assign(f);
      b(f, o);
    };
  }
  return out;
}

}  // namespace kiln::ir::interp
