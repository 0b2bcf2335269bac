#include "ir/parser.h"

#include "ir/parser/parser_impl.h"
#include "ir/parser/syntax.h"

namespace kiln::ir {

namespace script {

PrimFunc Parser::function() {
  expect_op("@", "'@kiln.prim_func' to start the function");
  expect_keyword("kiln", "'kiln' in @kiln.prim_func");
  expect_op(".", "'.' in @kiln.prim_func");
  expect_keyword("prim_func", "'prim_func' in @kiln.prim_func");
  bool implicit_root = true;
  if (at_op("(")) {
    next();
    expect_keyword("implicit_root", "implicit_root=False or ')'");
    expect_op("=", "'=' after implicit_root");
    if (at_name("True") || at_name("False"))
      implicit_root = next().text == "True";
    else
      fail(peek(), "True or False");
    expect_op(")", "')' after the decorator's arguments");
  }
  expect_newline();
  expect_keyword("def", "'def' on the line after the decorator");
  const Token& fname = expect_name("the function's name");
  expect_op("(", "'(' and the function's parameters");
  open_scope();
  std::vector<Buffer> params;
  while (!at_op(")")) {
    if (!params.empty()) {
      expect_op(",", "',' or ')' after a parameter");
      if (at_op(")")) break;
    }
    const Token& name = expect_name("a parameter name");
    expect_op(":", "':' and Buffer(...) after parameter " + name.text);
    const Token& callee = expect_keyword("Buffer", "Buffer(shape, dtype) as the parameter's type");
    Buffer b = buffer_decl(name.text, callee);
    define(name, Binding{{}, b, {}, {}});
    params.push_back(b);
  }
  next();
  expect_op(":", "':' after the parameters");
  expect_newline();
  if (!at(Tok::kIndent)) fail(peek(), "the function body, indented");
  next();
  Annotations attrs;
  if (at_name("func_attr") && at_op("(", 1)) {
    next();
    next();
    attrs = annotations();
    expect_op(")", "')' after the function attributes");
    expect_newline();
  }
  std::vector<Buffer> allocs;
  if (implicit_root) {
    while (assigns("alloc_buffer")) {
      const Token& name = next();
      if (at_op(",")) fail(peek(), "'=' (alloc_buffer declares one buffer)");
      next();
      const Token& callee = next();
      Buffer b = buffer_decl(name.text, callee);
      expect_newline();
      define(name, Binding{{}, b, {}, {}});
      allocs.push_back(b);
    }
  }
  Stmt body = statements();
  if (!at(Tok::kDedent)) fail(peek(), "the end of the function body");
  next();
  close_scope();
  if (!at(Tok::kEnd)) fail(peek(), "the end of the input after the function");
  if (implicit_root) {
    body = make_root_block(body, std::move(allocs));
  } else if (!body.defined()) {
    fail_msg(fname, "found a function whose body is only 'pass'; expected a statement");
  }
  return make_prim_func(fname.text, std::move(params), body, std::move(attrs));
}

Expr Parser::standalone_expr(const ScriptScope& scope) {
  open_scope();
  auto add = [&](const std::string& name, Binding b) {
    if (!is_identifier(name) || is_reserved(name) || bindings_.count(name))
      throw std::invalid_argument("parse_expr: scope name '" + name +
                                  "' is not a distinct, unreserved identifier");
    bindings_.emplace(name, std::move(b));
    scopes_.back().push_back(name);
  };
  for (const Var& v : scope.vars) add(v->name, Binding{v, {}, {}, {}});
  for (const Buffer& b : scope.buffers) add(b->name, Binding{{}, b, {}, {}});
  if (at(Tok::kIndent)) next();
  PExpr e = expr();
  if (!at(Tok::kNewline)) fail(peek(), "the end of the expression");
  next();
  while (at(Tok::kDedent)) next();
  if (!at(Tok::kEnd)) fail(peek(), "the end of the input after the expression");
  close_scope();
  return e.e;
}

}  // namespace script

PrimFunc parse_prim_func(const std::string& text) { return script::Parser(text).function(); }

Expr parse_expr(const std::string& text, const ScriptScope& scope) {
  return script::Parser(text).standalone_expr(scope);
}

}  // namespace kiln::ir
