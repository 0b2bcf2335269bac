#include "ir/stmt.h"

#include <stdexcept>

#include "ir/op.h"

namespace kiln::ir {

const char* for_kind_name(ForKind kind) {
  switch (kind) {
    case ForKind::kSerial: return "serial";
    case ForKind::kParallel: return "parallel";
    case ForKind::kVectorized: return "vectorized";
    case ForKind::kUnrolled: return "unroll";
    case ForKind::kThreadBinding: return "thread_binding";
  }
  return "?";
}

Stmt buffer_store(const Buffer& buffer, Expr value, std::vector<Expr> indices) {
  if (!buffer.defined() || !value.defined())
    throw std::invalid_argument("buffer_store: undefined buffer or value");
  if (indices.size() != buffer->shape.size())
    throw std::invalid_argument("store to " + buffer->name + " with " +
                                std::to_string(indices.size()) + " indices, but the buffer has " +
                                std::to_string(buffer->shape.size()) + " dimensions");
  int lanes = 1;
  for (const Expr& i : indices) {
    if (!i.defined() || !i.dtype().is_integer())
      throw std::invalid_argument("index into " + buffer->name + " is not an integer");
    lanes = std::max(lanes, i.dtype().lanes());
  }
  // A store converts its value to the buffer's element type, as an
  // assignment to a typed array does.
  DataType want = buffer->dtype.with_lanes(std::max(lanes, value.dtype().lanes()));
  if (value.dtype() != want) value = cast(want, value);
  return Stmt(std::make_shared<BufferStoreNode>(buffer, std::move(value), std::move(indices)));
}

Stmt for_loop(Var var, Expr min, Expr extent, ForKind kind, Stmt body, std::string thread_tag,
              Annotations annotations) {
  if (!var.defined() || !min.defined() || !extent.defined() || !body.defined())
    throw std::invalid_argument("for_loop: undefined part");
  if (kind == ForKind::kThreadBinding && thread_tag.empty())
    throw std::invalid_argument("for_loop: a thread-bound loop needs a thread tag");
  if (min.dtype() != var.dtype()) min = cast(var.dtype(), min);
  if (extent.dtype() != var.dtype()) extent = cast(var.dtype(), extent);
  return Stmt(std::make_shared<ForNode>(std::move(var), std::move(min), std::move(extent), kind,
                                        std::move(body), std::move(thread_tag),
                                        std::move(annotations)));
}

Stmt block_realize(std::vector<Expr> iter_values, Expr predicate, Block block) {
  if (!block) throw std::invalid_argument("block_realize: undefined block");
  if (iter_values.size() != block->iter_vars.size())
    throw std::invalid_argument("block " + block->name + " has " +
                                std::to_string(block->iter_vars.size()) + " iter vars but " +
                                std::to_string(iter_values.size()) + " bindings");
  if (!predicate.defined()) predicate = int_imm(DataType::Bool(), 1);
  for (size_t i = 0; i < iter_values.size(); ++i) {
    DataType t = block->iter_vars[i].var.dtype();
    if (iter_values[i].dtype() != t) iter_values[i] = cast(t, iter_values[i]);
  }
  return Stmt(std::make_shared<BlockRealizeNode>(std::move(iter_values), std::move(predicate),
                                                 std::move(block)));
}

Stmt seq(std::vector<Stmt> stmts) {
  std::vector<Stmt> flat;
  flat.reserve(stmts.size());
  for (Stmt& s : stmts) {
    if (!s.defined()) continue;
    if (const auto* inner = s.as<SeqStmtNode>()) {
      flat.insert(flat.end(), inner->seq.begin(), inner->seq.end());
    } else {
      flat.push_back(std::move(s));
    }
  }
  if (flat.size() == 1) return flat[0];
  if (flat.empty()) throw std::invalid_argument("seq: empty statement list");
  return Stmt(std::make_shared<SeqStmtNode>(std::move(flat)));
}

Stmt if_then_else(Expr condition, Stmt then_case, Stmt else_case) {
  if (!condition.defined() || !condition.dtype().is_bool())
    throw std::invalid_argument("if_then_else needs a boolean condition");
  return Stmt(std::make_shared<IfThenElseNode>(std::move(condition), std::move(then_case),
                                               std::move(else_case)));
}

Stmt evaluate(Expr value) { return Stmt(std::make_shared<EvaluateNode>(std::move(value))); }

Stmt let_stmt(Var var, Expr value, Stmt body) {
  if (var.dtype() != value.dtype())
    throw std::invalid_argument("let binds " + var.name() + " of type " + var.dtype().str() +
                                " to a " + value.dtype().str());
  return Stmt(std::make_shared<LetStmtNode>(std::move(var), std::move(value), std::move(body)));
}

Stmt allocate(Buffer buffer, Stmt body) {
  return Stmt(std::make_shared<AllocateNode>(std::move(buffer), std::move(body)));
}

std::shared_ptr<BlockNode> copy_block(const BlockNode& block) {
  return std::make_shared<BlockNode>(block);
}

}  // namespace kiln::ir
