// Token access, errors, nesting limits and name scopes of the parser.
#include "ir/parser/parser_impl.h"
#include "ir/parser/syntax.h"

namespace kiln::ir::script {

Parser::Parser(const std::string& text) : src_(text), toks_(lex(src_)) {}

const Token& Parser::peek(size_t k) const {
  size_t i = pos_ + k;
  return i < toks_.size() ? toks_[i] : toks_.back();
}

const Token& Parser::next() {
  const Token& t = peek();
  if (pos_ + 1 < toks_.size()) ++pos_;
  return t;
}

bool Parser::at(Tok kind, size_t k) const { return peek(k).kind == kind; }

bool Parser::at_op(const char* op, size_t k) const {
  const Token& t = peek(k);
  return t.kind == Tok::kOp && t.text == op;
}

bool Parser::at_name(const char* name, size_t k) const {
  const Token& t = peek(k);
  return t.kind == Tok::kName && t.text == name;
}

const Token& Parser::expect_op(const char* op, const std::string& expected) {
  if (!at_op(op)) fail(peek(), expected);
  return next();
}

const Token& Parser::expect_name(const std::string& expected) {
  if (!at(Tok::kName)) fail(peek(), expected);
  return next();
}

const Token& Parser::expect_keyword(const char* keyword, const std::string& expected) {
  if (!at_name(keyword)) fail(peek(), expected);
  return next();
}

const Token& Parser::expect_string(const std::string& expected) {
  if (!at(Tok::kString)) fail(peek(), expected);
  return next();
}

void Parser::expect_newline() {
  if (!at(Tok::kNewline)) fail(peek(), "the end of the line");
  next();
}

bool Parser::assigns(const char* callee) const {
  size_t k = 0;
  while (true) {
    if (!at(Tok::kName, k)) return false;
    ++k;
    if (!at_op(",", k)) break;
    ++k;
  }
  return at_op("=", k) && at_name(callee, k + 1);
}

void Parser::fail(const Token& at, const std::string& expected) const {
  fail_msg(at, "found " + describe(at) + "; expected " + expected);
}

void Parser::fail_msg(const Token& at, const std::string& message) const {
  src_.fail(at.line, at.col, message);
}

Parser::Nest::Nest(Parser* parser, const Token& at, int n) : p(parser), levels(n) {
  if (p->depth_ + levels > kMaxNesting)
    p->fail_msg(at, "found constructs nested more than " + std::to_string(kMaxNesting) +
                        " deep; expected shallower nesting");
  p->depth_ += levels;
}

void Parser::open_scope() { scopes_.emplace_back(); }

void Parser::close_scope() {
  for (const std::string& name : scopes_.back()) bindings_.erase(name);
  scopes_.pop_back();
}

void Parser::check_new_name(const Token& name) {
  if (is_reserved(name.text))
    fail_msg(name, "found '" + name.text +
                       "', a reserved word, as a name; expected a name that is not a keyword, "
                       "type, intrinsic or builtin");
  if (bindings_.count(name.text))
    fail_msg(name, "found '" + name.text +
                       "' defined a second time; expected a name not already in scope "
                       "(names are never reused while visible)");
}

void Parser::define(const Token& name, Binding binding) {
  check_new_name(name);
  bindings_.emplace(name.text, std::move(binding));
  scopes_.back().push_back(name.text);
}

const Parser::Binding* Parser::lookup(const std::string& name) const {
  auto it = bindings_.find(name);
  return it == bindings_.end() ? nullptr : &it->second;
}

}  // namespace kiln::ir::script
