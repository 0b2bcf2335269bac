// Database: tuning records in a JSON Lines file, append-only and readable by
// people (tuning_logs/README.md documents every line). A task's function and
// a target's hardware description are written once per file, in lines of
// their own that records refer to by id and key.
//
// Every commit is one write(2) of whole lines to a file opened O_APPEND,
// under an exclusive flock, then fdatasync'd: a process killed at any moment
// leaves at most its last line cut short. Opening a file whose last line is
// cut starts the next write on a new line; reading skips a damaged line with
// a warning naming the file and the line, and reads the rest.
//
//   Database db("tuning_logs/matmul.jsonl");
//   db.commit(task, record);
//   db.best(task.id(), task.target().str(), 5);
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "search/record.h"
#include "search/task.h"

namespace kiln::search {

// A task as a database file keeps it.
struct StoredTask {
  std::string id;
  std::string name;
  std::string workload;  // "" when it is no registered workload
  std::map<std::string, int64_t> shape;
  std::string func_text;  // the function in kiln's text form
};

class Database {
 public:
  // Reads `path` if it exists (creating neither it nor its folder until the
  // first commit); a gzip-compressed log (.jsonl.gz) is read, never written.
  // Damaged lines are skipped; each one is a warning, printed on stderr and
  // kept in warnings(). Throws std::runtime_error when the file exists and
  // cannot be read, or is not a tuning log at all (no line of it is kiln's).
  explicit Database(std::string path);

  const std::string& path() const { return path_; }

  // Appends `record` (of `task`), with the task's and the target's lines
  // first if this file has neither yet. Throws std::runtime_error when the
  // file cannot be written.
  void commit(const Task& task, const TuningRecord& record);

  // Every record of the task on the target, in file order.
  std::vector<TuningRecord> records(const std::string& task_id, const std::string& target) const;
  // The `k` fastest measured programs of the task on the target: valid
  // records by median latency, each program (scheduled hash) once, by its
  // latest measurement (a final re-measurement supersedes the first).
  std::vector<TuningRecord> best(const std::string& task_id, const std::string& target,
                                 size_t k) const;
  // Whether a program with this structural hash was measured for the task on
  // the target (successfully or not).
  bool measured(const std::string& task_id, const std::string& target,
                const std::string& scheduled_hash) const;

  std::vector<StoredTask> tasks() const;
  // Every (task id, target key) the file has records of.
  std::vector<std::pair<std::string, std::string>> task_targets() const;
  // The hardware description of a target key, as the file has it (null JSON
  // text "null" when absent).
  std::string target_description(const std::string& target) const;
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Records in the file.
  size_t size() const;

 private:
  void read_file();
  void index(TuningRecord record);
  void append_lines(const std::string& lines);

  std::string path_;
  mutable std::mutex mutex_;
  std::map<std::string, StoredTask> tasks_;          // by id
  std::map<std::string, std::string> targets_;       // key -> description JSON text
  std::map<std::pair<std::string, std::string>, std::vector<TuningRecord>> records_;
  std::set<std::tuple<std::string, std::string, std::string>> measured_;
  std::vector<std::string> warnings_;
  size_t count_ = 0;
};

}  // namespace kiln::search
