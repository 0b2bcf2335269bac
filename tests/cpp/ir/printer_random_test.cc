// Randomised round trip of the text form: random functions built from every
// statement and expression kind, random data types and constants, and
// clashing variable names go through print → parse → structural equality and
// print → parse → print identity.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "ir/op.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"

namespace kiln::ir {
namespace {

class RandomProgram {
 public:
  explicit RandomProgram(uint32_t seed) : rng_(seed) {}

  PrimFunc function() {
    int nparams = pick(1, 3);
    std::vector<Buffer> params;
    for (int i = 0; i < nparams; ++i) params.push_back(random_buffer("global"));
    buffers_ = params;
    bool lowered = chance(0.3);
    Stmt body;
    std::vector<Buffer> allocs;
    if (!lowered && chance(0.4)) {
      allocs.push_back(random_buffer(chance(0.5) ? "shared" : "global"));
      buffers_.push_back(allocs.back());
    }
    body = statement(4);
    Annotations attrs;
    if (chance(0.3)) attrs = annotations();
    return make_prim_func(pick_name(), params, lowered ? body : make_root_block(body, allocs),
                          attrs);
  }

  Expr expression(DataType t, int depth) { return expr(t, depth); }
  std::vector<Var>& vars() { return vars_; }
  std::vector<Buffer>& buffers() { return buffers_; }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <typename T>
  const T& one_of(const std::vector<T>& v) {
    return v[static_cast<size_t>(pick(0, static_cast<int>(v.size()) - 1))];
  }

  std::string pick_name() {
    static const std::vector<std::string> names = {"i", "j",   "x",  "v",   "i_1", "for", "",
                                                   "A", "a b", "9z", "min", "T",   "vi"};
    return one_of(names);
  }

  DataType scalar_type() {
    static const std::vector<DataType> types = {
        DataType::Int(32),   DataType::Int(32),   DataType::Int(64),    DataType::Int(8),
        DataType::UInt(8),   DataType::UInt(64),  DataType::Float(32),  DataType::Float(32),
        DataType::Float(16), DataType::Float(64), DataType::BFloat16(), DataType::Bool()};
    return one_of(types);
  }
  DataType index_type() { return chance(0.8) ? DataType::Int(32) : DataType::Int(64); }

  Buffer random_buffer(const std::string& scope) {
    std::vector<int64_t> shape;
    int ndim = pick(0, 3);
    for (int i = 0; i < ndim; ++i) shape.push_back(pick(1, 64));
    return make_buffer(pick_name(), scalar_type(), shape, scope);
  }

  // Constants stay small inside arithmetic so that constant folding in
  // ir/op.cc never overflows; extreme values go straight into stores.
  Expr small_const(DataType t) {
    if (t.is_bool()) return int_imm(t, pick(0, 1));
    if (t.is_float()) return float_imm(t, pick(-400, 400) / 8.0);
    return int_imm(t, pick(t.is_uint() ? 0 : -100, 100));
  }
  Expr extreme_const(DataType t) {
    if (t.is_float()) {
      static const std::vector<double> values = {std::numeric_limits<double>::infinity(),
                                                 -std::numeric_limits<double>::infinity(),
                                                 std::numeric_limits<double>::quiet_NaN(),
                                                 -0.0,
                                                 0.1,
                                                 1e300,
                                                 5e-324,
                                                 3.4028234663852886e38,
                                                 -1.0 / 3.0};
      return float_imm(t, one_of(values));
    }
    if (t.is_bool()) return int_imm(t, 1);
    std::uniform_int_distribution<int64_t> any(std::numeric_limits<int64_t>::min(),
                                               std::numeric_limits<int64_t>::max());
    return int_imm(t, any(rng_));
  }

  Expr var_of(DataType t) {
    std::vector<Var> fit;
    for (const Var& v : vars_)
      if (v.dtype() == t) fit.push_back(v);
    return fit.empty() ? Expr() : Expr(one_of(fit));
  }

  Expr index(int depth) {
    DataType t = index_type();
    Expr v = var_of(t);
    if (v.defined() && chance(0.6)) return chance(0.5) ? v : v * small_const(t) + small_const(t);
    return expr(t, depth);
  }

  std::vector<Expr> indices(const Buffer& b, int depth) {
    std::vector<Expr> idx;
    for (size_t i = 0; i < b->shape.size(); ++i) idx.push_back(index(depth));
    return idx;
  }

