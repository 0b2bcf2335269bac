// The recursive-descent parser behind ir/parser.h. Internal: include
// ir/parser.h instead.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "ir/parser.h"
#include "ir/parser/lexer.h"

namespace kiln::ir::script {

// An expression with the depth of its tree, so that a long chain such as
// `a + a + ... + a` is refused before it grows deep enough to overflow the
// stack of whatever walks it next.
struct PExpr {
  Expr e;
  int depth = 1;
};

class Parser {
 public:
  // Nested constructs (statements, parentheses, unary operators).
  static constexpr int kMaxNesting = 200;
  // Depth of an expression tree.
  static constexpr int kMaxExprDepth = 400;

  explicit Parser(const std::string& text);
  PrimFunc function();
  Expr standalone_expr(const ScriptScope& scope);

 private:
  // ---------------------------------------------------------------- tokens
  const Token& peek(size_t k = 0) const;
  const Token& next();
  bool at(Tok kind, size_t k = 0) const;
  bool at_op(const char* op, size_t k = 0) const;
  bool at_name(const char* name, size_t k = 0) const;
  const Token& expect_op(const char* op, const std::string& expected);
  const Token& expect_name(const std::string& expected);
  const Token& expect_keyword(const char* keyword, const std::string& expected);
  const Token& expect_string(const std::string& expected);
  void expect_newline();
  // Is the statement here `a, b = <callee>...`?
  bool assigns(const char* callee) const;
  // "found <token>; expected <expected>" at `at`.
  [[noreturn]] void fail(const Token& at, const std::string& expected) const;
  // A whole message ("...; expected ...") at `at`.
  [[noreturn]] void fail_msg(const Token& at, const std::string& message) const;

  // Runs a node constructor; its std::invalid_argument becomes a ParseError.
  template <typename F>
  auto build(const Token& at, const std::string& expected, F&& f) -> decltype(f());

  struct Nest {
    Nest(Parser* p, const Token& at, int levels = 1);
    ~Nest() { p->depth_ -= levels; }
    Parser* p;
    int levels;
  };

  // ---------------------------------------------------------------- names
  struct Binding {
    Var var;
    Buffer buffer;
    // For loop variables: the loop's range (axis.remap reads it).
    Expr loop_min;
    Expr loop_extent;
  };
  void open_scope();
  void close_scope();
  void check_new_name(const Token& name);
  void define(const Token& name, Binding binding);
  const Binding* lookup(const std::string& name) const;

  // ---------------------------------------------------------------- expressions
  PExpr expr();
  PExpr or_expr();
  PExpr and_expr();
  PExpr not_expr();
  PExpr comparison();
  PExpr arith();
  PExpr term();
  PExpr unary();
  PExpr primary();
  PExpr name_expr();
  PExpr call_expr(const Token& callee);
  PExpr literal(bool negative);
  PExpr typed_constant(const Token& callee, DataType t);
  PExpr make_binary(ExprKind kind, PExpr a, PExpr b, const Token& at);
  // `e` as type `t`: constants convert (refusing values the type cannot
  // hold), scalars broadcast, anything else gets a Cast. Unlike cast() in
  // ir/op.h it never folds an out-of-range float into an integer.
  Expr convert(const Expr& e, DataType t, const Token& at);
  // Brings two operands to one type by the rules of ir/op.h.
  void match_types(PExpr& a, PExpr& b, const char* op, const Token& at);
  PExpr checked(PExpr e, const Token& at);
  // An expression of a scalar integer type (an index, an extent).
  Expr index_expr(const std::string& what);
  std::vector<PExpr> call_args(const Token& callee, size_t count);
  // `[i, j]` or `[()]` after a buffer name.
  std::vector<PExpr> subscript(const Token& buffer_name, const Buffer& buffer);
  int64_t int_value(const Token& t, bool negative) const;
  double float_value(const Token& t, bool negative) const;
  int lanes_literal(int min_lanes);
  DataType dtype_string(const std::string& what);
  // The extent of [*lo, hi); first brings *lo and hi to one type.
  Expr extent_from_bounds(Expr* lo, Expr hi, const Token& at);
  // `span(min, extent)`: a range given by its parts, types kept as written.
  Range span();

  // ---------------------------------------------------------------- statements
  Stmt statements();
  Stmt statement();
  Stmt suite(const std::string& what);
  Stmt for_stmt();
  Stmt if_stmt();
  Stmt with_stmt();
  Stmt store();
  Stmt flat_binding();
  Annotations annotations();
  // `((16, 16), "float32", scope="shared")` after alloc_buffer / allocate / Buffer.
  Buffer buffer_decl(const std::string& name, const Token& callee);
  const Buffer& buffer_named(const Token& name);

  // ---------------------------------------------------------------- blocks
  Stmt block_stmt();
  BufferRegion region();
  std::vector<BufferRegion> regions(const Token& field);
  bool paren_group_is_tuple() const;

  Source src_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::unordered_map<std::string, Binding> bindings_;
  std::vector<std::vector<std::string>> scopes_;
};

template <typename F>
auto Parser::build(const Token& at, const std::string& expected, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const ParseError&) {
    throw;
  } catch (const std::exception& e) {
    fail_msg(at, std::string(e.what()) + "; expected " + expected);
  }
}

}  // namespace kiln::ir::script
