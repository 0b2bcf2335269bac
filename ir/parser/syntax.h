// Pieces of the text form ("script") shared by the printer and the parser:
// which names are reserved, how literals are spelled, and how a range's
// upper bound encodes its extent.
#pragma once

#include <string>

#include "ir/expr.h"

namespace kiln::ir::script {

// True for names the script gives a meaning (keywords, dtype names,
// intrinsics, builtins such as `grid` or `select`); a variable or buffer can
// never be called that.
bool is_reserved(const std::string& name);
// [A-Za-z_][A-Za-z0-9_]*
bool is_identifier(const std::string& name);
// `hint` turned into an identifier (bad characters become '_'); `fallback`
// when nothing usable is left.
std::string sanitize_identifier(const std::string& hint, const char* fallback);

// Shortest text that reads back as exactly `value` ("1.0", "1e+20", "inf",
// "-nan"); always has a '.', an exponent, or is inf/nan, so it lexes as a float.
std::string format_float(double value);
// A double-quoted string literal with \" \\ \n \t \r and \xNN escapes; the
// result is printable ASCII.
std::string quote_string(const std::string& s);

// Exact equality of two expressions: variables and buffers by identity (a
// Let's variable is matched to the other side's). The parser uses it to
// recognise `lo:lo + extent` in the text it just read.
bool same_expr(const Expr& a, const Expr& b);

}  // namespace kiln::ir::script
