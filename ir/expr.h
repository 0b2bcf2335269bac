// Expressions of the IR: immutable, shared nodes behind small value handles.
//
// A node never changes after construction; a transformation builds new nodes
// on the path it changes and shares the rest. Node identity (pointer) is the
// identity of a Var or a Buffer; everything else is compared structurally
// (see ir/structural.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace kiln::ir {

enum class ExprKind : uint8_t {
  kIntImm,
  kFloatImm,
  kVar,
  // Binary nodes (BinaryNode): keep kAdd..kOr contiguous.
  kAdd,
  kSub,
  kMul,
  kDiv,  // float division; truncating division for integers (C semantics)
  kFloorDiv,
  kFloorMod,
  kMin,
  kMax,
  kEQ,
  kNE,
  kLT,
  kLE,
  kGT,
  kGE,
  kAnd,
  kOr,
  kNot,
  kSelect,
  kCast,
  kBufferLoad,
  kCall,
  kRamp,
  kBroadcast,
  kLet,
};

// Textual operator of a binary kind ("+", "//", "min", "<=", "and"…).
const char* binary_op_name(ExprKind kind);
inline bool is_binary(ExprKind k) { return k >= ExprKind::kAdd && k <= ExprKind::kOr; }
inline bool is_comparison(ExprKind k) { return k >= ExprKind::kEQ && k <= ExprKind::kGE; }

struct ExprNode {
  ExprNode(ExprKind k, DataType t) : kind(k), dtype(t) {}
  virtual ~ExprNode() = default;
  const ExprKind kind;
  const DataType dtype;
};

class Expr {
 public:
  Expr() = default;
  explicit Expr(std::shared_ptr<const ExprNode> node) : node_(std::move(node)) {}
  // Integer and float literals convert implicitly (int32 / float32), as in TVM,
  // so that `i * 4 + 1` reads naturally.
  Expr(int value);      // NOLINT(google-explicit-constructor)
  Expr(int64_t value);  // NOLINT(google-explicit-constructor)
  Expr(float value);    // NOLINT(google-explicit-constructor)
  Expr(double value);   // NOLINT(google-explicit-constructor)

  const ExprNode* get() const { return node_.get(); }
  const ExprNode* operator->() const { return node_.get(); }
  explicit operator bool() const { return node_ != nullptr; }
  bool defined() const { return node_ != nullptr; }
  bool same_as(const Expr& other) const { return node_ == other.node_; }

  ExprKind kind() const { return node_->kind; }
  DataType dtype() const { return node_->dtype; }

  template <typename T>
  const T* as() const {
    return node_ && T::is_kind(node_->kind) ? static_cast<const T*>(node_.get()) : nullptr;
  }
  const std::shared_ptr<const ExprNode>& node_ptr() const { return node_; }

 private:
  std::shared_ptr<const ExprNode> node_;
};

struct IntImmNode : ExprNode {
  IntImmNode(DataType t, int64_t v) : ExprNode(ExprKind::kIntImm, t), value(v) {}
  static bool is_kind(ExprKind k) { return k == ExprKind::kIntImm; }
  const int64_t value;
};

struct FloatImmNode : ExprNode {
  FloatImmNode(DataType t, double v) : ExprNode(ExprKind::kFloatImm, t), value(v) {}
  static bool is_kind(ExprKind k) { return k == ExprKind::kFloatImm; }
  const double value;
};

struct VarNode : ExprNode {
  VarNode(std::string n, DataType t) : ExprNode(ExprKind::kVar, t), name(std::move(n)) {}
  static bool is_kind(ExprKind k) { return k == ExprKind::kVar; }
  // A hint for printing; identity is the node itself.
  const std::string name;
};

// A variable: identity is the node, the name is only a hint for printing.
class Var : public Expr {
 public:
  Var() = default;
  explicit Var(std::string name, DataType dtype = DataType::Int(32));
  // Wraps an Expr that is known to be a VarNode.
  static Var from_expr(const Expr& e);
  const VarNode* get() const { return static_cast<const VarNode*>(Expr::get()); }
  const VarNode* operator->() const { return get(); }
  const std::string& name() const { return get()->name; }
  // A new variable with the same type and a different name.
  Var copy_with_name(const std::string& name) const { return Var(name, dtype()); }
  bool operator==(const Var& o) const { return same_as(o); }
  bool operator!=(const Var& o) const { return !same_as(o); }
};

struct VarHash {
  size_t operator()(const Var& v) const { return std::hash<const void*>()(v.get()); }
};

// A half-open interval [min, min + extent).
struct Range {
  Expr min;
  Expr extent;
  static Range from_min_extent(Expr min, Expr extent) {
    return {std::move(min), std::move(extent)};
  }
};

// Buffers are declared in ir/buffer.h; expressions only hold the handle.
struct BufferNode;
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(std::shared_ptr<const BufferNode> node) : node_(std::move(node)) {}
  const BufferNode* get() const { return node_.get(); }
  const BufferNode* operator->() const { return node_.get(); }
  const BufferNode& operator*() const { return *node_; }
  explicit operator bool() const { return node_ != nullptr; }
  bool defined() const { return node_ != nullptr; }
  bool same_as(const Buffer& o) const { return node_ == o.node_; }
  bool operator==(const Buffer& o) const { return node_ == o.node_; }
  bool operator!=(const Buffer& o) const { return node_ != o.node_; }

 private:
  std::shared_ptr<const BufferNode> node_;
};

