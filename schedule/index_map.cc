#include "schedule/index_map.h"

#include <cctype>
#include <stdexcept>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/substitute.h"

namespace kiln::sched {

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// Splits `text` at the commas outside brackets; a trailing empty piece (the
// comma of a one-element tuple) is dropped.
std::vector<std::string> split_top_level(const std::string& text) {
  std::vector<std::string> parts;
  int depth = 0;
  std::string current;
  for (char c : text) {
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(trim(current));
  if (parts.size() > 1 && parts.back().empty()) parts.pop_back();
  return parts;
}

// True when the parenthesis opening `text` closes at its last character.
bool wrapped_in_parens(const std::string& text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return false;
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth == 0) return i + 1 == text.size();
  }
  return false;
}

}  // namespace

std::string IndexMap::to_string() const {
  std::string s = "lambda";
  for (size_t i = 0; i < inputs.size(); ++i) s += (i ? ", " : " ") + inputs[i].name();
  s += ": (";
  for (size_t i = 0; i < outputs.size(); ++i) s += (i ? ", " : "") + ir::to_script(outputs[i]);
  return s + (outputs.size() == 1 ? ",)" : ")");
}

IndexMap IndexMap::parse(const std::string& text) {
  auto fail = [&](const std::string& why) -> IndexMap {
    throw std::invalid_argument("index map \"" + text + "\": " + why);
  };
  std::string t = trim(text);
  if (t.rfind("lambda", 0) != 0) return fail("expected `lambda <indices>: (<new indices>)`");
  size_t colon = t.find(':');
  if (colon == std::string::npos) return fail("missing `:` after the lambda's parameters");
  IndexMap map;
  ir::ScriptScope scope;
  std::string params = trim(t.substr(6, colon - 6));
  if (!params.empty()) {
    for (const std::string& name : split_top_level(params)) {
      if (!is_identifier(name)) return fail("parameter `" + name + "` is not a name");
      for (const ir::Var& v : map.inputs)
        if (v.name() == name) return fail("parameter `" + name + "` is given twice");
      map.inputs.emplace_back(name);
    }
  }
  scope.vars = map.inputs;
  std::string body = trim(t.substr(colon + 1));
  std::vector<std::string> pieces;
  if (wrapped_in_parens(body)) {
    std::string inner = trim(body.substr(1, body.size() - 2));
    std::vector<std::string> parts = split_top_level(inner);
    // `(e)` is a parenthesized expression, `(e,)` and `(a, b)` are tuples.
    bool tuple = parts.size() > 1 || inner.empty() || inner.back() == ',';
    if (tuple && !inner.empty())
      pieces = parts;
    else if (!tuple)
      pieces = {body};
  } else {
    pieces = {body};
  }
  for (const std::string& piece : pieces) {
    try {
      map.outputs.push_back(ir::parse_expr(piece, scope));
    } catch (const ir::ParseError& e) {
      return fail(std::string("cannot read `") + piece + "`: " + e.what());
    }
  }
  return map;
}

std::vector<ir::Expr> IndexMap::apply(const std::vector<ir::Expr>& values) const {
  if (values.size() != inputs.size())
    throw std::invalid_argument("index map takes " + std::to_string(inputs.size()) +
                                " indices, got " + std::to_string(values.size()));
  ir::VarMap map;
  for (size_t i = 0; i < inputs.size(); ++i) map[inputs[i]] = values[i];
  std::vector<ir::Expr> out;
  out.reserve(outputs.size());
  for (const ir::Expr& e : outputs) out.push_back(ir::substitute(e, map));
  return out;
}

}  // namespace kiln::sched
