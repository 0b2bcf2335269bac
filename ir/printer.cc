#include "ir/printer.h"

#include <climits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/functor.h"
#include "ir/parser/syntax.h"

namespace kiln::ir {

namespace {

using script::format_float;
using script::quote_string;

// Operator precedence, as Python's (higher binds tighter).
enum Prec : int {
  kPrecOr = 1,
  kPrecAnd,
  kPrecNot,
  kPrecCompare,
  kPrecAdd,
  kPrecMul,
  kPrecUnary,  // a negative literal
  kPrecAtom,
};

int binary_prec(ExprKind kind) {
  switch (kind) {
    case ExprKind::kOr: return kPrecOr;
    case ExprKind::kAnd: return kPrecAnd;
    case ExprKind::kAdd:
    case ExprKind::kSub: return kPrecAdd;
    case ExprKind::kMul:
    case ExprKind::kDiv:
    case ExprKind::kFloorDiv:
    case ExprKind::kFloorMod: return kPrecMul;
    default: return kPrecCompare;
  }
}

bool is_true_const(const Expr& e) {
  const auto* imm = e.as<IntImmNode>();
  return imm && imm->dtype == DataType::Bool() && imm->value == 1;
}

bool is_zero_of(const Expr& e, DataType t) {
  const auto* imm = e.as<IntImmNode>();
  return imm && imm->value == 0 && imm->dtype == t;
}

std::string int_text(DataType t, int64_t v) {
  if (t == DataType::Bool()) return v ? "True" : "False";
  if (t == DataType::Int(32) && v >= INT32_MIN && v <= INT32_MAX) return std::to_string(v);
  return t.str() + "(" + std::to_string(v) + ")";
}

std::string float_text(DataType t, double v) {
  if (t == DataType::Float(32)) return format_float(v);
  return t.str() + "(" + format_float(v) + ")";
}

std::string annotation_text(const Annotations& annotations) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : annotations) {
    if (!first) out += ", ";
    first = false;
    out += quote_string(key) + ": ";
    if (const auto* i = std::get_if<int64_t>(&value)) {
      out += std::to_string(*i);
    } else if (const auto* d = std::get_if<double>(&value)) {
      out += format_float(*d);
    } else if (const auto* s = std::get_if<std::string>(&value)) {
      out += quote_string(*s);
    } else {
      out += "[";
      const auto& list = std::get<std::vector<int64_t>>(value);
      for (size_t k = 0; k < list.size(); ++k) out += (k ? ", " : "") + std::to_string(list[k]);
      out += "]";
    }
  }
  return out + "}";
}

// Collects the variables and buffers used but never defined in what is
// printed, so their names can be fixed before any scoped name is handed out.
class FreeFinder : public IRVisitor {
 public:
  void define_buffer(const Buffer& b) {
    defined_.insert(b.get());
    for (const Expr& e : b->shape) visit(e);
  }
  // In order of first use.
  std::vector<const VarNode*> free_vars() const {
    std::vector<const VarNode*> out;
    for (const VarNode* v : used_vars_)
      if (!defined_.count(v)) out.push_back(v);
    return out;
  }
  std::vector<const BufferNode*> free_buffers() const {
    std::vector<const BufferNode*> out;
    for (const BufferNode* b : used_buffers_)
      if (!defined_.count(b)) out.push_back(b);
    return out;
  }

 protected:
  void visit_var(const VarNode* op) override {
    if (seen_.insert(op).second) used_vars_.push_back(op);
  }
  void visit_buffer_load(const BufferLoadNode* op) override {
    use(op->buffer);
    IRVisitor::visit_buffer_load(op);
  }
  void visit_buffer_store(const BufferStoreNode* op) override {
    use(op->buffer);
    IRVisitor::visit_buffer_store(op);
  }
  void visit_buffer_region(const BufferRegion& region) override {
    use(region.buffer);
    IRVisitor::visit_buffer_region(region);
  }
  void visit_for(const ForNode* op) override {
    defined_.insert(op->loop_var.get());
    IRVisitor::visit_for(op);
  }
  void visit_let(const LetNode* op) override {
    defined_.insert(op->var.get());
    IRVisitor::visit_let(op);
  }
  void visit_let_stmt(const LetStmtNode* op) override {
    defined_.insert(op->var.get());
    IRVisitor::visit_let_stmt(op);
  }
  void visit_block(const BlockNode* op) override {
    for (const IterVar& iv : op->iter_vars) defined_.insert(iv.var.get());
    for (const Buffer& b : op->alloc_buffers) define_buffer(b);
    IRVisitor::visit_block(op);
  }
  void visit_allocate(const AllocateNode* op) override {
    define_buffer(op->buffer);
    IRVisitor::visit_allocate(op);
  }