  Expr load(DataType t, int depth) {
    std::vector<Buffer> fit;
    for (const Buffer& b : buffers_)
      if (b->dtype == t) fit.push_back(b);
    if (fit.empty()) return Expr();
    const Buffer& b = one_of(fit);
    return buffer_load(b, indices(b, depth - 1));
  }

  Expr expr(DataType t, int depth) {
    if (t.is_vector()) return vector_expr(t, depth);
    if (depth <= 0 || chance(0.25)) {
      int r = pick(0, 2);
      if (r == 0)
        if (Expr v = var_of(t)) return v;
      if (r == 1)
        if (Expr l = load(t, 1)) return l;
      return small_const(t);
    }
    int d = depth - 1;
    if (t.is_bool()) {
      switch (pick(0, 5)) {
        case 0: {
          DataType u = chance(0.5) ? DataType::Int(32) : DataType::Float(32);
          static const std::vector<ExprKind> cmp = {ExprKind::kEQ, ExprKind::kNE, ExprKind::kLT,
                                                    ExprKind::kLE, ExprKind::kGT, ExprKind::kGE};
          return binary(one_of(cmp), expr(u, d), expr(u, d));
        }
        case 1: return logical_and(expr(t, d), expr(t, d));
        case 2: return logical_or(expr(t, d), expr(t, d));
        case 3: return logical_not(expr(t, d));
        case 4: return call(Intrinsic::kIsNan, {expr(DataType::Float(32), d)});
        default: return select(expr(t, d), expr(t, d), expr(t, d));
      }
    }
    switch (pick(0, 8)) {
      case 0: return add(expr(t, d), expr(t, d));
      case 1: return sub(expr(t, d), expr(t, d));
      case 2: return mul(expr(t, d), expr(t, d));
      case 3:
        if (t.is_integer())
          return chance(0.5) ? floordiv(expr(t, d), expr(t, d)) : floormod(expr(t, d), expr(t, d));
        return div(expr(t, d), expr(t, d));
      case 4: return chance(0.5) ? min(expr(t, d), expr(t, d)) : max(expr(t, d), expr(t, d));
      case 5: return select(expr(DataType::Bool(), d), expr(t, d), expr(t, d));
      case 6: {
        // Folding a float constant into an integer is a C++ cast: fine for
        // the small constants expr() makes.
        return cast(t, expr(scalar_type(), d));
      }
      case 7: {
        Var x(pick_name(), scalar_type());
        Expr value = expr(x.dtype(), d);
        vars_.push_back(x);
        Expr body = expr(t, d);
        vars_.pop_back();
        return let(x, value, body);
      }
      default:
        if (t.is_float()) {
          static const std::vector<Intrinsic> unary = {Intrinsic::kExp,  Intrinsic::kLog,
                                                       Intrinsic::kSqrt, Intrinsic::kTanh,
                                                       Intrinsic::kErf,  Intrinsic::kFloor};
          if (chance(0.2)) return call(Intrinsic::kFma, {expr(t, d), expr(t, d), expr(t, d)});
          return call(one_of(unary), {expr(t, d)});
        }
        return expr(t, d);
    }
  }

  Expr vector_expr(DataType t, int depth) {
    int lanes = t.lanes();
    DataType s = t.element_of();
    int d = depth - 1;
    switch (pick(0, 3)) {
      case 0:
        if (s.is_integer() && !s.is_uint()) return ramp(expr(s, d), small_const(s), lanes);
        return broadcast(expr(s, d), lanes);
      case 1: return broadcast(expr(s, d), lanes);
      case 2:
        if (depth > 0 && !s.is_bool()) return add(vector_expr(t, d), vector_expr(t, d));
        return broadcast(small_const(s), lanes);
      default: {
        std::vector<Buffer> fit;
        for (const Buffer& b : buffers_)
          if (b->dtype == s && !b->shape.empty()) fit.push_back(b);
        if (fit.empty()) return broadcast(small_const(s), lanes);
        const Buffer& b = one_of(fit);
        std::vector<Expr> idx = indices(b, 1);
        idx.back() = ramp(cast(DataType::Int(32), index(1)), 1, lanes);
        for (size_t i = 0; i + 1 < idx.size(); ++i) idx[i] = cast(DataType::Int(32), idx[i]);
        return buffer_load(b, idx);
      }
    }
  }

