// Checks shared by the schedule primitive tests: unchanged after a refusal,
// trace round trip, same outputs, and golden cases (tests/ir_cases/).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "schedule/schedule.h"
#include "tests/cpp/schedule/differential.h"

namespace kiln::sched::testing {

// A refused primitive leaves the schedule as it was.
inline void expect_unchanged(const Schedule& before, const Schedule& after) {
  EXPECT_TRUE(before.func() == after.func() || ir::structural_equal(before.func(), after.func()));
  EXPECT_EQ(before.trace().size(), after.trace().size());
}

// Replays the trace from JSON on the original and expects the same function.
inline void expect_round_trip(const Schedule& sch) {
  Trace again = Trace::from_json(nlohmann::json::parse(sch.trace().to_json().dump()));
  Schedule replay(sch.original());
  again.apply_to(replay);
  EXPECT_TRUE(ir::structural_equal(replay.func(), sch.func())) << ir::to_script(replay.func());
  EXPECT_EQ(replay.trace().as_python(), sch.trace().as_python());
}

// The scheduled function computes what the original computes (sums may be
// reassociated by rfactor, hence the tolerance).
inline void expect_same_outputs(const Schedule& sch, size_t num_inputs) {
  EXPECT_LE(max_output_difference(sch.original(), sch.func(), num_inputs), 1e-5)
      << ir::to_script(sch.func());
  EXPECT_EQ(ir::to_script(ir::parse_prim_func(ir::to_script(sch.func()))),
            ir::to_script(sch.func()));
}

// ---- golden cases: tests/ir_cases/<primitive>/<case>.kiln

struct GoldenCase {
  std::string before, schedule, expected;
};

// The three sections of a golden file at `file` (a full path).
inline GoldenCase read_golden_file(const std::string& file) {
  std::ifstream in(file);
  EXPECT_TRUE(in.good()) << file;
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  const std::string markers[] = {"## before\n", "## schedule\n", "## expected\n"};
  size_t at[3];
  for (int i = 0; i < 3; ++i) {
    at[i] = s.find(markers[i]);
    if (at[i] == std::string::npos) ADD_FAILURE() << file << " lacks " << markers[i];
  }
  auto section = [&](int i) {
    size_t begin = at[i] + markers[i].size();
    return s.substr(begin, i < 2 ? at[i + 1] - begin : std::string::npos);
  };
  return {section(0), section(1), section(2)};
}

// A golden file by its path under tests/ir_cases/.
inline GoldenCase read_golden(const std::string& path) {
  return read_golden_file(std::string(KILN_SOURCE_DIR) + "/tests/ir_cases/" + path);
}

inline void check_golden(const std::string& path, const std::function<void(Schedule&)>& apply) {
  GoldenCase c = read_golden(path);
  Schedule sch(ir::parse_prim_func(c.before));
  apply(sch);
  EXPECT_TRUE(ir::structural_equal(sch.func(), ir::parse_prim_func(c.expected)))
      << path << ":\n"
      << ir::to_script(sch.func());
  EXPECT_EQ(sch.trace().as_python(), c.schedule) << path;
  expect_round_trip(sch);
}

}  // namespace kiln::sched::testing
