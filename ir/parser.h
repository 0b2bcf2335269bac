// Reading the text form of the IR (see ir/printer.h for what it looks like).
//
// parse_prim_func(to_script(f)) is structurally equal to f for every
// well-formed f (each variable bound once), and printing the result gives the
// same text again. The parser builds the nodes the text spells: `1 + 2` stays
// an Add. Where hand-written text mixes types it converts operands by the
// rules of ir/op.h (a constant takes the other side's type, the wider type
// wins), so the printed form then shows the conversion. It checks names,
// types and arities as it goes and throws ParseError on any malformed input:
// it never crashes, and it limits nesting so that no input can exhaust the
// stack.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "ir/function.h"

namespace kiln::ir {

class ParseError : public std::runtime_error {
 public:
  // `message` is the whole text: "line L, column C: <found>; expected <what>"
  // followed by the source line and a caret under the column.
  ParseError(int line, int column, const std::string& message)
      : std::runtime_error(message), line_(line), column_(column) {}
  // 1-based; the column counts bytes.
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  int line_;
  int column_;
};

PrimFunc parse_prim_func(const std::string& text);

// The names a standalone expression may use, looked up by their name hints
// (which must be distinct identifiers).
struct ScriptScope {
  std::vector<Var> vars;
  std::vector<Buffer> buffers;
};
Expr parse_expr(const std::string& text, const ScriptScope& scope = {});

}  // namespace kiln::ir
