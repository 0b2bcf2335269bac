// Replay from a log written by an earlier build of kiln (tests/data/, kept in
// the repository): the winner's trace still applies, gives the same program
// (its structural hash) and computes the right result. A change to kiln that
// breaks old logs fails here.
#include "search/replay.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fuzz/arguments.h"
#include "fuzz/build_check.h"
#include "ir/interpreter.h"
#include "ir/structural.h"
#include "workloads/workloads.h"

namespace kiln::search {
namespace {

const std::string kLog = std::string(KILN_SOURCE_DIR) + "/tests/data/matmul_64_x86-64-v2.jsonl";
// The target the log was written for: any x86-64 machine runs it.
const char* kTarget = "llvm -mcpu=x86-64-v2 -num_cores=1";

TEST(Replay, ALogFromAnEarlierBuildGivesTheSameKernel) {
  const Database db(kLog);
  ASSERT_TRUE(db.warnings().empty()) << db.warnings()[0];
  const ir::PrimFunc func = workloads::get("matmul", {{"M", 64}, {"N", 64}, {"K", 64}}).func;
  const Replayed best = replay(db, func, Target(kTarget));
  EXPECT_TRUE(best.record.winner);
  EXPECT_EQ(best.record.stage, "final");
  EXPECT_TRUE(best.warnings.empty());
  EXPECT_EQ(best.schedule.trace().as_python(), best.record.trace.as_python());
  EXPECT_EQ(hex_hash(ir::structural_hash(best.schedule.func())), best.record.scheduled_hash)
      << "the trace now makes another program than when the log was written";
  fuzz::Arguments expected = fuzz::make_arguments(func, 5);
  ir::interpret(func, expected.views);
  EXPECT_EQ(fuzz::check_built_kernel(best.schedule.func(), Target(kTarget), 5, expected), "");
}

TEST(Replay, ATraceThatNoLongerAppliesIsSkippedWithAWarning) {
  // The log, and after it a copy of its winner whose trace looks for a block
  // the function does not have (as a changed kiln could make one): as the
  // latest winner it is tried first, skipped with a warning, and the real
  // winner replayed.
  const std::string path = ::testing::TempDir() + "replay_stale.jsonl";
  {
    std::ifstream in(kLog);
    std::ofstream out(path);
    nlohmann::json winner;
    for (std::string line; std::getline(in, line);) {
      out << line << "\n";
      const nlohmann::json j = nlohmann::json::parse(line);
      if (j.value("winner", false)) winner = j;
    }
    ASSERT_FALSE(winner.is_null());
    winner["trace"]["instructions"][0]["attrs"][0] = "D";
    winner["timestamp"] = "2030-01-01T00:00:00.000Z";
    out << winner.dump() << "\n";
  }
  const Database db(path);
  EXPECT_TRUE(db.warnings().empty());
  const ir::PrimFunc func = workloads::get("matmul", {{"M", 64}, {"N", 64}, {"K", 64}}).func;
  const Replayed best = replay(db, func, Target(kTarget));
  ASSERT_EQ(best.warnings.size(), 1u);
  EXPECT_NE(best.warnings[0].find("the record of 2030-01-01T00:00:00.000Z"), std::string::npos)
      << best.warnings[0];
  EXPECT_NE(best.warnings[0].find("no longer applies"), std::string::npos) << best.warnings[0];
  EXPECT_TRUE(best.record.winner);
  EXPECT_NE(best.record.timestamp, "2030-01-01T00:00:00.000Z");
  std::remove(path.c_str());
}

TEST(Replay, ALogTunedOnAnotherCpuReplaysWithAWarning) {
  // The log was written for x86-64-v2 with one core; asked for another CPU,
  // replay takes that target's winner and says where it was tuned.
  const Database db(kLog);
  const ir::PrimFunc func = workloads::get("matmul", {{"M", 64}, {"N", 64}, {"K", 64}}).func;
  const Target here("llvm -mcpu=x86-64-v3 -num_cores=2");
  const Replayed best = replay(db, func, here);
  EXPECT_EQ(best.record.target, Target(kTarget).str());
  EXPECT_TRUE(best.record.winner);
  ASSERT_EQ(best.warnings.size(), 1u);
  EXPECT_NE(best.warnings[0].find("was tuned for `" + Target(kTarget).str() + "`, not for `" +
                                  here.str() + "`"),
            std::string::npos)
      << best.warnings[0];
  // A GPU target does not take a CPU's records.
  EXPECT_THROW(replay(db, func, Target("opencl")), std::runtime_error);
}

TEST(Replay, NoUsableRecordSaysWhatTheLogHas) {
  const Database db(kLog);
  const ir::PrimFunc other = workloads::get("matmul", {{"M", 32}, {"N", 64}, {"K", 64}}).func;
  try {
    replay(db, other, Target(kTarget));
    FAIL() << "replayed a function the log does not hold";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no usable record"), std::string::npos) << what;
    EXPECT_NE(what.find("1 other task"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace kiln::search