  Annotations annotations() {
    Annotations ann;
    int n = pick(1, 3);
    for (int i = 0; i < n; ++i) {
      std::string key =
          one_of(std::vector<std::string>{"pragma_unroll", "a\"b", "tile", "ratio", "x\n"});
      switch (pick(0, 3)) {
        case 0: ann[key] = static_cast<int64_t>(pick(-1000, 1000)); break;
        case 1: ann[key] = pick(-1000, 1000) / 7.0; break;
        case 2: ann[key] = pick_name(); break;
        default: ann[key] = std::vector<int64_t>{pick(-5, 5), pick(0, 64)}; break;
      }
    }
    return ann;
  }

  Stmt store(int depth) {
    if (buffers_.empty()) return evaluate(expr(DataType::Int(32), depth));
    const Buffer& b = one_of(buffers_);
    std::vector<Expr> idx = indices(b, depth - 1);
    if (chance(0.15)) return buffer_store(b, extreme_const(b->dtype), idx);
    if (!idx.empty() && chance(0.15)) {
      int lanes = one_of(std::vector<int>{2, 4, 8});
      for (Expr& e : idx) e = cast(DataType::Int(32), e);
      idx.back() = ramp(idx.back(), 1, lanes);
      return buffer_store(b, expr(b->dtype.with_lanes(lanes), depth - 1), idx);
    }
    return buffer_store(b, expr(b->dtype, depth - 1), idx);
  }

  struct Loop {
    Var var;
    Expr min, extent;
  };

  Stmt statement(int depth) {
    if (depth <= 0) return store(2);
    int d = depth - 1;
    switch (pick(0, 9)) {
      case 0:
      case 1: {
        Var v(pick_name(), index_type());
        Expr mn = chance(0.6) ? Expr(0) : Expr(pick(-4, 4));
        if (Expr outer = var_of(v.dtype()); outer.defined() && chance(0.2)) mn = outer;
        static const std::vector<ForKind> kinds = {ForKind::kSerial,   ForKind::kSerial,
                                                   ForKind::kParallel, ForKind::kVectorized,
                                                   ForKind::kUnrolled, ForKind::kThreadBinding};
        ForKind kind = one_of(kinds);
        std::string tag = kind == ForKind::kThreadBinding
                              ? one_of(std::vector<std::string>{"threadIdx.x", "blockIdx.y"})
                              : "";
        Expr extent = Expr(pick(1, 16));
        vars_.push_back(v);
        loops_.push_back({v, cast(v.dtype(), mn), cast(v.dtype(), extent)});
        Stmt body = statement(d);
        loops_.pop_back();
        vars_.pop_back();
        return for_loop(v, mn, extent, kind, body, tag,
                        chance(0.2) ? annotations() : Annotations{});
      }
      case 2: {
        Stmt then_case = statement(d);
        Stmt else_case = chance(0.5) ? statement(d) : Stmt();
        return if_then_else(expr(DataType::Bool(), 2), then_case, else_case);
      }
      case 3: {
        Var x(pick_name(), scalar_type());
        Expr value = expr(x.dtype(), 2);
        vars_.push_back(x);
        Stmt body = statement(d);
        vars_.pop_back();
        return let_stmt(x, value, body);
      }
      case 4: {
        Buffer b = random_buffer(chance(0.5) ? "local" : "shared");
        buffers_.push_back(b);
        Stmt body = statement(d);
        buffers_.pop_back();
        return allocate(b, body);
      }
      case 5: return seq({statement(d), statement(d)});
      case 6:
      case 7: return block(d);
      case 8: return evaluate(expr(scalar_type(), 2));
      default: return store(depth);
    }
  }

  std::vector<BufferRegion> regions(int count) {
    std::vector<BufferRegion> out;
    for (int i = 0; i < count && !buffers_.empty(); ++i) {
      const Buffer& b = one_of(buffers_);
      BufferRegion r{b, {}};
      for (size_t k = 0; k < b->shape.size(); ++k) {
        Expr lo = index(1);
        r.region.push_back(Range{lo, int_imm(lo.dtype(), chance(0.5) ? 1 : pick(0, 8))});
      }
      out.push_back(r);
    }
    return out;
  }

