#include "codegen/target.h"

#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "codegen/gpu/gpu_target.h"
#include "runtime/c_api.h"
#ifdef KILN_WITH_LLVM
#include "codegen/llvm/llvm_backend.h"
#endif

namespace kiln {

namespace {

const std::vector<std::string>& known_options(const std::string& kind) {
  static const std::vector<std::string> llvm = {"mcpu", "mattr", "mtriple"};
  static const std::vector<std::string> cuda = {"arch", "fast_math"};
  // -warp_size=N: N work-items act as a warp (shuffles through __local
  // memory), so that CUDA's warp-level lowering runs, and is checked, on PoCL.
  static const std::vector<std::string> opencl = {"fast_math", "warp_size"};
  if (kind == "llvm") return llvm;
  if (kind == "cuda") return cuda;
  return opencl;
}

// The widest vector register the features allow, in bytes.
int vector_bytes_of(const std::string& features) {
  const std::string list = "," + features + ",";
  auto has = [&](const std::string& f) { return list.find(",+" + f + ",") != std::string::npos; };
  if (has("avx512f")) return 64;
  if (has("avx") || has("avx2")) return 32;
  return 16;
}

}  // namespace

Target::Target(const std::string& text) {
  std::istringstream in(text);
  in >> kind_;
  if (kind_ != "llvm" && kind_ != "cuda" && kind_ != "opencl")
    throw std::invalid_argument("target `" + text + "`: unknown kind `" + kind_ +
                                "`; use llvm, cuda or opencl (e.g. \"llvm -mcpu=znver3\", "
                                "\"cuda -arch=sm_90\")");
  std::string word;
  while (in >> word) {
    const size_t eq = word.find('=');
    if (word.size() < 2 || word[0] != '-' || eq == std::string::npos)
      throw std::invalid_argument("target `" + text + "`: option `" + word +
                                  "` is not of the form -name=value");
    std::string name = word.substr(1, eq - 1);
    const auto& known = known_options(kind_);
    bool ok = false;
    for (const std::string& k : known) ok |= k == name;
    if (!ok) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "-" : ", -") + k;
      throw std::invalid_argument("target `" + text + "`: unknown option `-" + name + "` for " +
                                  kind_ + "; known: " + list);
    }
    options_[name] = word.substr(eq + 1);
    if (name == "fast_math" && options_[name] != "0" && options_[name] != "1")
      throw std::invalid_argument("target `" + text + "`: -fast_math takes 0 or 1, not `" +
                                  options_[name] + "`");
    if (name == "warp_size") {
      const std::string& v = options_[name];
      const bool digits =
          !v.empty() && v.size() <= 3 && v.find_first_not_of("0123456789") == std::string::npos;
      const int n = digits ? std::stoi(v) : 0;
      if (n < 1 || n > 64 || (n & (n - 1)) != 0)
        throw std::invalid_argument("target `" + text + "`: -warp_size takes a power of two " +
                                    "from 1 to 64 (32 emulates CUDA's warps), not `" + v + "`");
    }
  }
  if (kind_ == "llvm") {
#ifdef KILN_WITH_LLVM
    codegen::HostCpu host = codegen::host_cpu();
    const bool given_cpu = options_.count("mcpu") > 0;
    if (!given_cpu) options_["mcpu"] = host.cpu;
    if (!options_.count("mattr") && !given_cpu) options_["mattr"] = host.features;
    if (!options_.count("mtriple")) options_["mtriple"] = host.triple;
#else
    throw std::invalid_argument("target `" + text +
                                "`: this kiln was built without LLVM (KILN_WITH_LLVM=OFF); "
                                "rebuild with it, or use a cuda or opencl target");
#endif
    vector_bytes = vector_bytes_of(option("mattr"));
    num_cores = kiln_num_threads();
  } else {
    if (kind_ == "cuda" && !options_.count("arch")) options_["arch"] = codegen::default_cuda_arch();
    codegen::fill_gpu_parameters(*this);
  }
}

std::string Target::option(const std::string& name) const {
  auto it = options_.find(name);
  return it == options_.end() ? "" : it->second;
}

std::string Target::str() const {
  std::string out = kind_;
  for (const auto& [name, value] : options_) out += " -" + name + "=" + value;
  return out;
}

}  // namespace kiln