 private:
  void use(const Buffer& b) {
    if (!b.defined() || !seen_.insert(b.get()).second) return;
    used_buffers_.push_back(b.get());
    for (const Expr& e : b->shape) visit(e);
  }
  std::unordered_set<const void*> seen_, defined_;
  std::vector<const VarNode*> used_vars_;
  std::vector<const BufferNode*> used_buffers_;
};

// Does `e` mention any of `vars`?
bool uses_any(const Expr& e, const std::unordered_set<const VarNode*>& vars) {
  struct Finder : IRVisitor {
    const std::unordered_set<const VarNode*>* vars;
    bool found = false;
    void visit_var(const VarNode* op) override { found |= vars->count(op) > 0; }
  } finder;
  finder.vars = &vars;
  finder.visit(e);
  return finder.found;
}

class ScriptPrinter {
 public:
  ScriptPrinter() { scopes_.emplace_back(); }

  // Names the free variables and buffers of what `finder` saw, for good.
  void name_free(const FreeFinder& finder) {
    for (const VarNode* v : finder.free_vars()) bind(v, v->name, "v");
    for (const BufferNode* b : finder.free_buffers()) bind(b, b->name, "buf");
  }

  std::string take() { return std::move(out_); }

  void function(const PrimFuncNode& f) {
    const BlockNode* root = implicit_root(f.body);
    line(root ? "@kiln.prim_func" : "@kiln.prim_func(implicit_root=False)");
    open_scope();
    std::string params;
    for (size_t i = 0; i < f.params.size(); ++i) {
      const Buffer& b = f.params[i];
      std::string decl = buffer_decl("Buffer", b);
      params += (i ? ", " : "") + bind(b.get(), b->name, "buf") + ": " + decl;
    }
    std::string fname = script::sanitize_identifier(f.name, "func");
    if (script::is_reserved(fname)) fname += "_";
    line("def " + fname + "(" + params + "):");
    ++indent_;
    if (!f.attrs.empty()) line("func_attr(" + annotation_text(f.attrs) + ")");
    if (root) {
      open_scope();
      alloc_buffers(root->alloc_buffers);
      body(root->body);
      close_scope();
    } else {
      body(f.body);
    }
    --indent_;
    close_scope();
  }

  // Prints `s` as a statement list: a Seq's items one after another.
  void body(const Stmt& s) {
    if (!s.defined()) return line("pass");
    const auto* q = s.as<SeqStmtNode>();
    if (q && q->seq.empty()) return line("pass");
    items(s, true);
  }

  void bare_block(const BlockNode& b) { block(nullptr, b); }

  std::string expr(const Expr& e, int min_prec = 0) {
    auto [text, prec] = expr_prec(e);
    return prec < min_prec ? "(" + text + ")" : text;
  }

 private:
  // ------------------------------------------------------------ naming

  std::string bind(const void* node, const std::string& hint, const char* fallback,
                   bool permanent = false) {
    std::string base = script::sanitize_identifier(hint, fallback);
    std::string name = base;
    for (int k = 1; script::is_reserved(name) || taken_[name] > 0; ++k)
      name = base + "_" + std::to_string(k);
    ++taken_[name];
    names_[node].push_back(name);
    (permanent ? scopes_.front() : scopes_.back()).push_back(node);
    return name;
  }
  void open_scope() { scopes_.emplace_back(); }
  void close_scope() {
    for (const void* node : scopes_.back()) {
      --taken_[names_[node].back()];
      names_[node].pop_back();
    }
    scopes_.pop_back();
  }
  std::string name_of(const void* node, const std::string& hint, const char* fallback) {
    auto it = names_.find(node);
    if (it != names_.end() && !it->second.empty()) return it->second.back();
    // Used outside the scope that defines it (the program is ill-formed):
    // name it for good so the text at least shows the mistake.
    return bind(node, hint, fallback, /*permanent=*/true);
  }
  std::string var_name(const Var& v) { return name_of(v.get(), v->name, "v"); }
  std::string buffer_name(const Buffer& b) {
    if (!b.defined()) return "None";
    return name_of(b.get(), b->name, "buf");
  }

