// Blocks: `with block("name"):` followed by its fields (iter vars, where,
// alloc_buffer, reads, writes, block_attr, init) and then its statements.
#include "ir/op.h"
#include "ir/parser/parser_impl.h"

namespace kiln::ir::script {

bool Parser::paren_group_is_tuple() const {
  // At '(': is there a ',' at the top level before the matching ')'? The
  // lexer has checked that brackets balance.
  int depth = 0;
  for (size_t k = 0;; ++k) {
    const Token& t = peek(k);
    if (t.kind == Tok::kEnd) return false;
    if (t.kind != Tok::kOp) continue;
    if (t.text == "(" || t.text == "[" || t.text == "{") {
      ++depth;
    } else if (t.text == ")" || t.text == "]" || t.text == "}") {
      if (--depth == 0) return false;
    } else if (t.text == "," && depth == 1) {
      return true;
    }
  }
}

BufferRegion Parser::region() {
  const Token& name = expect_name("a buffer region such as A[vi, 0:128]");
  BufferRegion r{buffer_named(name), {}};
  const Token& open = expect_op("[", "'[' after buffer " + name.text);
  if (at_op("(") && at_op(")", 1)) {
    next();
    next();
  } else {
    while (true) {
      if (at_name("span") && at_op("(", 1)) {
        r.region.push_back(span());
      } else {
        Expr lo = index_expr("a region bound");
        if (at_op(":")) {
          const Token& colon = next();
          Expr hi = index_expr("a region bound");
          Expr ext = extent_from_bounds(&lo, hi, colon);
          r.region.push_back(Range{lo, ext});
        } else {
          r.region.push_back(Range{lo, int_imm(lo.dtype(), 1)});
        }
      }
      if (!at_op(",")) break;
      next();
    }
  }
  expect_op("]", "',' or ']' in the region of " + name.text);
  if (r.region.size() != r.buffer->shape.size())
    fail_msg(open, "found " + std::to_string(r.region.size()) + " ranges for " + name.text +
                       "; expected " + std::to_string(r.buffer->shape.size()) +
                       ", one per dimension" +
                       (r.buffer->shape.empty() ? " (write " + name.text + "[()])" : ""));
  return r;
}

std::vector<BufferRegion> Parser::regions(const Token& field) {
  expect_op("(", "'(' after " + field.text);
  std::vector<BufferRegion> out;
  while (!at_op(")")) {
    if (!out.empty()) {
      expect_op(",", "',' or ')' in " + field.text + "(...)");
      if (at_op(")")) break;
    }
    out.push_back(region());
  }
  next();
  expect_newline();
  return out;
}

Stmt Parser::block_stmt() {
  const Token& kw = next();  // 'block'
  Nest nest(this, kw);
  expect_op("(", "'(' after block");
  const Token& name = expect_string("the block's name as a string: block(\"C\")");
  bool realize = true;
  if (at_op(",")) {
    next();
    expect_keyword("realize", "realize=False or ')'");
    expect_op("=", "'=' after realize");
    if (at_name("True") || at_name("False"))
      realize = next().text == "True";
    else
      fail(peek(), "True or False");
  }
  expect_op(")", "')' after the block's name");
  expect_op(":", "':' after the block header");
  if (!at(Tok::kNewline))
    fail(peek(), "a new line after ':' (the block's fields and statements go below)");
  next();
  if (!at(Tok::kIndent)) fail(peek(), "an indented block body");
  next();

  // Iter vars and the predicate: their bindings, domains and condition are
  // read in the enclosing scope, before any iter var is visible.
  std::vector<const Token*> iter_names;
  std::vector<IterVar> iter_vars;
  std::vector<Expr> bindings;
  Expr predicate;
  while (true) {
    if (assigns("axis")) {
      std::vector<const Token*> targets{&next()};
      while (at_op(",")) {
        next();
        targets.push_back(&next());
      }
      next();  // '='
      next();  // 'axis'
      expect_op(".", "'.' after axis");
      const Token& method = expect_name("spatial, reduce or remap after axis.");
      if (method.text == "remap") {
        if (!realize)
          fail_msg(method,
                   "found axis.remap in a block with realize=False; expected "
                   "axis.spatial(extent) or axis.reduce(extent) without bindings");
        expect_op("(", "'(' after axis.remap");
        const Token& kinds = expect_string("the iter kinds as a string, \"SSR\"");
        expect_op(",", "',' and a list of loop variables");
        expect_op("[", "'[' and the loop variables bound to the iter vars");
        std::vector<const Token*> loops;
        while (!at_op("]")) {
          if (!loops.empty()) expect_op(",", "',' or ']' in the loop variable list");
          loops.push_back(&expect_name("a loop variable"));
        }
        next();
        expect_op(")", "')' after axis.remap(...)");
        if (kinds.text.size() != targets.size() || loops.size() != targets.size())
          fail_msg(kinds, "found " + std::to_string(targets.size()) + " names, " +
                              std::to_string(kinds.text.size()) + " kinds and " +
                              std::to_string(loops.size()) +
                              " loop variables in axis.remap; expected as many of each");
        for (size_t i = 0; i < targets.size(); ++i) {
          char k = kinds.text[i];
          if (k != 'S' && k != 'R')
            fail_msg(kinds, "found iter kind '" + std::string(1, k) +
                                "' in axis.remap; expected S (spatial) or R (reduce)");
          const Binding* b = lookup(loops[i]->text);
          if (!b || !b->loop_extent.defined())
            fail_msg(*loops[i], "found '" + loops[i]->text.substr(0, 40) +
                                    "', which is not a loop variable in scope; expected the "
                                    "variable of an enclosing for loop");
          iter_names.push_back(targets[i]);
          iter_vars.push_back(IterVar{Var(targets[i]->text, b->var.dtype()),
                                      Range{b->loop_min, b->loop_extent},
                                      k == 'S' ? IterKind::kSpatial : IterKind::kReduction});
          bindings.push_back(b->var);
        }
      } else if (method.text == "spatial" || method.text == "reduce") {
        if (targets.size() != 1)
          fail_msg(*targets[1], "found several names for one axis." + method.text +
                                    "; expected one (or use axis.remap)");
        expect_op("(", "'(' after axis." + method.text);
        Range dom;
        if (at_op("(") && paren_group_is_tuple()) {
          next();
          Expr lo = index_expr("a domain bound");
          const Token& comma = expect_op(",", "',' between the domain bounds");
          Expr hi = index_expr("a domain bound");
          expect_op(")", "')' after the domain (min, max)");
          Expr ext = extent_from_bounds(&lo, hi, comma);
          dom = Range{lo, ext};
        } else if (at_name("span") && at_op("(", 1)) {
          dom = span();
        } else {
          Expr ext = index_expr("a domain extent");
          dom = Range{int_imm(ext.dtype(), 0), ext};
        }
        Expr binding;
        if (realize) {
          expect_op(",", "',' and the value bound to the iter var");
          binding = expr().e;
        }
        DataType dt = dom.extent.dtype();
        if (at_op(",")) {
          next();
          expect_keyword("dtype", "dtype=\"int64\" or ')'");
          expect_op("=", "'=' after dtype");
          const Token& at_dt = peek();
          dt = dtype_string("the iter var");
          if (!dt.is_integer() || !dt.is_scalar())
            fail_msg(at_dt, "found iter var type " + dt.str() + "; expected a scalar integer type");
        }
        expect_op(")", "')' after axis." + method.text + "(...)");
        iter_names.push_back(targets[0]);
        iter_vars.push_back(
            IterVar{Var(targets[0]->text, dt), dom,
                    method.text == "spatial" ? IterKind::kSpatial : IterKind::kReduction});
        bindings.push_back(binding);
      } else {
        fail_msg(method, "found axis." + method.text.substr(0, 40) +
                             "; expected axis.spatial, axis.reduce or axis.remap");
      }
      expect_newline();
    } else if (at_name("where") && at_op("(", 1)) {
      const Token& w = next();
      if (!realize)
        fail_msg(w, "found where(...) in a block with realize=False; expected no predicate");
      if (predicate.defined()) fail_msg(w, "found a second where(...); expected one predicate");
      next();
      predicate = expr().e;
      expect_op(")", "')' after the predicate");
      expect_newline();
    } else {
      break;
    }
  }

  open_scope();
  for (size_t i = 0; i < iter_vars.size(); ++i)
    define(*iter_names[i], Binding{iter_vars[i].var, {}, {}, {}});

  auto node = std::make_shared<BlockNode>();
  node->name = name.text;
  node->iter_vars = std::move(iter_vars);
  bool has_reads = false, has_writes = false, has_attr = false;
  while (true) {
    if (assigns("alloc_buffer")) {
      const Token& buf_name = next();
      if (at_op(",")) fail(peek(), "'=' (alloc_buffer declares one buffer)");
      next();  // '='
      const Token& callee = next();
      Buffer b = buffer_decl(buf_name.text, callee);
      expect_newline();
      define(buf_name, Binding{{}, b, {}, {}});
      node->alloc_buffers.push_back(b);
    } else if ((at_name("reads") || at_name("writes")) && at_op("(", 1)) {
      const Token& field = next();
      bool is_reads = field.text == "reads";
      bool& seen = is_reads ? has_reads : has_writes;
      if (seen) fail_msg(field, "found a second " + field.text + "(...); expected one per block");
      seen = true;
      (is_reads ? node->reads : node->writes) = regions(field);
    } else if (at_name("block_attr") && at_op("(", 1)) {
      const Token& field = next();
      if (has_attr) fail_msg(field, "found a second block_attr(...); expected one per block");
      has_attr = true;
      next();
      node->annotations = annotations();
      expect_op(")", "')' after the annotations");
      expect_newline();
    } else if (at_name("with") && at_name("init", 1)) {
      next();
      const Token& init = next();
      if (node->init.defined()) fail_msg(init, "found a second init(); expected one per block");
      expect_op("(", "'(' after init");
      expect_op(")", "')': init() takes no arguments");
      expect_op(":", "':' after init()");
      node->init = suite("the block's initialization");
      if (!node->init.defined())
        fail_msg(init, "found an init() with only 'pass'; expected statements (or no init)");
    } else if (assigns("axis") || (at_name("where") && at_op("(", 1))) {
      fail_msg(peek(),
               "found an iter var or where(...) after other block fields; expected axis.* "
               "and where(...) first in a block");
    } else {
      break;
    }
  }
  node->body = statements();
  if (!at(Tok::kDedent)) fail(peek(), "the end of the block");
  next();
  close_scope();
  if (!realize) return Stmt(std::shared_ptr<const BlockNode>(std::move(node)));
  // Bindings convert to their iter var's type, as block_realize() would.
  for (size_t i = 0; i < bindings.size(); ++i)
    bindings[i] = convert(bindings[i], node->iter_vars[i].var.dtype(), *iter_names[i]);
  return build(kw, "bindings of the iter vars' types",
               [&] { return block_realize(std::move(bindings), predicate, std::move(node)); });
}

}  // namespace kiln::ir::script
