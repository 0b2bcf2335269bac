// Statements: loops, conditionals, stores, lets, allocations, annotations.
#include <cmath>
#include <limits>

#include "ir/op.h"
#include "ir/parser/parser_impl.h"

namespace kiln::ir::script {

Stmt Parser::suite(const std::string& what) {
  if (!at(Tok::kNewline))
    fail(peek(), "a new line after ':' (" + what + " goes on the lines below)");
  next();
  if (!at(Tok::kIndent)) fail(peek(), "an indented block: " + what);
  next();
  Stmt body = statements();
  if (!at(Tok::kDedent)) fail(peek(), "the end of the indented block");
  next();
  return body;
}

Stmt Parser::statements() {
  std::vector<Stmt> items;
  while (!at(Tok::kDedent) && !at(Tok::kEnd)) {
    // `x = value` and `X = allocate(...)` bind for the rest of the list.
    if (at(Tok::kName) && at_op("=", 1) && !assigns("axis") && !assigns("alloc_buffer")) {
      items.push_back(flat_binding());
      break;
    }
    Stmt s = statement();
    if (s.defined()) items.push_back(std::move(s));
  }
  if (items.empty()) return Stmt();
  return seq(std::move(items));
}

Stmt Parser::flat_binding() {
  const Token& name = next();
  next();  // '='
  Nest nest(this, name);
  if (at_name("allocate") && at_op("(", 1)) {
    const Token& callee = next();
    Buffer buffer = buffer_decl(name.text, callee);
    expect_newline();
    open_scope();
    define(name, Binding{{}, buffer, {}, {}});
    Stmt body = statements();
    close_scope();
    return allocate(buffer, body);
  }
  PExpr value = expr();
  if (value.e.dtype().is_void()) fail_msg(name, "found a let of a void value; expected a value");
  expect_newline();
  open_scope();
  Var var(name.text, value.e.dtype());
  define(name, Binding{var, {}, {}, {}});
  Stmt body = statements();
  close_scope();
  return let_stmt(var, value.e, body);
}

Stmt Parser::statement() {
  const Token& t = peek();
  if (t.kind != Tok::kName) {
    if (t.kind == Tok::kIndent)
      fail_msg(t,
               "found an unexpected indent; expected the statement to line up with the one "
               "before it");
    fail(t, "a statement");
  }
  const std::string& k = t.text;
  if (k == "for") return for_stmt();
  if (k == "if") return if_stmt();
  if (k == "with") return with_stmt();
  if (k == "pass") {
    next();
    expect_newline();
    return Stmt();
  }
  if (k == "evaluate" && at_op("(", 1)) {
    next();
    next();
    PExpr v = expr();
    expect_op(")", "')' after evaluate(value)");
    expect_newline();
    return evaluate(v.e);
  }
  if (at_op("[", 1)) return store();
  if (k == "elif" || k == "else")
    fail_msg(t, "found '" + k + "' without an 'if' before it; expected a statement");
  if ((k == "where" || k == "reads" || k == "writes" || k == "block_attr") && at_op("(", 1))
    fail_msg(t, "found " + k +
                    "(...) among statements; expected block fields (axis, where, "
                    "alloc_buffer, reads, writes, block_attr, init) only at the start of a block, "
                    "before its first statement");
  if (k == "func_attr" && at_op("(", 1))
    fail_msg(t,
             "found func_attr(...) here; expected it only as the first line of the function body");
  if (assigns("axis"))
    fail_msg(t,
             "found an iter var declaration here; expected axis.* only at the start of a "
             "'with block(...)' body");
  if (assigns("alloc_buffer"))
    fail_msg(t,
             "found alloc_buffer(...) after a statement; expected allocations at the start of "
             "a block (or of the function), before its statements");
  fail(t, "a statement (for, if, with, evaluate(...), pass, a store 'A[i] = v' or a let 'x = v')");
}

Stmt Parser::store() {
  const Token& name = next();
  Buffer buffer = buffer_named(name);
  std::vector<PExpr> idx = subscript(name, buffer);
  const Token& eq = expect_op("=", "'=' after the store target " + name.text + "[...]");
  PExpr value = expr();
  expect_newline();
  // As buffer_store() in ir/op.h: the value converts to the element type,
  // with as many lanes as the indices or the value have.
  std::vector<Expr> es;
  int lanes = value.e.dtype().lanes();
  for (PExpr& i : idx) {
    if (!i.e.dtype().is_integer())
      fail_msg(eq, "found an index of type " + i.e.dtype().str() + " in the store to " + name.text +
                       "; expected integer indices");
    lanes = std::max(lanes, i.e.dtype().lanes());
    es.push_back(i.e);
  }
  Expr v = convert(value.e, buffer->dtype.with_lanes(lanes), eq);
  return Stmt(std::make_shared<BufferStoreNode>(buffer, v, std::move(es)));
}

const Buffer& Parser::buffer_named(const Token& name) {
  const Binding* b = lookup(name.text);
  if (!b)
    fail_msg(name, "found unknown buffer '" + name.text.substr(0, 40) +
                       "'; expected a parameter or a buffer allocated in an enclosing block");
  if (!b->buffer.defined())
    fail_msg(name, "found variable '" + name.text + "' used as a buffer; expected a buffer name");
  return b->buffer;
}

Stmt Parser::for_stmt() {
  const Token& kw = next();
  Nest nest(this, kw);
  std::vector<const Token*> targets{&expect_name("a loop variable name after 'for'")};
  while (at_op(",")) {
    next();
    targets.push_back(&expect_name("a loop variable name"));
  }
  expect_keyword("in", "'in' after the loop variables");
  const Token& callee =
      expect_name("grid, range, serial, parallel, vectorized, unroll or thread_binding");
  const std::string& c = callee.text;
  std::vector<Expr> mins, extents;
  ForKind kind = ForKind::kSerial;
  std::string thread;
  Annotations ann;
  if (c == "grid") {
    expect_op("(", "'(' after grid");
    while (!at_op(")")) {
      if (!extents.empty()) expect_op(",", "',' or ')' in grid(...)");
      if (at_op(")")) break;
      extents.push_back(index_expr("a loop extent"));
    }
    next();
    if (extents.size() != targets.size())
      fail_msg(callee, "found grid of " + std::to_string(extents.size()) + " extents for " +
                           std::to_string(targets.size()) + " loop variables; expected one each");
    for (const Expr& e : extents) mins.push_back(int_imm(e.dtype(), 0));
  } else {
    if (c == "range" || c == "serial")
      kind = ForKind::kSerial;
    else if (c == "parallel")
      kind = ForKind::kParallel;
    else if (c == "vectorized")
      kind = ForKind::kVectorized;
    else if (c == "unroll")
      kind = ForKind::kUnrolled;
    else if (c == "thread_binding")
      kind = ForKind::kThreadBinding;
    else
      fail_msg(callee, "found '" + c.substr(0, 40) +
                           "'; expected grid, range, serial, parallel, vectorized, unroll or "
                           "thread_binding");
    if (targets.size() != 1)
      fail_msg(callee, "found " + std::to_string(targets.size()) + " loop variables for " + c +
                           "(...); expected one (use grid(...) for several)");
    expect_op("(", "'(' after " + c);
    std::vector<std::pair<Expr, const Token*>> pos;
    bool has_thread = false, has_ann = false;
    while (!at_op(")")) {
      if (!pos.empty() || has_thread || has_ann) expect_op(",", "',' or ')' in " + c + "(...)");
      if (at_op(")")) break;
      if (at(Tok::kName) && at_op("=", 1)) {
        const Token& key = next();
        next();
        if (key.text == "thread" && !has_thread) {
          thread = expect_string("a thread tag string (\"threadIdx.x\")").text;
          has_thread = true;
        } else if (key.text == "annotations" && !has_ann) {
          ann = annotations();
          has_ann = true;
        } else {
          fail_msg(key, "found keyword '" + key.text.substr(0, 40) +
                            "'; expected thread= or annotations=, each at most once");
        }
        continue;
      }
      if (has_thread || has_ann) fail(peek(), "keyword arguments after the bounds");
      if (pos.size() == 2)
        fail(peek(), "at most two bounds: " + c + "(extent) or " + c + "(start, stop)");
      const Token& at_bound = peek();
      pos.emplace_back(index_expr("a loop bound"), &at_bound);
    }
    next();
    if (pos.empty())
      fail_msg(callee, "found " + c + "() without bounds; expected " + c + "(extent) or " + c +
                           "(start, stop)");
    if (kind == ForKind::kThreadBinding && !has_thread)
      fail_msg(callee,
               "found thread_binding without a thread; expected thread=\"threadIdx.x\" or similar");
    if (pos.size() == 1) {
      extents.push_back(pos[0].first);
      mins.push_back(int_imm(pos[0].first.dtype(), 0));
    } else {
      Expr ext = extent_from_bounds(&pos[0].first, pos[1].first, *pos[1].second);
      if (!ext.dtype().is_integer() || !ext.dtype().is_scalar())
        fail_msg(*pos[1].second,
                 "found loop bounds of type " + ext.dtype().str() + "; expected integers");
      mins.push_back(pos[0].first);
      extents.push_back(ext);
    }
  }
  expect_op(":", "':' after the loop header");
  // Each grid variable is one more loop of nesting.
  Nest grid_nest(this, kw, static_cast<int>(targets.size()) - 1);
  open_scope();
  std::vector<Var> vars;
  for (size_t i = 0; i < targets.size(); ++i) {
    // The variable takes the extent's type; the start converts to it (as
    // for_loop() would), before axis.remap can see it.
    mins[i] = convert(mins[i], extents[i].dtype(), kw);
    vars.emplace_back(targets[i]->text, extents[i].dtype());
    define(*targets[i], Binding{vars.back(), {}, mins[i], extents[i]});
  }
  Stmt body = suite("the loop body");
  close_scope();
  if (!body.defined())
    fail_msg(kw, "found a loop whose body is only 'pass'; expected at least one statement");
  for (size_t i = targets.size(); i-- > 0;) {
    bool last = i + 1 == targets.size();
    body = build(kw, "a well-formed loop", [&] {
      return for_loop(vars[i], mins[i], extents[i], last ? kind : ForKind::kSerial, body,
                      last ? thread : "", last ? ann : Annotations{});
    });
  }
  return body;
}

Stmt Parser::if_stmt() {
  const Token& kw = next();  // 'if' or 'elif'
  Nest nest(this, kw);
  const Token& at_cond = peek();
  PExpr cond = expr();
  if (cond.e.dtype() != DataType::Bool())
    fail_msg(at_cond, "found a condition of type " + cond.e.dtype().str() + "; expected a bool");
  expect_op(":", "':' after the condition");
  Stmt then_case = suite("the statements run when the condition holds");
  Stmt else_case;
  if (at_name("elif")) {
    else_case = if_stmt();
  } else if (at_name("else")) {
    next();
    expect_op(":", "':' after else");
    else_case = suite("the statements run otherwise");
  }
  return if_then_else(cond.e, then_case, else_case);
}

Stmt Parser::with_stmt() {
  const Token& kw = next();
  if (at_name("block")) return block_stmt();
  Nest nest(this, kw);
  if (at_name("let") && at_op("(", 1)) {
    next();
    next();
    PExpr value = expr();
    if (value.e.dtype().is_void()) fail_msg(kw, "found a let of a void value; expected a value");
    expect_op(")", "')' after the value of let(...)");
    expect_keyword("as", "'as' and a name after let(...)");
    const Token& name = expect_name("the name the let binds");
    expect_op(":", "':' after the with header");
    open_scope();
    Var var(name.text, value.e.dtype());
    define(name, Binding{var, {}, {}, {}});
    Stmt body = suite("the statements that see " + name.text);
    close_scope();
    return let_stmt(var, value.e, body);
  }
  if (at_name("allocate") && at_op("(", 1)) {
    const Token& callee = next();
    // The name comes after `as`: read the declaration first, name it after.
    Buffer unnamed = buffer_decl("", callee);
    expect_keyword("as", "'as' and a name after allocate(...)");
    const Token& name = expect_name("the name of the allocated buffer");
    expect_op(":", "':' after the with header");
    Buffer buffer = with_name(unnamed, name.text);
    open_scope();
    define(name, Binding{{}, buffer, {}, {}});
    Stmt body = suite("the statements that use " + name.text);
    close_scope();
    return allocate(buffer, body);
  }
  if (at_name("init"))
    fail_msg(peek(),
             "found 'with init()' outside the fields of a block; expected it right after a "
             "block's axis/reads/writes lines, before the block's statements");
  fail(peek(), "block(...), let(...), allocate(...) after 'with'");
}

Buffer Parser::buffer_decl(const std::string& name, const Token& callee) {
  expect_op("(", "'(' after " + callee.text);
  std::vector<Expr> shape;
  const char* close = nullptr;
  if (at_op("("))
    close = ")";
  else if (at_op("["))
    close = "]";
  else
    fail(peek(), "a shape: a tuple (16, 16) or a list [16, 16]");
  next();
  while (!at_op(close)) {
    if (!shape.empty()) expect_op(",", std::string("',' or '") + close + "' in the shape");
    if (at_op(close)) break;
    shape.push_back(index_expr("a buffer extent"));
  }
  next();
  expect_op(",", "',' and the element type after the shape");
  DataType dtype = dtype_string("the buffer's elements");
  std::string scope = "global";
  if (at_op(",")) {
    next();
    expect_keyword("scope", "scope=\"...\" or ')'");
    expect_op("=", "'=' after scope");
    scope = expect_string("a storage scope string (\"global\", \"shared\", \"local\")").text;
  }
  expect_op(")", "')' after the buffer declaration");
  return make_buffer(name, dtype, std::move(shape), scope);
}

Annotations Parser::annotations() {
  expect_op("{", "'{' to start the annotations");
  Annotations out;
  while (!at_op("}")) {
    if (!out.empty()) {
      expect_op(",", "',' or '}' in the annotations");
      if (at_op("}")) break;
    }
    const Token& key = expect_string("a string key");
    if (out.count(key.text)) fail_msg(key, "found a key given twice; expected distinct keys");
    expect_op(":", "':' after the key");
    AnnotationValue value;
    bool negative = false;
    if (at_op("-")) {
      next();
      negative = true;
    }
    const Token& v = peek();
    if (at(Tok::kInt)) {
      next();
      value = int_value(v, negative);
    } else if (at(Tok::kFloat) || at_name("inf") || at_name("nan")) {
      next();
      double d = float_value(v, negative);
      // Annotations compare with ==, under which NaN never equals itself.
      if (std::isnan(d)) fail_msg(v, "found nan as an annotation value; expected a number");
      value = d;
    } else if (!negative && at(Tok::kString)) {
      value = next().text;
    } else if (!negative && at_op("[")) {
      next();
      std::vector<int64_t> list;
      while (!at_op("]")) {
        if (!list.empty()) {
          expect_op(",", "',' or ']' in the list");
          if (at_op("]")) break;
        }
        bool neg = false;
        if (at_op("-")) {
          next();
          neg = true;
        }
        if (!at(Tok::kInt)) fail(peek(), "an integer in the list");
        list.push_back(int_value(next(), neg));
      }
      next();
      value = std::move(list);
    } else {
      fail(v, "an annotation value: an integer, a number, a string or a list of integers");
    }
    out.emplace(key.text, std::move(value));
  }
  next();
  return out;
}

}  // namespace kiln::ir::script