  Stmt block(int depth) {
    auto node = std::make_shared<BlockNode>();
    node->name = one_of(std::vector<std::string>{"B", "C", "root", "blk\"1", ""});
    bool realize = chance(0.9);
    std::vector<Expr> bindings;
    bool remap = realize && !loops_.empty() && chance(0.5);
    int n = remap ? pick(1, static_cast<int>(loops_.size())) : pick(0, 3);
    for (int i = 0; i < n; ++i) {
      IterKind kind = chance(0.7) ? IterKind::kSpatial : IterKind::kReduction;
      if (remap) {
        const Loop& l = loops_[loops_.size() - 1 - static_cast<size_t>(i)];
        node->iter_vars.push_back(
            IterVar{Var(pick_name(), l.var.dtype()), Range{l.min, l.extent}, kind});
        bindings.push_back(l.var);
      } else {
        DataType t = index_type();
        Expr mn = chance(0.7) ? int_imm(t, 0) : int_imm(t, pick(-8, 8));
        node->iter_vars.push_back(
            IterVar{Var(pick_name(), t), Range{mn, int_imm(t, pick(1, 64))}, kind});
        bindings.push_back(index(2));
      }
    }
    Expr predicate = realize && chance(0.3) ? expr(DataType::Bool(), 2) : Expr();
    for (const IterVar& iv : node->iter_vars) vars_.push_back(iv.var);
    size_t nbuf = buffers_.size();
    if (chance(0.3)) {
      node->alloc_buffers.push_back(random_buffer(chance(0.5) ? "local" : "shared"));
      buffers_.push_back(node->alloc_buffers.back());
    }
    node->reads = regions(pick(0, 2));
    node->writes = regions(pick(0, 2));
    if (chance(0.2)) node->annotations = annotations();
    if (chance(0.3)) node->init = store(2);
    node->body = statement(depth);
    buffers_.resize(nbuf);
    vars_.resize(vars_.size() - node->iter_vars.size());
    if (!realize) return Stmt(std::shared_ptr<const BlockNode>(std::move(node)));
    return block_realize(bindings, predicate, std::move(node));
  }

  std::mt19937 rng_;
  std::vector<Var> vars_;
  std::vector<Buffer> buffers_;
  std::vector<Loop> loops_;
};

TEST(PrinterRandom, FunctionsRoundTrip) {
  for (uint32_t seed = 0; seed < 400; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    PrimFunc f = RandomProgram(seed).function();
    std::string text = to_script(f);
    PrimFunc g;
    try {
      g = parse_prim_func(text);
    } catch (const ParseError& e) {
      FAIL() << e.what() << "\nin:\n" << text;
    }
    ASSERT_TRUE(structural_equal(f, g)) << text << "\nreparsed as:\n" << to_script(g);
    ASSERT_EQ(to_script(g), text);
  }
}

TEST(PrinterRandom, ExpressionsRoundTrip) {
  for (uint32_t seed = 0; seed < 1000; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomProgram gen(seed);
    // Names the generator never uses as hints, so that nothing it binds
    // inside the expression can clash with the scope given to parse_expr.
    Var i("p0"), n("p1", DataType::Int(64)), x("p2", DataType::Float(32)),
        h("p3", DataType::Float(16));
    gen.vars() = {i, n, x, h};
    gen.buffers() = {make_buffer("B0", DataType::Float(32), std::vector<int64_t>{16, 16}),
                     make_buffer("B1", DataType::Int(32), std::vector<int64_t>{32})};
    ScriptScope scope{{i, n, x, h}, gen.buffers()};
    static const DataType types[] = {
        DataType::Int(32),   DataType::Float(32),  DataType::Bool(),      DataType::Int(64),
        DataType::Float(16), DataType::Int(32, 4), DataType::Float(32, 8)};
    DataType t = types[seed % (sizeof(types) / sizeof(types[0]))];
    Expr e = gen.expression(t, 5);
    std::string text = to_script(e);
    Expr back;
    try {
      back = parse_expr(text, scope);
    } catch (const ParseError& err) {
      FAIL() << err.what();
    }
    ASSERT_TRUE(structural_equal(e, back)) << text << "\nreparsed as: " << to_script(back);
    ASSERT_EQ(to_script(back), text);
  }
}

}  // namespace
}  // namespace kiln::ir