struct BufferHash {
  size_t operator()(const Buffer& b) const { return std::hash<const void*>()(b.get()); }
};

struct BinaryNode : ExprNode {
  BinaryNode(ExprKind k, DataType t, Expr a_, Expr b_)
      : ExprNode(k, t), a(std::move(a_)), b(std::move(b_)) {}
  static bool is_kind(ExprKind k) { return is_binary(k); }
  const Expr a;
  const Expr b;
};

struct NotNode : ExprNode {
  explicit NotNode(Expr a_) : ExprNode(ExprKind::kNot, a_.dtype()), a(std::move(a_)) {}
  static bool is_kind(ExprKind k) { return k == ExprKind::kNot; }
  const Expr a;
};

struct SelectNode : ExprNode {
  SelectNode(Expr c, Expr t, Expr f)
      : ExprNode(ExprKind::kSelect, t.dtype()),
        condition(std::move(c)),
        true_value(std::move(t)),
        false_value(std::move(f)) {}
  static bool is_kind(ExprKind k) { return k == ExprKind::kSelect; }
  const Expr condition;
  const Expr true_value;
  const Expr false_value;
};

struct CastNode : ExprNode {
  CastNode(DataType t, Expr v) : ExprNode(ExprKind::kCast, t), value(std::move(v)) {}
  static bool is_kind(ExprKind k) { return k == ExprKind::kCast; }
  const Expr value;
};

struct BufferLoadNode : ExprNode {
  BufferLoadNode(DataType t, Buffer b, std::vector<Expr> idx)
      : ExprNode(ExprKind::kBufferLoad, t), buffer(std::move(b)), indices(std::move(idx)) {}
  static bool is_kind(ExprKind k) { return k == ExprKind::kBufferLoad; }
  const Buffer buffer;
  // One index per buffer dimension. After vectorization the last index may be
  // a Ramp, and the load's dtype then has that many lanes.
  const std::vector<Expr> indices;
};

// Intrinsic functions known to every backend. Keep names in sync with
// intrinsic_name() in expr.cc.
enum class Intrinsic : uint8_t {
  kExp,
  kLog,
  kSqrt,
  kRsqrt,
  kTanh,
  kSigmoid,
  kErf,
  kFabs,
  kFloor,
  kCeil,
  kRound,
  kPow,
  kFma,
  kIsNan,
  // GPU only, made by the GPU lowering passes (codegen/passes/gpu_*) and
  // printed by codegen/gpu; no CPU backend or interpreter runs them.
  // gpu_barrier(): every thread of the block waits here; shared-memory writes
  // before it are visible to every thread after it. Void, no arguments.
  kGpuBarrier,
  // warp_shuffle_xor(value, lane_mask): `value` of the lane (lane ^ lane_mask)
  // of the same warp; every lane of the warp must execute it.
  kWarpShuffleXor,
  // thread_allreduce(value, combiner, thread_var): the combination (combiner
  // 0 sum, 1 product, 2 min, 3 max) of `value` over
  // every thread of the loop `thread_var` (bound to threadIdx.*), the other
  // thread axes held fixed; every such thread gets the result and must
  // execute the call. Made by gpu_cross_thread_reduction, lowered to warp
  // shuffles or a shared-memory tree by gpu_lower_thread_allreduce.
  kThreadAllreduce,
  kCount,  // not an intrinsic: the number of them
};
const char* intrinsic_name(Intrinsic op);
// Returns false when `name` is not an intrinsic.
bool intrinsic_from_name(const std::string& name, Intrinsic* out);
// Number of arguments the intrinsic takes.
int intrinsic_arity(Intrinsic op);

struct CallNode : ExprNode {
  CallNode(DataType t, Intrinsic o, std::vector<Expr> a)
      : ExprNode(ExprKind::kCall, t), op(o), args(std::move(a)) {}
  static bool is_kind(ExprKind k) { return k == ExprKind::kCall; }
  const Intrinsic op;
  const std::vector<Expr> args;
};

// Vector of `lanes` values base, base + stride, ...
struct RampNode : ExprNode {
  RampNode(Expr b, Expr s, int l)
      : ExprNode(ExprKind::kRamp, b.dtype().with_lanes(l)),
        base(std::move(b)),
        stride(std::move(s)),
        lanes(l) {}
  static bool is_kind(ExprKind k) { return k == ExprKind::kRamp; }
  const Expr base;
  const Expr stride;
  const int lanes;
};

struct BroadcastNode : ExprNode {
  BroadcastNode(Expr v, int l)
      : ExprNode(ExprKind::kBroadcast, v.dtype().with_lanes(l)), value(std::move(v)), lanes(l) {}
  static bool is_kind(ExprKind k) { return k == ExprKind::kBroadcast; }
  const Expr value;
  const int lanes;
};

struct LetNode : ExprNode {
  LetNode(Var v, Expr val, Expr b)
      : ExprNode(ExprKind::kLet, b.dtype()),
        var(std::move(v)),
        value(std::move(val)),
        body(std::move(b)) {}
  static bool is_kind(ExprKind k) { return k == ExprKind::kLet; }
  const Var var;
  const Expr value;
  const Expr body;
};

// Returns the integer value when `e` is an IntImm.
inline const int64_t* as_const_int(const Expr& e) {
  const auto* imm = e.as<IntImmNode>();
  return imm ? &imm->value : nullptr;
}
inline bool is_const_int(const Expr& e, int64_t value) {
  const int64_t* v = as_const_int(e);
  return v && *v == value;
}

}  // namespace kiln::ir
