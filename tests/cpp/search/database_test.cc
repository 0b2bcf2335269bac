// The tuning log: records written once, read back by a fresh reader, queried
// by task and target (never another target's), damaged lines skipped with a
// warning naming the file and line, and a writer killed at random moments
// that loses at most the line it was writing.
#include "search/database.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "schedule/schedule.h"
#include "search/measure.h"
#include "workloads/workloads.h"

namespace kiln::search {
namespace {

std::string temp_log(const std::string& name) {
  const std::string path =
      ::testing::TempDir() + "kiln_db_" + name + "_" + std::to_string(::getpid()) + ".jsonl";
  std::filesystem::remove(path);
  return path;
}

Task matmul_task(const std::string& target = "llvm -mcpu=znver4 -num_cores=2") {
  return Task::from_workload("matmul", {{"M", 16}, {"N", 16}, {"K", 16}}, Target(target));
}

TuningRecord record(const Task& task, double median_s, const std::string& hash,
                    const std::string& status = status::kOk) {
  TuningRecord r;
  r.task_id = task.id();
  r.target = task.target().str();
  sched::Schedule sch(task.func());
  sch.get_loops(sch.get_block("C"));
  r.trace = sch.trace();
  r.scheduled_hash = hash;
  r.status = status;
  if (status != status::kOk) r.error = "it went wrong";
  r.latency.median_s = r.latency.min_s = median_s;
  r.latency.samples_s = {median_s};
  r.latency.number = 1;
  r.timestamp = utc_timestamp();
  r.kiln_version = kiln_version();
  return r;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Database, RecordsComeBackAndTasksAreWrittenOnce) {
  const std::string path = temp_log("roundtrip");
  const Task task = matmul_task();
  {
    Database db(path);
    db.commit(task, record(task, 3e-3, "a"));
    db.commit(task, record(task, 1e-3, "b"));
    db.commit(task, record(task, 0, "c", status::kWrongResult));
    db.commit(task, record(task, 2e-3, "a"));  // "a" again, slower: its latest counts
  }
  const std::vector<std::string> lines = lines_of(path);
  ASSERT_EQ(lines.size(), 6u);  // a task line, a target line, four records
  EXPECT_EQ(nlohmann::json::parse(lines[0])["kind"], "task");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["kind"], "target");
  Database db(path);
  EXPECT_TRUE(db.warnings().empty());
  EXPECT_EQ(db.size(), 4u);
  const std::vector<TuningRecord> best = db.best(task.id(), task.target().str(), 5);
  ASSERT_EQ(best.size(), 2u);
  EXPECT_EQ(best[0].scheduled_hash, "b");
  EXPECT_EQ(best[1].scheduled_hash, "a");
  EXPECT_DOUBLE_EQ(best[1].latency.median_s, 2e-3);
  EXPECT_EQ(best[0].trace.as_python(), record(task, 0, "").trace.as_python());
  EXPECT_TRUE(db.measured(task.id(), task.target().str(), "c"));
  EXPECT_FALSE(db.measured(task.id(), task.target().str(), "d"));
  ASSERT_EQ(db.tasks().size(), 1u);
  EXPECT_EQ(db.tasks()[0].workload, "matmul");
  EXPECT_EQ(db.tasks()[0].shape.at("K"), 16);
  EXPECT_NE(db.target_description(task.target().str()).find("\"l1d_cache_bytes\""),
            std::string::npos);
  std::filesystem::remove(path);
}

TEST(Database, AnotherTargetsRecordsAreNeverReturned) {
  const std::string path = temp_log("targets");
  const Task zen4 = matmul_task("llvm -mcpu=znver4 -num_cores=2");
  const Task zen3 = matmul_task("llvm -mcpu=znver3 -num_cores=2");
  const Task zen4_8 = matmul_task("llvm -mcpu=znver4 -num_cores=8");
  Database db(path);
  db.commit(zen4, record(zen4, 5e-3, "x"));
  db.commit(zen3, record(zen3, 1e-3, "y"));
  db.commit(zen4_8, record(zen4_8, 1e-4, "z"));
  const Database fresh(path);
  for (const Database* use_ptr : std::vector<const Database*>{&db, &fresh}) {
    const Database& use = *use_ptr;
    const auto best = use.best(zen4.id(), zen4.target().str(), 10);
    ASSERT_EQ(best.size(), 1u);
    EXPECT_EQ(best[0].scheduled_hash, "x");
    EXPECT_FALSE(use.measured(zen4.id(), zen4.target().str(), "y"));
    EXPECT_EQ(use.records(zen3.id(), zen3.target().str()).size(), 1u);
  }
  std::filesystem::remove(path);
}

TEST(Database, DamagedLinesAreSkippedWithTheFileAndLine) {
  const std::string path = temp_log("damaged");
  const Task task = matmul_task();
  {
    Database db(path);
    db.commit(task, record(task, 1e-3, "a"));
  }
  {
    std::ofstream out(path, std::ios::app);
    out << "{\"kind\": \"record\", \"version\": 1}\n";  // fields missing
    out << "this is not json\n";
    out << "{\"kind\": \"recipe\"}\n";
    out << nlohmann::json{{"kind", "record"}}.dump().substr(0, 7);  // cut, no newline
  }
  Database db(path);
  ASSERT_EQ(db.warnings().size(), 4u);
  EXPECT_NE(db.warnings()[0].find(path + ":4: skipped a damaged line"), std::string::npos)
      << db.warnings()[0];
  EXPECT_NE(db.warnings()[1].find(":5:"), std::string::npos);
  EXPECT_NE(db.warnings()[2].find("unknown kind `recipe`"), std::string::npos);
  EXPECT_NE(db.warnings()[3].find(":7: skipped a damaged line (cut short"), std::string::npos)
      << db.warnings()[3];
  EXPECT_EQ(db.size(), 1u);
  // The next record starts on a line of its own.
  db.commit(task, record(task, 5e-4, "b"));
  Database again(path);
  EXPECT_EQ(again.size(), 2u);
  EXPECT_EQ(again.best(task.id(), task.target().str(), 1)[0].scheduled_hash, "b");
  EXPECT_EQ(again.warnings().size(), 4u);
  std::filesystem::remove(path);
}

TEST(Database, ACompressedLogIsReadAndNeverWritten) {
  const std::string path = temp_log("gz");
  const Task task = matmul_task();
  {
    Database db(path);
    db.commit(task, record(task, 1e-3, "a"));
    db.commit(task, record(task, 5e-4, "b"));
  }
  ASSERT_EQ(std::system(("gzip -f " + path).c_str()), 0);
  Database db(path + ".gz");
  EXPECT_TRUE(db.warnings().empty());
  EXPECT_EQ(db.size(), 2u);
  EXPECT_EQ(db.best(task.id(), task.target().str(), 1)[0].scheduled_hash, "b");
  try {
    db.commit(task, record(task, 1e-4, "c"));
    FAIL() << "appended to a compressed log";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("give a .jsonl log to write to"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(Database(path + ".gz").size(), 2u);
  std::filesystem::remove(path + ".gz");
}

TEST(Database, AFileThatIsNoLogIsRefusedInOneMessage) {
  const std::string path = temp_log("foreign");
  {
    std::ofstream out(path);
    for (int i = 0; i < 100; ++i) out << "{\"epoch\": " << i << ", \"loss\": 0.5}\n";
  }
  try {
    Database db(path);
    FAIL() << "read a file with no line of kiln's as a tuning log";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("is not a kiln tuning log: none of its 100 lines"), std::string::npos)
        << what;
    EXPECT_NE(what.find(path + ":1:"), std::string::npos) << what;
  }
  // A log whose one line a crash cut short is a log: a warning, not an error.
  {
    std::ofstream out(path);
    out << "{\"kind\": \"task\", \"ver";
  }
  EXPECT_EQ(Database(path).warnings().size(), 1u);
  std::filesystem::remove(path);
}

// A child measures candidates into a log (builder and runner workers, as a
// tuning run does); the parent kills it with SIGKILL after a random delay,
// many times over. Each time, every line but perhaps the last parses, a
// damaged line is one warning to the next reader, and the next writer
// carries on from a fresh line.
TEST(Database, AMeasuringProcessKilledAtRandomMomentsLosesAtMostItsLastLine) {
  const std::string path = temp_log("killed");
  const Task task = Task::from_workload("matmul", {{"M", 32}, {"N", 32}, {"K", 32}}, Target("llvm"));
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> delay_ms(20, 400);
  size_t damaged = 0, records = 0;
  constexpr int kKills = 20;
  for (int kill = 0; kill < kKills; ++kill) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      Database db(path);
      LocalBuilder::Options one;
      one.workers = 1;
      LocalBuilder builder(one);
      RunnerOptions options;
      options.timing.repeat = 2;
      LocalRunner runner(options);
      for (uint64_t seed = 0;; ++seed) {
        sched::Schedule sch(task.func(), seed, sched::ErrorRenderLevel::kFast);
        auto loops = sch.get_loops(sch.get_block("C"));
        const int64_t tile = int64_t{1} << (seed % 6);
        sch.split(loops[static_cast<size_t>(seed % 2)], {std::monostate(), tile});
        measure(task, {sch.trace()}, builder, runner, &db);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    const std::vector<std::string> lines = lines_of(path);
    size_t bad = 0, parsed_records = 0;
    for (const std::string& line : lines) {
      try {
        parsed_records += nlohmann::json::parse(line)["kind"] == "record";
      } catch (const nlohmann::json::parse_error&) {
        ++bad;
      }
    }
    // This kill cut at most one line (earlier cut lines are earlier kills').
    EXPECT_LE(bad, damaged + 1) << "kill " << kill;
    Database reader(path);
    EXPECT_EQ(reader.warnings().size(), bad);
    EXPECT_EQ(reader.size(), parsed_records);
    damaged = bad;
    records = reader.size();
  }
  EXPECT_GT(records, 0u);
  std::printf("[kill test] %d kills of a measuring process: %zu records kept, %zu lines cut\n",
              kKills, records, damaged);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kiln::search
