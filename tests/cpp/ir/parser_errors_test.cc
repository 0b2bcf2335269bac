// Malformed script text: every input gives a ParseError at the right line and
// column with a message that says what was found and what was expected.
#include <gtest/gtest.h>

#include <sstream>

#include "ir/op.h"
#include "ir/parser.h"

namespace kiln::ir {
namespace {

const char* kBase[] = {
    "@kiln.prim_func",
    "def f(A: Buffer((8, 8), \"float32\"), B: Buffer((8,), \"float32\")):",
    "    for i, j in grid(8, 8):",
    "        with block(\"B\"):",
    "            vi, vj = axis.remap(\"SR\", [i, j])",
    "            reads(A[vi, vj])",
    "            writes(B[vi])",
    "            with init():",
    "                B[vi] = 0.0",
    "            B[vi] = B[vi] + A[vi, vj]",
};
constexpr int kBaseLines = 10;

// The base program with line `line` (1-based) replaced; line kBaseLines + 1
// appends. An empty replacement drops lines from `line` on. Columns in the
// cases below count from these lines; nesting limits count the loop and
// block around the statement too.
std::string base_with(int line, const std::string& replacement) {
  std::string out;
  for (int i = 1; i <= kBaseLines + 1; ++i) {
    if (i == line) {
      if (replacement.empty()) break;
      out += replacement + "\n";
    } else if (i <= kBaseLines) {
      out += std::string(kBase[i - 1]) + "\n";
    }
  }
  return out;
}

struct Case {
  const char* what;
  std::string text;
  int line;
  int column;
  const char* message;  // a fragment the message must contain
};

std::vector<Case> cases() {
  std::string deep_parens = std::string(1000, '(') + "1" + std::string(1000, ')');
  std::string long_chain = "1";
  for (int i = 0; i < 1000; ++i) long_chain += " + 1";
  std::string deep_unary;
  for (int i = 0; i < 1000; ++i) deep_unary += "- ";
  deep_unary += "i";
  return {
      {"empty input", "", 1, 1, "expected '@kiln.prim_func'"},
      {"blank input", "\n   \n\n", 4, 1, "found the end of the input"},
      {"garbage bytes", "\x01\xff\xfe", 1, 1, "found byte 0x01"},
      {"missing decorator", base_with(1, "# no decorator"), 2, 1, "found name 'def'"},
      {"unknown buffer", base_with(10, "            C[vi] = B[vi]"), 10, 13, "unknown buffer 'C'"},
      {"unknown dtype",
       base_with(2, "def f(A: Buffer((8, 8), \"float31\"), B: Buffer((8,), \"float32\")):"), 2, 25,
       "unknown data type \"float31\""},
      {"dtype lanes that wrap around",
       base_with(2, "def f(A: Buffer((8, 8), \"float32x65536\"), B: Buffer((8,), \"float32\")):"),
       2, 25, "unknown data type"},
      {"wrong number of indices", base_with(10, "            B[vi] = B[vi] + A[vi]"), 10, 30,
       "found 1 indices into A; expected 2"},
      {"wrong number of region ranges", base_with(6, "            reads(A[vi])"), 6, 20,
       "found 1 ranges for A; expected 2"},
      {"unknown block field", base_with(5, "            vi, vj = axis.foo(\"SR\", [i, j])"), 5, 27,
       "axis.foo"},
      {"unbalanced parentheses", base_with(10, "            B[vi] = (B[vi] + A[vi, vj]"), 10, 21,
       "unclosed '('"},
      {"mismatched bracket", base_with(7, "            writes(B[vi)"), 7, 24, "expected ']'"},
      {"missing colon", base_with(3, "    for i, j in grid(8, 8)"), 3, 27,
       "expected ':' after the loop header"},
      {"duplicate parameter",
       base_with(2, "def f(A: Buffer((8, 8), \"float32\"), A: Buffer((8,), \"float32\")):"), 2, 37,
       "'A' defined a second time"},
      {"duplicate loop variable", base_with(3, "    for i, i in grid(8, 8):"), 3, 12,
       "'i' defined a second time"},
      {"type error in 'and'", base_with(10, "            B[vi] = B[vi] and 1.0"), 10, 27,
       "expected boolean operands"},
      {"non-boolean condition", base_with(10, "            if vi:\n                B[vi] = 0.0"),
       10, 16, "expected a bool"},
      {"dedent to no level", base_with(10, "          B[vi] = B[vi] + A[vi, vj]"), 10, 11,
       "matches no outer indentation level"},
      {"unexpected indent", base_with(7, "              writes(B[vi])"), 7, 15,
       "unexpected indent"},
      {"tab in indentation", base_with(10, "\tB[vi] = B[vi]"), 10, 1, "tab in the indentation"},
      {"remap of a non-loop variable",
       base_with(5, "            vi, vj = axis.remap(\"SR\", [i, k])"), 5, 43,
       "not a loop variable"},
      {"where after reads", base_with(7, "            where(i < 4)"), 7, 13,
       "after other block fields"},
      {"duplicate reads", base_with(7, "            reads(B[vi])"), 7, 13, "second reads"},
      {"block field after a statement", base_with(11, "            reads(A[vi, vj])"), 11, 13,
       "among statements"},
      {"loop body of only pass", base_with(4, "").append("        pass\n"), 3, 5, "only 'pass'"},
      {"integer literal too large", base_with(9, "                B[vi] = 99999999999999999999"), 9,
       25, "does not fit 64 bits"},
      {"float literal too large", base_with(9, "                B[vi] = 1e999"), 9, 25,
       "out of the double range"},
      {"vector constant", base_with(9, "                B[vi] = float32x4(1.0)"), 9, 25,
       "vector type"},
      {"unknown function", base_with(9, "                B[vi] = foo(1.0)"), 9, 25,
       "unknown function 'foo'"},
      {"zero lanes", base_with(9, "                B[vi] = broadcast(1.0, 0)"), 9, 40,
       "1 to 65535 lanes"},
      {"text after the function", base_with(11, "x = 1"), 11, 1,
       "the end of the input after the function"},
      {"grid of the wrong size", base_with(3, "    for i, j in grid(8):"), 3, 17,
       "grid of 1 extents for 2 loop variables"},
      {"thread_binding without a thread", base_with(3, "    for i in thread_binding(8):"), 3, 14,
       "without a thread"},
      {"store into a variable", base_with(10, "            i[0] = 1.0"), 10, 13,
       "used as a buffer"},
      {"string as a value", base_with(9, "                B[vi] = \"x\""), 9, 25,
       "a string is not a value"},
      {"tuple as a value", base_with(9, "                B[vi] = (1.0, 2.0)"), 9, 29,
       "tuples are not expressions"},
      {"unknown loop keyword", base_with(3, "    for i in range(8, step=2):"), 3, 23,
       "keyword 'step'"},
      {"else without if", base_with(10, "            else:"), 10, 13, "without an 'if'"},
      {"reserved word as a name", base_with(3, "    for min, j in grid(8, 8):"), 3, 9,
       "reserved word"},
      {"unterminated string", base_with(4, "        with block(\"B):"), 4, 20, "never ends"},
      {"unknown escape", base_with(4, "        with block(\"B\\q\"):"), 4, 22, "unknown escape"},
      {"truncated after a header", base_with(5, ""), 5, 1, "expected an indented block body"},
      {"truncated expression", base_with(10, "            B[vi] = B[vi] +"), 10, 28,
       "expected an expression"},
      {"missing 'in'", base_with(3, "    for i j in grid(8, 8):"), 3, 11, "expected 'in'"},
      {"deeply nested parentheses", base_with(9, "                B[vi] = " + deep_parens), 9, 222,
       "nested more than"},
      {"very long operator chain", base_with(9, "                B[vi] = " + long_chain), 9, 1623,
       "expression nested more than 400 deep"},
      {"deep unary minus", base_with(10, "            B[vi] = " + deep_unary), 10, 413,
       "nested more than"},
  };
}

TEST(ParserErrors, MalformedInputsReportLineAndColumn) {
  std::vector<Case> all = cases();
  EXPECT_GE(all.size(), 25u);
  for (const Case& c : all) {
    SCOPED_TRACE(c.what);
    try {
      parse_prim_func(c.text);
      ADD_FAILURE() << "parsed without error:\n" << c.text;
    } catch (const ParseError& e) {
      std::string msg = e.what();
      EXPECT_EQ(e.line(), c.line) << msg;
      EXPECT_EQ(e.column(), c.column) << msg;
      std::string prefix =
          "line " + std::to_string(c.line) + ", column " + std::to_string(c.column) + ": ";
      EXPECT_EQ(msg.rfind(prefix, 0), 0u) << msg;
      EXPECT_NE(msg.find(c.message), std::string::npos) << msg;
      EXPECT_NE(msg.find("expected"), std::string::npos) << msg;
      // The quoted source line ends with a caret.
      EXPECT_EQ(msg.back(), '^') << msg;
    }
  }
}

TEST(ParserErrors, CaretPointsAtTheColumn) {
  std::string text = base_with(10, "            C[vi] = B[vi]");
  try {
    parse_prim_func(text);
    FAIL() << "parsed";
  } catch (const ParseError& e) {
    std::string msg = e.what();
    std::istringstream lines(msg);
    std::string first, quoted, caret;
    std::getline(lines, first);
    std::getline(lines, quoted);
    std::getline(lines, caret);
    EXPECT_EQ(quoted, "                C[vi] = B[vi]");
    EXPECT_EQ(caret, std::string(4 + 12, ' ') + "^");
  }
}

TEST(ParserErrors, ExpressionsReportLineAndColumn) {
  Var a("a"), b("b"), c("c");
  ScriptScope scope{{a, b, c}, {}};
  struct ExprCase {
    std::string text;
    int column;
  } exprs[] = {{"a < b < c", 7},
               {"a +", 4},
               {"a b", 3},
               {"min(a)", 6},
               {"cast(\"int33\", a)", 6},
               {std::string(300, '(') + "a" + std::string(300, ')'), 201}};
  for (const ExprCase& c : exprs) {
    SCOPED_TRACE(c.text.substr(0, 40));
    try {
      parse_expr(c.text, scope);
      ADD_FAILURE() << "parsed";
    } catch (const ParseError& e) {
      EXPECT_EQ(e.line(), 1) << e.what();
      EXPECT_EQ(e.column(), c.column) << e.what();
    }
  }
}

// Mutations of a valid program (every byte replaced, deleted or duplicated in
// turn) either parse or throw ParseError; nothing else escapes.
TEST(ParserErrors, EveryByteMutationFailsCleanly) {
  std::string text = base_with(11, "");
  const char replacements[] = {'(', ')', ':', ' ', '\n', 'x', '"', '[', '\t', '\0', '-', '#'};
  int parsed = 0, rejected = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    std::vector<std::string> variants = {text.substr(0, i) + text.substr(i + 1),
                                         text.substr(0, i + 1) + text.substr(i)};
    for (char r : replacements) {
      std::string v = text;
      v[i] = r;
      variants.push_back(v);
    }
    for (const std::string& v : variants) {
      try {
        parse_prim_func(v);
        ++parsed;
      } catch (const ParseError& e) {
        EXPECT_GE(e.line(), 1);
        EXPECT_GE(e.column(), 1);
        ++rejected;
      }
    }
  }
  EXPECT_GT(rejected, parsed);
}

}  // namespace
}  // namespace kiln::ir
