// libFuzzer target for the script parser: any input must either parse or
// throw ParseError, and whatever parses must print and parse back to a
// structurally equal function that prints identically.
//
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DKILN_FUZZ=ON \
//       -DKILN_BUILD_TESTS=OFF -DKILN_BUILD_PYTHON=OFF
//   cmake --build build-fuzz --target parser_fuzzer
//   build-fuzz/tests/fuzz/parser_fuzzer -max_total_time=600 tests/fuzz/corpus
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"

namespace {

[[noreturn]] void mismatch(const char* what, const std::string& first, const std::string& second) {
  std::fprintf(stderr, "parser_fuzzer: %s\n--- printed:\n%s\n--- then:\n%s\n", what, first.c_str(),
               second.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kiln::ir;
  std::string text(reinterpret_cast<const char*>(data), size);
  PrimFunc f;
  try {
    f = parse_prim_func(text);
  } catch (const ParseError&) {
    return 0;
  }
  // Anything other than ParseError escaping above is a bug: libFuzzer
  // reports the uncaught exception as a crash.
  std::string printed = to_script(f);
  PrimFunc g;
  try {
    g = parse_prim_func(printed);
  } catch (const ParseError& e) {
    mismatch("the printed text does not parse", printed, e.what());
  }
  if (!structural_equal(f, g)) mismatch("reparsed function differs", printed, to_script(g));
  std::string again = to_script(g);
  if (again != printed) mismatch("printing the reparsed function changes the text", printed, again);
  return 0;
}
