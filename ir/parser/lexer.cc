#include "ir/parser/lexer.h"

#include "ir/parser.h"

namespace kiln::ir::script {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

std::string byte_text(unsigned char c) {
  static const char* kHex = "0123456789abcdef";
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  return std::string("byte 0x") + kHex[c >> 4] + kHex[c & 15];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Lexer {
 public:
  explicit Lexer(const Source& src) : src_(src), s_(src.text()) {}

  std::vector<Token> run() {
    while (true) {
      if (at_line_start_ && brackets_.empty()) {
        if (!start_line()) break;
      }
      if (i_ >= s_.size()) break;
      char c = s_[i_];
      if (c == '\n') {
        if (brackets_.empty()) {
          push(Tok::kNewline, "", col());
          at_line_start_ = true;
        }
        new_line();
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        ++i_;
        continue;
      }
      if (c == '#') {
        skip_comment();
        continue;
      }
      if (is_name_start(c)) {
        name();
      } else if (is_digit(c) || (c == '.' && i_ + 1 < s_.size() && is_digit(s_[i_ + 1]))) {
        number();
      } else if (c == '"' || c == '\'') {
        string();
      } else {
        op();
      }
    }
    if (!brackets_.empty()) {
      const Open& o = brackets_.back();
      src_.fail(o.line, o.col,
                std::string("found an unclosed '") + o.c + "'; expected a matching '" +
                    closer(o.c) + "' before the end of the input");
    }
    if (!at_line_start_) push(Tok::kNewline, "", col());
    while (indents_.size() > 1) {
      indents_.pop_back();
      push(Tok::kDedent, "", col());
    }
    push(Tok::kEnd, "", col());
    return std::move(out_);
  }

 private:
  struct Open {
    char c;
    int line;
    int col;
  };

  static char closer(char open) { return open == '(' ? ')' : open == '[' ? ']' : '}'; }

  int col() const { return static_cast<int>(i_ - line_start_) + 1; }
  void push(Tok kind, std::string text, int col) {
    out_.push_back(Token{kind, std::move(text), line_, col});
  }
  void new_line() {
    ++i_;
    ++line_;
    line_start_ = i_;
  }
  void skip_comment() {
    while (i_ < s_.size() && s_[i_] != '\n') ++i_;
  }

  // Measures the indentation of the next non-blank line and emits
  // INDENT/DEDENT; returns false at the end of the input.
  bool start_line() {
    while (true) {
      int width = 0;
      while (i_ < s_.size() &&
             (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\f')) {
        if (s_[i_] == '\t')
          src_.fail(line_, col(), "found a tab in the indentation; expected spaces only");
        if (s_[i_] == ' ') ++width;
        ++i_;
      }
      if (i_ >= s_.size()) return false;
      if (s_[i_] == '#') skip_comment();
      if (i_ >= s_.size()) return false;
      if (s_[i_] == '\n') {
        new_line();
        continue;
      }
      if (width > indents_.back()) {
        indents_.push_back(width);
        push(Tok::kIndent, "", col());
      } else {
        while (width < indents_.back()) {
          indents_.pop_back();
          if (width > indents_.back())
            src_.fail(line_, col(),
                      "found an unindent to column " + std::to_string(width + 1) +
                          " that matches no outer indentation level; expected column " +
                          std::to_string(indents_.back() + 1) + " or an enclosing level");
          push(Tok::kDedent, "", col());
        }
      }
      at_line_start_ = false;
      return true;
    }
  }

  void name() {
    size_t j = i_;
    while (j < s_.size() && is_name_char(s_[j])) ++j;
    push(Tok::kName, s_.substr(i_, j - i_), col());
    i_ = j;
  }

  void number() {
    int c0 = col();
    size_t j = i_;
    bool is_float = false;
    while (j < s_.size() && is_digit(s_[j])) ++j;
    if (j < s_.size() && s_[j] == '.') {
      is_float = true;
      ++j;
      while (j < s_.size() && is_digit(s_[j])) ++j;
    }
    if (j < s_.size() && (s_[j] == 'e' || s_[j] == 'E')) {
      size_t k = j + 1;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
      if (k >= s_.size() || !is_digit(s_[k]))
        src_.fail(line_, c0 + static_cast<int>(k - i_),
                  "found a number with an empty exponent; expected digits after 'e'");
      is_float = true;
      j = k;
      while (j < s_.size() && is_digit(s_[j])) ++j;
    }
    if (j < s_.size() && (is_name_char(s_[j]) || s_[j] == '.'))
      src_.fail(line_, c0 + static_cast<int>(j - i_),
                "found " + byte_text(static_cast<unsigned char>(s_[j])) +
                    " inside a number; expected a digit, or a space or operator after the number");
    push(is_float ? Tok::kFloat : Tok::kInt, s_.substr(i_, j - i_), c0);
    i_ = j;
  }

  void string() {
    int c0 = col();
    char quote = s_[i_];
    std::string value;
    size_t j = i_ + 1;
    while (true) {
      if (j >= s_.size() || s_[j] == '\n')
        src_.fail(line_, c0,
                  "found a string that never ends; expected a closing " + std::string(1, quote) +
                      " on the same line");
      char c = s_[j];
      if (c == quote) break;
      if (c != '\\') {
        value.push_back(c);
        ++j;
        continue;
      }
      int esc_col = c0 + static_cast<int>(j - i_);
      char e = j + 1 < s_.size() ? s_[j + 1] : '\0';
      switch (e) {
        case 'n': value.push_back('\n'); break;
        case 't': value.push_back('\t'); break;
        case 'r': value.push_back('\r'); break;
        case '0': value.push_back('\0'); break;
        case '\\': value.push_back('\\'); break;
        case '"': value.push_back('"'); break;
        case '\'': value.push_back('\''); break;
        case 'x': {
          int hi = j + 2 < s_.size() ? hex_value(s_[j + 2]) : -1;
          int lo = j + 3 < s_.size() ? hex_value(s_[j + 3]) : -1;
          if (hi < 0 || lo < 0)
            src_.fail(line_, esc_col, "found a bad \\x escape; expected two hex digits after \\x");
          value.push_back(static_cast<char>(hi * 16 + lo));
          j += 2;
          break;
        }
        default:
          src_.fail(line_, esc_col,
                    "found an unknown escape in a string; expected one of \\n \\t \\r \\0 \\\\ "
                    "\\\" \\' or \\xNN");
      }
      j += 2;
    }
    push(Tok::kString, std::move(value), c0);
    i_ = j + 1;
  }

  void op() {
    static const char* kTwo[] = {"//", ":=", "==", "!=", "<=", ">="};
    int c0 = col();
    if (i_ + 1 < s_.size()) {
      for (const char* t : kTwo) {
        if (s_[i_] == t[0] && s_[i_ + 1] == t[1]) {
          push(Tok::kOp, t, c0);
          i_ += 2;
          return;
        }
      }
    }
    char c = s_[i_];
    static const std::string kOne = "()[]{},:.=<>+-*/%@";
    if (kOne.find(c) == std::string::npos)
      src_.fail(line_, c0,
                "found " + byte_text(static_cast<unsigned char>(c)) +
                    ", which starts no token; expected a name, a number, a string or an operator");
    if (c == '(' || c == '[' || c == '{') {
      brackets_.push_back(Open{c, line_, c0});
    } else if (c == ')' || c == ']' || c == '}') {
      if (brackets_.empty())
        src_.fail(line_, c0,
                  std::string("found an unmatched '") + c + "'; expected no closing bracket here");
      const Open& o = brackets_.back();
      if (closer(o.c) != c)
        src_.fail(line_, c0,
                  std::string("found '") + c + "'; expected '" + closer(o.c) + "' to close the '" +
                      o.c + "' at line " + std::to_string(o.line) + ", column " +
                      std::to_string(o.col));
      brackets_.pop_back();
    }
    push(Tok::kOp, std::string(1, c), c0);
    ++i_;
  }

  const Source& src_;
  const std::string& s_;
  size_t i_ = 0;
  size_t line_start_ = 0;
  int line_ = 1;
  bool at_line_start_ = true;
  std::vector<int> indents_{0};
  std::vector<Open> brackets_;
  std::vector<Token> out_;
};

}  // namespace

Source::Source(std::string text) : text_(std::move(text)) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

std::string Source::line_text(int line) const {
  if (line < 1 || static_cast<size_t>(line) > line_starts_.size()) return "";
  size_t start = line_starts_[line - 1];
  size_t end = text_.find('\n', start);
  if (end == std::string::npos) end = text_.size();
  return text_.substr(start, end - start);
}

void Source::fail(int line, int col, const std::string& message) const {
  std::string text = line_text(line);
  // Quote at most 120 bytes around the column; unprintable bytes show as '?'
  // so the caret stays aligned.
  size_t caret = col > 0 ? static_cast<size_t>(col - 1) : 0;
  size_t start = caret > 60 ? caret - 60 : 0;
  std::string shown = text.substr(std::min(start, text.size()), 120);
  for (char& c : shown)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  std::string prefix = start > 0 ? "..." : "";
  std::string full = "line " + std::to_string(line) + ", column " + std::to_string(col) + ": " +
                     message + "\n    " + prefix + shown + "\n    " +
                     std::string(prefix.size() + caret - start, ' ') + "^";
  throw ParseError(line, col, full);
}

std::vector<Token> lex(const Source& src) { return Lexer(src).run(); }

std::string describe(const Token& t) {
  // Long spellings are cut so that one huge token cannot flood the message.
  std::string text = t.text.size() > 40 ? t.text.substr(0, 40) + "..." : t.text;
  switch (t.kind) {
    case Tok::kName: return "name '" + text + "'";
    case Tok::kInt: return "integer " + text;
    case Tok::kFloat: return "number " + text;
    case Tok::kString: return "a string";
    case Tok::kOp: return "'" + t.text + "'";
    case Tok::kNewline: return "the end of the line";
    case Tok::kIndent: return "an unexpected indent";
    case Tok::kDedent: return "the end of the indented block";
    case Tok::kEnd: return "the end of the input";
  }
  return "?";
}

}  // namespace kiln::ir::script
