// Statements of the IR, including blocks: the unit a schedule reasons about.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "ir/buffer.h"
#include "ir/expr.h"

namespace kiln::ir {

enum class StmtKind : uint8_t {
  kBufferStore,
  kFor,
  kBlock,
  kBlockRealize,
  kSeq,
  kIfThenElse,
  kEvaluate,
  kLetStmt,
  kAllocate,  // after lowering: storage for a non-parameter buffer
};

struct StmtNode {
  explicit StmtNode(StmtKind k) : kind(k) {}
  virtual ~StmtNode() = default;
  const StmtKind kind;
};

class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(std::shared_ptr<const StmtNode> node) : node_(std::move(node)) {}
  const StmtNode* get() const { return node_.get(); }
  const StmtNode* operator->() const { return node_.get(); }
  explicit operator bool() const { return node_ != nullptr; }
  bool defined() const { return node_ != nullptr; }
  bool same_as(const Stmt& other) const { return node_ == other.node_; }
  StmtKind kind() const { return node_->kind; }
  template <typename T>
  const T* as() const {
    return node_ && node_->kind == T::kKind ? static_cast<const T*>(node_.get()) : nullptr;
  }
  const std::shared_ptr<const StmtNode>& node_ptr() const { return node_; }

 private:
  std::shared_ptr<const StmtNode> node_;
};

// Values of loop and block annotations ("pragma_auto_unroll_max_step": 16).
using AnnotationValue = std::variant<int64_t, double, std::string, std::vector<int64_t>>;
using Annotations = std::map<std::string, AnnotationValue>;

struct BufferStoreNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kBufferStore;
  BufferStoreNode(Buffer b, Expr v, std::vector<Expr> idx)
      : StmtNode(kKind), buffer(std::move(b)), value(std::move(v)), indices(std::move(idx)) {}
  const Buffer buffer;
  const Expr value;
  const std::vector<Expr> indices;
};

enum class ForKind : uint8_t { kSerial, kParallel, kVectorized, kUnrolled, kThreadBinding };
const char* for_kind_name(ForKind kind);  // "serial", "parallel", ...

struct ForNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kFor;
  ForNode(Var v, Expr mn, Expr ext, ForKind k, Stmt b, std::string tag, Annotations ann)
      : StmtNode(kKind),
        loop_var(std::move(v)),
        min(std::move(mn)),
        extent(std::move(ext)),
        for_kind(k),
        body(std::move(b)),
        thread_tag(std::move(tag)),
        annotations(std::move(ann)) {}
  const Var loop_var;
  const Expr min;
  const Expr extent;
  const ForKind for_kind;
  const Stmt body;
  // "blockIdx.x", "threadIdx.y", ... when for_kind is kThreadBinding.
  const std::string thread_tag;
  const Annotations annotations;
};

enum class IterKind : uint8_t { kSpatial, kReduction };

struct IterVar {
  Var var;
  Range dom;
  IterKind kind;
};

struct BlockNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kBlock;
  BlockNode() : StmtNode(kKind) {}
  std::string name;
  std::vector<IterVar> iter_vars;
  std::vector<BufferRegion> reads;
  std::vector<BufferRegion> writes;
  // Runs before the first reduction iteration; undefined when absent.
  Stmt init;
  // Buffers whose lifetime is this block.
  std::vector<Buffer> alloc_buffers;
  Annotations annotations;
  Stmt body;
};

// Blocks are built field by field and then frozen behind a shared pointer.
using Block = std::shared_ptr<const BlockNode>;

struct BlockRealizeNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kBlockRealize;
  BlockRealizeNode(std::vector<Expr> values, Expr pred, Block b)
      : StmtNode(kKind),
        iter_values(std::move(values)),
        predicate(std::move(pred)),
        block(std::move(b)) {}
  // One value per block iter var, in terms of the surrounding loop vars.
  const std::vector<Expr> iter_values;
  // The block runs only where this is true (bool; `true` when unconditional).
  const Expr predicate;
  const Block block;
};

struct SeqStmtNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kSeq;
  explicit SeqStmtNode(std::vector<Stmt> s) : StmtNode(kKind), seq(std::move(s)) {}
  const std::vector<Stmt> seq;
};

struct IfThenElseNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kIfThenElse;
  IfThenElseNode(Expr c, Stmt t, Stmt e)
      : StmtNode(kKind),
        condition(std::move(c)),
        then_case(std::move(t)),
        else_case(std::move(e)) {}
  const Expr condition;
  const Stmt then_case;
  const Stmt else_case;  // may be undefined
};

struct EvaluateNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kEvaluate;
  explicit EvaluateNode(Expr v) : StmtNode(kKind), value(std::move(v)) {}
  const Expr value;
};

struct LetStmtNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kLetStmt;
  LetStmtNode(Var v, Expr val, Stmt b)
      : StmtNode(kKind), var(std::move(v)), value(std::move(val)), body(std::move(b)) {}
  const Var var;
  const Expr value;
  const Stmt body;
};

struct AllocateNode : StmtNode {
  static constexpr StmtKind kKind = StmtKind::kAllocate;
  AllocateNode(Buffer b, Stmt bd) : StmtNode(kKind), buffer(std::move(b)), body(std::move(bd)) {}
  const Buffer buffer;
  const Stmt body;
};

// Constructors. They check what the node types cannot (arity, types) and
// throw std::invalid_argument with a readable message.
Stmt buffer_store(const Buffer& buffer, Expr value, std::vector<Expr> indices);
Stmt for_loop(Var var, Expr min, Expr extent, ForKind kind, Stmt body, std::string thread_tag = "",
              Annotations annotations = {});
Stmt block_realize(std::vector<Expr> iter_values, Expr predicate, Block block);
// Flattens nested sequences; a sequence of one is that statement.
Stmt seq(std::vector<Stmt> stmts);
Stmt if_then_else(Expr condition, Stmt then_case, Stmt else_case = Stmt());
Stmt evaluate(Expr value);
Stmt let_stmt(Var var, Expr value, Stmt body);
Stmt allocate(Buffer buffer, Stmt body);

// A copy of the block node, for building a changed block.
std::shared_ptr<BlockNode> copy_block(const BlockNode& block);

}  // namespace kiln::ir
