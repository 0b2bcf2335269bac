// Host arrays a CPU kernel should not take where they lie: data less aligned
// than its entry requires (KernelSignature::alignment; a slice such as a[1:]),
// or off a cache line for a parameter the kernel reads with wide vectors many
// times over (ParamInfo::preferred_alignment; NumPy's arrays start 16 bytes
// past a line, and every 64-byte load of them would straddle two). Such an
// array is copied into aligned scratch memory before the call, and copied
// back after it when the kernel writes it. The scratch is the calling
// thread's, kept from call to call, so a copy costs one pass over the array
// and no allocation. The first copy of each parameter of a module's kernel
// is reported once on stderr, with its size and what it took.
#pragma once

#include <dlpack/dlpack.h>

#include <mutex>
#include <vector>

#include "runtime/module.h"

namespace kiln::runtime {

// The parameters of one kernel whose copies were reported.
class CopyReports {
 public:
  // True the first time for `param`.
  bool first(size_t param);

 private:
  std::mutex mutex_;
  std::vector<bool> reported_;
};

class StagedArguments {
 public:
  // Points data[i] at argument i's data: in place, or an aligned copy.
  StagedArguments(const KernelSignature& signature, const std::vector<const DLTensor*>& args,
                  void** data, CopyReports& reports);
  ~StagedArguments();
  StagedArguments(const StagedArguments&) = delete;
  StagedArguments& operator=(const StagedArguments&) = delete;

  // Copies the written parameters' copies back into the caller's arrays.
  void write_back() const;

 private:
  struct Copy;
  std::vector<Copy> copies_;
};

// Whether copies are reported on stderr (true by default). The tuner's
// worker turns it off: its records say what a call costs instead.
void set_report_copies(bool report);

}  // namespace kiln::runtime
