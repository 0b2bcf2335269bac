#include "search/database.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <tuple>

#include <zlib.h>

#include "ir/printer.h"

namespace kiln::search {

using nlohmann::json;

namespace {

std::string errno_text() { return std::strerror(errno); }

bool compressed(const std::string& path) {
  return path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

// The text of the log at `path` into `text`; false when there is no file.
// A gzip-compressed log (the shipped ones, .jsonl.gz) is decompressed; zlib
// reads any other file as it is.
bool read_text(const std::string& path, std::string& text) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    if (!std::filesystem::exists(path)) return false;
    throw std::runtime_error("tuning log `" + path + "` exists but cannot be read: " +
                             errno_text());
  }
  char buffer[1 << 16];
  int n = 0;
  while ((n = gzread(f, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  int code = Z_OK;
  const std::string error = n < 0 ? gzerror(f, &code) : "";
  gzclose(f);
  if (n < 0)
    throw std::runtime_error("tuning log `" + path + "` cannot be read: " + error +
                             " (a damaged or cut-short .gz file: unpack what is left with "
                             "`zcat -f` into a .jsonl log)");
  return true;
}

nlohmann::ordered_json task_line(const Task& task) {
  nlohmann::ordered_json j = {{"kind", "task"},
                              {"version", 1},
                              {"kiln", kiln_version()},
                              {"id", task.id()},
                              {"name", task.name()},
                              {"workload", task.workload()},
                              {"shape", task.shape()},
                              {"func", ir::to_script(task.func())}};
  return j;
}

nlohmann::ordered_json target_line(const Target& target) {
  nlohmann::ordered_json j = {{"kind", "target"},
                              {"version", 1},
                              {"key", target.str()},
                              {"description", target.describe()}};
  return j;
}

// Closes a file descriptor when it goes.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Database::Database(std::string path) : path_(std::move(path)) { read_file(); }

void Database::read_file() {
  std::string text;
  if (!read_text(path_, text)) return;
  size_t number = 0, kiln_lines = 0;
  bool complete_but_damaged = false;
  for (size_t start = 0; start < text.size();) {
    const size_t newline = text.find('\n', start);
    const bool cut_short = newline == std::string::npos;
    const std::string line =
        text.substr(start, cut_short ? std::string::npos : newline - start);
    start = cut_short ? text.size() : newline + 1;
    ++number;
    if (line.empty()) continue;
    auto skip = [&](const std::string& why) {
      std::string shown = line.size() > 80 ? line.substr(0, 77) + "..." : line;
      warnings_.push_back(path_ + ":" + std::to_string(number) + ": skipped a damaged line (" +
                          why + "): " + shown);
      complete_but_damaged |= !cut_short;
    };
    json j;
    try {
      j = json::parse(line);
    } catch (const json::parse_error&) {
      skip(cut_short ? "cut short: the writer stopped mid-line" : "not JSON");
      continue;
    }
    try {
      const std::string kind = j.at("kind").get<std::string>();
      if (kind == "task") {
        StoredTask t;
        t.id = j.at("id").get<std::string>();
        t.name = j.at("name").get<std::string>();
        t.workload = j.at("workload").get<std::string>();
        t.shape = j.at("shape").get<std::map<std::string, int64_t>>();
        t.func_text = j.at("func").get<std::string>();
        tasks_[t.id] = std::move(t);
      } else if (kind == "target") {
        targets_[j.at("key").get<std::string>()] = j.at("description").dump();
      } else if (kind == "record") {
        index(record_from_json(j));
      } else {
        skip("unknown kind `" + kind + "`");
        continue;
      }
      ++kiln_lines;
    } catch (const std::exception& e) {
      skip(e.what());
    }
  }
  // Not one line of kiln's, and a whole line that is not: some other file,
  // not a log damaged by a crash (whose last line alone would be cut short).
  if (kiln_lines == 0 && complete_but_damaged)
    throw std::runtime_error("`" + path_ + "` is not a kiln tuning log: none of its " +
                             std::to_string(number) +
                             " lines is a task, target or record line (" + warnings_.front() +
                             "); tuning_logs/README.md says what a log holds");
  for (const std::string& w : warnings_) std::fprintf(stderr, "kiln: %s\n", w.c_str());
}

void Database::index(TuningRecord record) {
  ++count_;
  if (!record.scheduled_hash.empty())
    measured_.insert({record.task_id, record.target, record.scheduled_hash});
  records_[{record.task_id, record.target}].push_back(std::move(record));
}

void Database::append_lines(const std::string& lines) {
  const std::filesystem::path file(path_);
  if (file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec)
      throw std::runtime_error("tuning log `" + path_ + "`: cannot create its folder: " +
                               ec.message());
  }
  Fd f{::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)};
  if (f.fd < 0)
    throw std::runtime_error("tuning log `" + path_ + "` cannot be opened for writing: " +
                             errno_text());
  if (::flock(f.fd, LOCK_EX) != 0)
    throw std::runtime_error("tuning log `" + path_ + "` cannot be locked: " + errno_text());
  // A writer killed mid-line left no newline: start on a fresh line.
  std::string text = lines;
  if (const off_t end = ::lseek(f.fd, 0, SEEK_END); end > 0) {
    Fd r{::open(path_.c_str(), O_RDONLY | O_CLOEXEC)};
    char last = '\n';
    if (r.fd >= 0 && ::pread(r.fd, &last, 1, end - 1) == 1 && last != '\n') text = "\n" + text;
  }
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(f.fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      throw std::runtime_error("tuning log `" + path_ + "`: write failed: " + errno_text());
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(f.fd) != 0)
    throw std::runtime_error("tuning log `" + path_ + "`: fdatasync failed: " + errno_text());
  ::flock(f.fd, LOCK_UN);
}

void Database::commit(const Task& task, const TuningRecord& record) {
  if (compressed(path_))
    throw std::runtime_error("tuning log `" + path_ + "` is compressed and kiln only reads such "
                             "logs: give a .jsonl log to write to (`zcat` this one into it to "
                             "go on from its records)");
  std::lock_guard<std::mutex> lock(mutex_);
  std::string lines;
  const bool new_task = !tasks_.count(task.id());
  const bool new_target = !targets_.count(record.target);
  if (new_task) lines += task_line(task).dump() + "\n";
  if (new_target) lines += target_line(task.target()).dump() + "\n";
  lines += record_to_json(record).dump() + "\n";
  append_lines(lines);
  if (new_task) {
    tasks_[task.id()] = {task.id(), task.name(), task.workload(), task.shape(),
                         ir::to_script(task.func())};
  }
  if (new_target) targets_[record.target] = task.target().describe().dump();
  index(record);
}

std::vector<TuningRecord> Database::records(const std::string& task_id,
                                            const std::string& target) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = records_.find({task_id, target});
  return it == records_.end() ? std::vector<TuningRecord>{} : it->second;
}

std::vector<TuningRecord> Database::best(const std::string& task_id, const std::string& target,
                                         size_t k) const {
  std::map<std::string, TuningRecord> latest;  // by scheduled hash
  for (TuningRecord& r : records(task_id, target))
    if (r.ok()) latest[r.scheduled_hash] = std::move(r);
  std::vector<TuningRecord> out;
  for (auto& [hash, r] : latest) out.push_back(std::move(r));
  std::stable_sort(out.begin(), out.end(), [](const TuningRecord& a, const TuningRecord& b) {
    return a.latency.median_s < b.latency.median_s;
  });
  if (out.size() > k) out.resize(k);
  return out;
}

bool Database::measured(const std::string& task_id, const std::string& target,
                        const std::string& scheduled_hash) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return measured_.count({task_id, target, scheduled_hash}) > 0;
}

std::vector<StoredTask> Database::tasks() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<StoredTask> out;
  for (const auto& [id, t] : tasks_) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, std::string>> Database::task_targets() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, records] : records_) out.push_back(key);
  return out;
}

std::string Database::target_description(const std::string& target) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = targets_.find(target);
  return it == targets_.end() ? "null" : it->second;
}

size_t Database::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return count_;
}

}  // namespace kiln::search