  // ------------------------------------------------------------ helpers

  void line(const std::string& text) {
    out_.append(static_cast<size_t>(indent_) * 4, ' ');
    out_ += text;
    out_ += '\n';
  }

  // The root block printed implicitly: nothing to say but its allocations.
  static const BlockNode* implicit_root(const Stmt& body) {
    const auto* r = body.as<BlockRealizeNode>();
    if (!r || !r->iter_values.empty() || !is_true_const(r->predicate)) return nullptr;
    const BlockNode& b = *r->block;
    if (b.name != "root" || !b.iter_vars.empty() || !b.reads.empty() || !b.writes.empty() ||
        b.init.defined() || !b.annotations.empty())
      return nullptr;
    return &b;
  }

  std::string expr_list(const std::vector<Expr>& es) {
    std::string out;
    for (size_t i = 0; i < es.size(); ++i) out += (i ? ", " : "") + expr(es[i]);
    return out;
  }

  std::string indices(const std::vector<Expr>& idx) {
    return idx.empty() ? "[()]" : "[" + expr_list(idx) + "]";
  }

  std::string shape_tuple(const std::vector<Expr>& shape) {
    if (shape.size() == 1) return "(" + expr(shape[0]) + ",)";
    return "(" + expr_list(shape) + ")";
  }

  // `Buffer((16, 16), "float32", scope="shared")`; printed before the buffer's
  // own name is bound.
  std::string buffer_decl(const char* callee, const Buffer& b) {
    std::string out =
        std::string(callee) + "(" + shape_tuple(b->shape) + ", " + quote_string(b->dtype.str());
    if (b->scope != "global") out += ", scope=" + quote_string(b->scope);
    return out + ")";
  }

  void alloc_buffers(const std::vector<Buffer>& buffers) {
    for (const Buffer& b : buffers) {
      std::string decl = buffer_decl("alloc_buffer", b);
      line(bind(b.get(), b->name, "buf") + " = " + decl);
    }
  }

  // The text of `lo + extent` such that the parser recovers `extent` exactly
  // (see extent_from_bounds in the parser).
  std::string upper_bound(const Expr& lo, const Expr& extent) {
    if (is_zero_of(lo, extent.dtype())) return expr(extent);
    const auto* a = lo.as<IntImmNode>();
    const auto* b = extent.as<IntImmNode>();
    int64_t sum;
    if (a && b && a->dtype == b->dtype && a->dtype.is_integer() &&
        !__builtin_add_overflow(a->value, b->value, &sum))
      return int_text(a->dtype, sum);
    return expr(lo, kPrecAdd) + " + " + expr(extent, kPrecAdd + 1);
  }

  // `128` when the range starts at zero, else `lo, hi`.
  std::string range_args(const Expr& min, const Expr& extent) {
    if (is_zero_of(min, extent.dtype())) return expr(extent);
    return expr(min) + ", " + upper_bound(min, extent);
  }

  // `lo:hi` and `(lo, hi)` give min and extent one type; other ranges print
  // their parts as `span(min, extent)`.
  static bool canonical(const Range& r) {
    return r.min.defined() && r.extent.defined() && r.min.dtype() == r.extent.dtype();
  }
  std::string span(const Range& r) { return "span(" + expr(r.min) + ", " + expr(r.extent) + ")"; }

  std::string region_text(const BufferRegion& r) {
    if (r.region.empty()) return buffer_name(r.buffer) + "[()]";
    std::string out = buffer_name(r.buffer) + "[";
    for (size_t i = 0; i < r.region.size(); ++i) {
      const Range& rg = r.region[i];
      if (i) out += ", ";
      const auto* ext = rg.extent.as<IntImmNode>();
      if (!canonical(rg)) {
        out += span(rg);
      } else if (ext && ext->value == 1) {
        out += expr(rg.min);
      } else {
        out += expr(rg.min) + ":" + upper_bound(rg.min, rg.extent);
      }
    }
    return out + "]";
  }

  std::string regions(const std::vector<BufferRegion>& rs) {
    std::string out;
    for (size_t i = 0; i < rs.size(); ++i) out += (i ? ", " : "") + region_text(rs[i]);
    return out;
  }

  // ------------------------------------------------------------ statements

