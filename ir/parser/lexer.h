// Tokens of the script text: Python-like, with indentation turned into
// INDENT/DEDENT tokens and lines joined inside brackets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::ir::script {

enum class Tok : uint8_t { kName, kInt, kFloat, kString, kOp, kNewline, kIndent, kDedent, kEnd };

struct Token {
  Tok kind;
  // The spelling; for a string literal, its decoded value.
  std::string text;
  int line;
  int col;  // 1-based, in bytes
};

// The text being parsed, for error messages that quote it.
class Source {
 public:
  explicit Source(std::string text);
  const std::string& text() const { return text_; }
  // Throws ParseError: "line L, column C: <message>", then the source line
  // and a caret under the column.
  [[noreturn]] void fail(int line, int col, const std::string& message) const;

 private:
  std::string line_text(int line) const;
  std::string text_;
  std::vector<size_t> line_starts_;
};

// Throws ParseError on a character that starts no token, a bad string or
// number, unbalanced brackets or an inconsistent dedent.
std::vector<Token> lex(const Source& src);

// "name 'foo'", "')'", "a new line", "the end of the input"...
std::string describe(const Token& t);

}  // namespace kiln::ir::script
