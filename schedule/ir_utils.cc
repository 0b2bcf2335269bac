#include "schedule/ir_utils.h"

#include <functional>
#include <stdexcept>

#include "ir/stmt.h"

namespace kiln::sched {

using ir::Stmt;
using ir::StmtKind;

namespace {

// The statements directly below `s` (a block's init and body for a BlockRealize).
template <typename F>
void for_each_child(const Stmt& s, F&& f) {
  switch (s.kind()) {
    case StmtKind::kFor: f(s.as<ir::ForNode>()->body); break;
    case StmtKind::kBlockRealize: {
      const ir::BlockNode& b = *s.as<ir::BlockRealizeNode>()->block;
      if (b.init.defined()) f(b.init);
      f(b.body);
      break;
    }
    case StmtKind::kSeq:
      for (const Stmt& c : s.as<ir::SeqStmtNode>()->seq) f(c);
      break;
    case StmtKind::kIfThenElse: {
      const auto* n = s.as<ir::IfThenElseNode>();
      f(n->then_case);
      if (n->else_case.defined()) f(n->else_case);
      break;
    }
    case StmtKind::kLetStmt: f(s.as<ir::LetStmtNode>()->body); break;
    case StmtKind::kAllocate: f(s.as<ir::AllocateNode>()->body); break;
    default: break;
  }
}

// Depth-first search for the first statement satisfying `pred`; fills `path`
// (root to match) and returns true when found.
bool search(const Stmt& s, const std::function<bool(const Stmt&)>& pred, std::vector<Stmt>* path) {
  path->push_back(s);
  if (pred(s)) return true;
  bool found = false;
  for_each_child(s, [&](const Stmt& c) {
    if (!found) found = search(c, pred, path);
  });
  if (!found) path->pop_back();
  return found;
}

Stmt find(const ir::PrimFunc& func, const std::function<bool(const Stmt&)>& pred) {
  std::vector<Stmt> path;
  return search(func->body, pred, &path) ? path.back() : Stmt();
}

// `parent` with its child `old_child` replaced by `new_child`.
Stmt with_child(const Stmt& parent, const ir::StmtNode* old_child, const Stmt& new_child) {
  switch (parent.kind()) {
    case StmtKind::kFor: {
      const auto* f = parent.as<ir::ForNode>();
      return ir::for_loop(f->loop_var, f->min, f->extent, f->for_kind, new_child, f->thread_tag,
                          f->annotations);
    }
    case StmtKind::kBlockRealize: {
      const auto* r = parent.as<ir::BlockRealizeNode>();
      auto block = ir::copy_block(*r->block);
      if (block->init.get() == old_child)
        block->init = new_child;
      else
        block->body = new_child;
      return ir::block_realize(r->iter_values, r->predicate, std::move(block));
    }
    case StmtKind::kSeq: {
      std::vector<Stmt> seq;
      for (const Stmt& c : parent.as<ir::SeqStmtNode>()->seq) {
        if (c.get() != old_child)
          seq.push_back(c);
        else if (new_child.defined())
          seq.push_back(new_child);
      }
      return ir::seq(std::move(seq));
    }
    case StmtKind::kIfThenElse: {
      const auto* n = parent.as<ir::IfThenElseNode>();
      bool is_then = n->then_case.get() == old_child;
      return ir::if_then_else(n->condition, is_then ? new_child : n->then_case,
                              is_then ? n->else_case : new_child);
    }
    case StmtKind::kLetStmt: {
      const auto* n = parent.as<ir::LetStmtNode>();
      return ir::let_stmt(n->var, n->value, new_child);
    }
    case StmtKind::kAllocate: return ir::allocate(parent.as<ir::AllocateNode>()->buffer, new_child);
    default: throw std::logic_error("replace_stmt: statement has no children");
  }
}

}  // namespace

Stmt find_loop(const ir::PrimFunc& func, const ir::Var& loop_var) {
  return find(func, [&](const Stmt& s) {
    const auto* f = s.as<ir::ForNode>();
    return f && f->loop_var.same_as(loop_var);
  });
}

Stmt find_block(const ir::PrimFunc& func, const std::string& name) {
  return find(func, [&](const Stmt& s) {
    const auto* r = s.as<ir::BlockRealizeNode>();
    return r && r->block->name == name && s.get() != func->body.get();
  });
}

std::vector<Stmt> path_to(const ir::PrimFunc& func, const ir::StmtNode* target) {
  std::vector<Stmt> path;
  if (!search(
          func->body, [&](const Stmt& s) { return s.get() == target; }, &path))
    path.clear();
  return path;
}

std::vector<Stmt> enclosing_loops(const ir::PrimFunc& func, const ir::StmtNode* target) {
  std::vector<Stmt> path = path_to(func, target);
  std::vector<Stmt> loops;
  // Walk up from the parent of target to the nearest block.
  for (size_t i = path.size() > 0 ? path.size() - 1 : 0; i-- > 0;) {
    if (path[i].kind() == StmtKind::kBlockRealize) break;
    if (path[i].kind() == StmtKind::kFor) loops.insert(loops.begin(), path[i]);
  }
  return loops;
}

Stmt enclosing_block(const ir::PrimFunc& func, const ir::StmtNode* target) {
  std::vector<Stmt> path = path_to(func, target);
  for (size_t i = path.size() > 0 ? path.size() - 1 : 0; i-- > 0;)
    if (path[i].kind() == StmtKind::kBlockRealize) return path[i];
  return Stmt();
}

std::vector<Stmt> child_blocks(const Stmt& root) {
  std::vector<Stmt> out;
  std::function<void(const Stmt&)> walk = [&](const Stmt& s) {
    if (s.kind() == StmtKind::kBlockRealize && s.get() != root.get()) {
      out.push_back(s);
      return;
    }
    for_each_child(s, walk);
  };
  walk(root);
  return out;
}

std::vector<Stmt> all_blocks(const ir::PrimFunc& func) {
  std::vector<Stmt> out;
  std::function<void(const Stmt&)> walk = [&](const Stmt& s) {
    if (s.kind() == StmtKind::kBlockRealize && s.get() != func->body.get()) out.push_back(s);
    for_each_child(s, walk);
  };
  walk(func->body);
  return out;
}

ir::PrimFunc replace_stmt(const ir::PrimFunc& func, const ir::StmtNode* target,
                          const Stmt& replacement) {
  std::vector<Stmt> path = path_to(func, target);
  if (path.empty()) throw std::logic_error("replace_stmt: target is not in the function");
  Stmt current = replacement;
  for (size_t i = path.size() - 1; i > 0; --i)
    current = with_child(path[i - 1], path[i].get(), current);
  if (!current.defined()) throw std::logic_error("replace_stmt: cannot remove the function body");
  return ir::with_body(func, current);
}

}  // namespace kiln::sched