  void items(const Stmt& s, bool tail) {
    if (const auto* q = s.as<SeqStmtNode>()) {
      for (size_t i = 0; i < q->seq.size(); ++i) items(q->seq[i], tail && i + 1 == q->seq.size());
      return;
    }
    statement(s, tail);
  }

  void suite(const Stmt& s) {
    ++indent_;
    body(s);
    --indent_;
  }

  void statement(const Stmt& s, bool tail) {
    if (!s.defined()) return line("pass");
    switch (s.kind()) {
      case StmtKind::kBufferStore: {
        const auto* op = s.as<BufferStoreNode>();
        return line(buffer_name(op->buffer) + indices(op->indices) + " = " + expr(op->value));
      }
      case StmtKind::kFor: return for_loop(s.as<ForNode>());
      case StmtKind::kBlock: return block(nullptr, *s.as<BlockNode>());
      case StmtKind::kBlockRealize: {
        const auto* op = s.as<BlockRealizeNode>();
        return block(op, *op->block);
      }
      case StmtKind::kSeq: return items(s, tail);
      case StmtKind::kIfThenElse: return if_chain(s.as<IfThenElseNode>(), "if ");
      case StmtKind::kEvaluate: return line("evaluate(" + expr(s.as<EvaluateNode>()->value) + ")");
      case StmtKind::kLetStmt: {
        // A trailing let binds for the rest of the list and prints flat;
        // elsewhere its scope needs a `with`.
        const auto* op = s.as<LetStmtNode>();
        std::string value = expr(op->value);
        open_scope();
        std::string name = bind(op->var.get(), op->var->name, "v");
        if (tail) {
          line(name + " = " + value);
          body(op->body);
        } else {
          line("with let(" + value + ") as " + name + ":");
          suite(op->body);
        }
        return close_scope();
      }
      case StmtKind::kAllocate: {
        const auto* op = s.as<AllocateNode>();
        std::string decl = buffer_decl("allocate", op->buffer);
        open_scope();
        std::string name = bind(op->buffer.get(), op->buffer->name, "buf");
        if (tail) {
          line(name + " = " + decl);
          body(op->body);
        } else {
          line("with " + decl + " as " + name + ":");
          suite(op->body);
        }
        return close_scope();
      }
    }
  }

  void if_chain(const IfThenElseNode* op, const char* keyword) {
    line(keyword + expr(op->condition) + ":");
    suite(op->then_case);
    if (!op->else_case.defined()) return;
    if (const auto* elif = op->else_case.as<IfThenElseNode>()) return if_chain(elif, "elif ");
    line("else:");
    suite(op->else_case);
  }

  // Loops that can join a `grid(...)`: serial from zero, nothing attached.
  static bool plain_serial(const ForNode* op) {
    return op->for_kind == ForKind::kSerial && op->thread_tag.empty() && op->annotations.empty() &&
           is_zero_of(op->min, op->extent.dtype());
  }

