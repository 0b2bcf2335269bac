#include "runtime/staging.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

namespace kiln::runtime {

namespace {

constexpr size_t kScratchAlignment = 64;

std::atomic<bool> g_report_copies{true};

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// An aligned block of scratch memory.
struct Block {
  std::unique_ptr<void, FreeDeleter> memory;
  size_t bytes = 0;
};

// The calling thread's idle blocks. A call takes what it needs and gives it
// back when it returns, so blocks are reused by every later call.
std::vector<Block>& idle_blocks() {
  thread_local std::vector<Block> blocks;
  return blocks;
}

Block take_block(size_t bytes) {
  std::vector<Block>& idle = idle_blocks();
  for (auto it = idle.begin(); it != idle.end(); ++it) {
    if (it->bytes < bytes) continue;
    Block b = std::move(*it);
    idle.erase(it);
    return b;
  }
  // None fits: free one that does not (the list stays as long as the most
  // copies one call made), and allocate anew.
  if (!idle.empty()) idle.pop_back();
  const size_t rounded = (bytes + kScratchAlignment - 1) / kScratchAlignment * kScratchAlignment;
  Block b;
  b.memory.reset(std::aligned_alloc(kScratchAlignment, rounded));
  if (!b.memory)
    throw RuntimeError("could not allocate " + std::to_string(rounded) +
                       " bytes to copy a misaligned array into; pass 64-byte aligned arrays "
                       "(kiln.nd.empty, kiln.nd.array) to skip the copy");
  b.bytes = rounded;
  return b;
}

// How far past an `alignment`-byte boundary an argument's data starts.
size_t misalignment(const DLTensor& arg, size_t alignment) {
  const uintptr_t address = reinterpret_cast<uintptr_t>(arg.data) + arg.byte_offset;
  return alignment > 1 ? address % alignment : 0;
}

std::string size_text(size_t bytes) {
  char text[32];
  if (bytes >= (1u << 20))
    std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  else if (bytes >= (1u << 10))
    std::snprintf(text, sizeof(text), "%.1f KiB", static_cast<double>(bytes) / (1 << 10));
  else
    std::snprintf(text, sizeof(text), "%zu bytes", bytes);
  return text;
}

// Says what copying a parameter costs.
void report_copy(const KernelSignature& signature, const ParamInfo& param, size_t offset,
                 size_t alignment, size_t bytes, double milliseconds) {
  const bool required = alignment == static_cast<size_t>(signature.alignment);
  std::fprintf(stderr,
               "kiln: kernel `%s` copies argument `%s` (%s) to aligned memory at each call: it "
               "starts %zu bytes past a %zu-byte boundary, %s (the first copy took %.2g ms). Arrays "
               "from kiln.nd.empty or kiln.nd.array are aligned and skip it.\n",
               signature.name.c_str(), param.name.c_str(), size_text(bytes).c_str(), offset,
               alignment,
               required ? "and the kernel's vector code needs that alignment"
                        : "and the kernel reads it with wide vectors many times over",
               milliseconds);
}

}  // namespace

void set_report_copies(bool report) { g_report_copies.store(report); }

bool CopyReports::first(size_t param) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (param >= reported_.size()) reported_.resize(param + 1);
  if (reported_[param]) return false;
  reported_[param] = true;
  return true;
}

struct StagedArguments::Copy {
  Block block;
  void* user = nullptr;  // the caller's data
  size_t bytes = 0;
  bool written = false;
};

StagedArguments::StagedArguments(const KernelSignature& signature,
                                 const std::vector<const DLTensor*>& args, void** data,
                                 CopyReports& reports) {
  for (size_t i = 0; i < args.size(); ++i) {
    const DLTensor& arg = *args[i];
    const ParamInfo& param = signature.params[i];
    data[i] = static_cast<char*>(arg.data) + arg.byte_offset;
    const size_t required = static_cast<size_t>(signature.alignment);
    const size_t preferred = static_cast<size_t>(std::max<int64_t>(param.preferred_alignment, 0));
    size_t alignment = required;
    size_t offset = misalignment(arg, required);
    if (offset == 0 && preferred > required) {
      alignment = preferred;
      offset = misalignment(arg, preferred);
    }
    if (offset == 0) continue;
    Copy copy;
    copy.bytes = (static_cast<size_t>(arg.dtype.bits) * arg.dtype.lanes + 7) / 8;
    for (int d = 0; d < arg.ndim; ++d) copy.bytes *= static_cast<size_t>(arg.shape[d]);
    copy.block = take_block(copy.bytes);
    copy.user = data[i];
    copy.written = param.written;
    const auto start = std::chrono::steady_clock::now();
    std::memcpy(copy.block.memory.get(), copy.user, copy.bytes);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (g_report_copies.load(std::memory_order_relaxed) && reports.first(i))
      report_copy(signature, param, offset, alignment, copy.bytes, ms);
    data[i] = copy.block.memory.get();
    copies_.push_back(std::move(copy));
  }
}

StagedArguments::~StagedArguments() {
  for (Copy& c : copies_) idle_blocks().push_back(std::move(c.block));
}

void StagedArguments::write_back() const {
  for (const Copy& c : copies_)
    if (c.written) std::memcpy(c.user, c.block.memory.get(), c.bytes);
}

}  // namespace kiln::runtime