  void for_loop(const ForNode* op) {
    std::vector<const ForNode*> chain{op};
    if (plain_serial(op)) {
      std::unordered_set<const VarNode*> vars{op->loop_var.get()};
      while (const auto* inner = chain.back()->body.as<ForNode>()) {
        if (!plain_serial(inner) || uses_any(inner->extent, vars)) break;
        chain.push_back(inner);
        vars.insert(inner->loop_var.get());
      }
    }
    std::string head;
    if (chain.size() >= 2) {
      std::string extents;
      for (size_t i = 0; i < chain.size(); ++i) extents += (i ? ", " : "") + expr(chain[i]->extent);
      head = " in grid(" + extents + "):";
    } else {
      const char* callee = "range";
      switch (op->for_kind) {
        case ForKind::kSerial: callee = op->annotations.empty() ? "range" : "serial"; break;
        case ForKind::kParallel: callee = "parallel"; break;
        case ForKind::kVectorized: callee = "vectorized"; break;
        case ForKind::kUnrolled: callee = "unroll"; break;
        case ForKind::kThreadBinding: callee = "thread_binding"; break;
      }
      std::string args = range_args(op->min, op->extent);
      if (!op->thread_tag.empty() || op->for_kind == ForKind::kThreadBinding)
        args += ", thread=" + quote_string(op->thread_tag);
      if (!op->annotations.empty()) args += ", annotations=" + annotation_text(op->annotations);
      head = std::string(" in ") + callee + "(" + args + "):";
    }
    open_scope();
    std::string names;
    std::vector<std::pair<const VarNode*, const ForNode*>> saved;
    for (size_t i = 0; i < chain.size(); ++i) {
      const Var& v = chain[i]->loop_var;
      names += (i ? ", " : "") + bind(v.get(), v->name, "v");
      auto it = loops_.find(v.get());
      saved.emplace_back(v.get(), it == loops_.end() ? nullptr : it->second);
      loops_[v.get()] = chain[i];
    }
    line("for " + names + head);
    suite(chain.back()->body);
    for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
      if (it->second)
        loops_[it->first] = it->second;
      else
        loops_.erase(it->first);
    }
    close_scope();
  }

  // All bindings are loop variables whose loops cover exactly the domain.
  bool remappable(const BlockRealizeNode* realize, const BlockNode& b) {
    if (!realize || b.iter_vars.empty() || realize->iter_values.size() != b.iter_vars.size())
      return false;
    for (size_t i = 0; i < b.iter_vars.size(); ++i) {
      const auto* v = realize->iter_values[i].as<VarNode>();
      auto it = v ? loops_.find(v) : loops_.end();
      if (it == loops_.end()) return false;
      const IterVar& iv = b.iter_vars[i];
      if (iv.var.dtype() != v->dtype || !script::same_expr(iv.dom.min, it->second->min) ||
          !script::same_expr(iv.dom.extent, it->second->extent))
        return false;
    }
    return true;
  }

  void block(const BlockRealizeNode* realize, const BlockNode& b) {
    line("with block(" + quote_string(b.name) + (realize ? "" : ", realize=False") + "):");
    ++indent_;
    // Bindings, domains and the predicate live in the enclosing scope.
    bool remap = remappable(realize, b);
    std::vector<std::string> decls;
    for (size_t i = 0; i < b.iter_vars.size(); ++i) {
      const IterVar& iv = b.iter_vars[i];
      std::string binding;
      if (realize && i < realize->iter_values.size()) binding = expr(realize->iter_values[i]);
      if (remap) {
        decls.push_back(binding);
        continue;
      }
      std::string dom;
      if (!canonical(iv.dom)) {
        dom = span(iv.dom);
      } else if (is_zero_of(iv.dom.min, iv.dom.extent.dtype())) {
        dom = expr(iv.dom.extent);
      } else {
        dom = "(" + expr(iv.dom.min) + ", " + upper_bound(iv.dom.min, iv.dom.extent) + ")";
      }
      std::string text =
          std::string(iv.kind == IterKind::kSpatial ? "axis.spatial(" : "axis.reduce(") + dom;
      if (realize) text += ", " + binding;
      if (iv.dom.extent.defined() && iv.var.dtype() != iv.dom.extent.dtype())
        text += ", dtype=" + quote_string(iv.var.dtype().str());
      decls.push_back(text + ")");
    }
    std::string predicate;
    if (realize && !is_true_const(realize->predicate)) predicate = expr(realize->predicate);

    open_scope();
    std::vector<std::string> names;
    for (const IterVar& iv : b.iter_vars) names.push_back(bind(iv.var.get(), iv.var->name, "v"));
    if (remap) {
      std::string targets, kinds, loops;
      for (size_t i = 0; i < names.size(); ++i) {
        targets += (i ? ", " : "") + names[i];
        kinds += b.iter_vars[i].kind == IterKind::kSpatial ? 'S' : 'R';
        loops += (i ? ", " : "") + decls[i];
      }
      line(targets + " = axis.remap(\"" + kinds + "\", [" + loops + "])");
    } else {
      for (size_t i = 0; i < names.size(); ++i) line(names[i] + " = " + decls[i]);
    }
    if (!predicate.empty()) line("where(" + predicate + ")");
    alloc_buffers(b.alloc_buffers);
    if (!b.reads.empty()) line("reads(" + regions(b.reads) + ")");
    if (!b.writes.empty()) line("writes(" + regions(b.writes) + ")");
    if (!b.annotations.empty()) line("block_attr(" + annotation_text(b.annotations) + ")");
    if (b.init.defined()) {
      line("with init():");
      suite(b.init);
    }
    body(b.body);
    close_scope();
    --indent_;
  }

  // ------------------------------------------------------------ expressions

  std::pair<std::string, int> expr_prec(const Expr& e) {
    if (!e.defined()) return {"None", kPrecAtom};
    switch (e.kind()) {
      case ExprKind::kIntImm: {
        std::string s = int_text(e.dtype(), e.as<IntImmNode>()->value);
        return {s, s[0] == '-' ? kPrecUnary : kPrecAtom};
      }
      case ExprKind::kFloatImm: {
        std::string s = float_text(e.dtype(), e.as<FloatImmNode>()->value);
        return {s, s[0] == '-' ? kPrecUnary : kPrecAtom};
      }
      case ExprKind::kVar: return {var_name(Var::from_expr(e)), kPrecAtom};
      case ExprKind::kNot: return {"not " + expr(e.as<NotNode>()->a, kPrecNot), kPrecNot};
      case ExprKind::kSelect: {
        const auto* op = e.as<SelectNode>();
        return {"select(" + expr(op->condition) + ", " + expr(op->true_value) + ", " +
                    expr(op->false_value) + ")",
                kPrecAtom};
      }
      case ExprKind::kCast:
        return {
            "cast(" + quote_string(e.dtype().str()) + ", " + expr(e.as<CastNode>()->value) + ")",
            kPrecAtom};
      case ExprKind::kBufferLoad: {
        const auto* op = e.as<BufferLoadNode>();
        return {buffer_name(op->buffer) + indices(op->indices), kPrecAtom};
      }
      case ExprKind::kCall: {
        const auto* op = e.as<CallNode>();
        return {std::string(intrinsic_name(op->op)) + "(" + expr_list(op->args) + ")", kPrecAtom};
      }
      case ExprKind::kRamp: {
        const auto* op = e.as<RampNode>();
        return {"ramp(" + expr(op->base) + ", " + expr(op->stride) + ", " +
                    std::to_string(op->lanes) + ")",
                kPrecAtom};
      }
      case ExprKind::kBroadcast: {
        const auto* op = e.as<BroadcastNode>();
        return {"broadcast(" + expr(op->value) + ", " + std::to_string(op->lanes) + ")", kPrecAtom};
      }
      case ExprKind::kLet: {
        const auto* op = e.as<LetNode>();
        std::string value = expr(op->value);
        open_scope();
        std::string name = bind(op->var.get(), op->var->name, "v");
        std::string body = expr(op->body);
        close_scope();
        return {"let(" + name + " := " + value + ", " + body + ")", kPrecAtom};
      }
      default: break;
    }
    const auto* op = e.as<BinaryNode>();
    if (e.kind() == ExprKind::kMin || e.kind() == ExprKind::kMax)
      return {std::string(binary_op_name(e.kind())) + "(" + expr(op->a) + ", " + expr(op->b) + ")",
              kPrecAtom};
    int p = binary_prec(e.kind());
    // Left-associative; comparisons do not chain, so both sides bind tighter.
    int left = p == kPrecCompare ? p + 1 : p;
    return {expr(op->a, left) + " " + binary_op_name(e.kind()) + " " + expr(op->b, p + 1), p};
  }

  std::string out_;
  int indent_ = 0;
  std::unordered_map<const void*, std::vector<std::string>> names_;
  std::unordered_map<std::string, int> taken_;
  std::vector<std::vector<const void*>> scopes_;
  std::unordered_map<const VarNode*, const ForNode*> loops_;
};

}  // namespace

std::string to_script(const PrimFunc& func) {
  if (!func) return "None\n";
  FreeFinder finder;
  for (const Buffer& b : func->params) finder.define_buffer(b);
  finder.visit(func->body);
  ScriptPrinter p;
  p.name_free(finder);
  p.function(*func);
  return p.take();
}

std::string to_script(const Stmt& stmt) {
  FreeFinder finder;
  finder.visit(stmt);
  ScriptPrinter p;
  p.name_free(finder);
  p.body(stmt);
  return p.take();
}

std::string to_script(const Block& block) {
  if (!block) return "None\n";
  Stmt s(block);
  FreeFinder finder;
  finder.visit(s);
  ScriptPrinter p;
  p.name_free(finder);
  p.bare_block(*block);
  return p.take();
}

std::string to_script(const Expr& expr) {
  FreeFinder finder;
  finder.visit(expr);
  ScriptPrinter p;
  p.name_free(finder);
  return p.expr(expr);
}

}  // namespace kiln::ir
