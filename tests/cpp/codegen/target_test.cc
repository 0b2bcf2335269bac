// Target: features a CPU name implies, this host's caches and cores, the
// canonical key, parsing without side effects, refusals at parse time, and
// the GPU presets.
#include "codegen/target.h"

#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace kiln {
namespace {

bool has_feature(const Target& t, const std::string& f) {
  for (const std::string& x : t.features)
    if (x == f) return true;
  return false;
}

int threads_of_this_process() {
  int n = 0;
  if (DIR* dir = opendir("/proc/self/task")) {
    while (dirent* e = readdir(dir)) n += e->d_name[0] != '.';
    closedir(dir);
  }
  return n;
}

bool library_mapped(const std::string& name) {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);)
    if (line.find(name) != std::string::npos) return true;
  return false;
}

TEST(Target, TheCpuNameImpliesItsFeatures) {
  const Target zen4("llvm -mcpu=znver4");
  EXPECT_EQ(zen4.vector_bytes, 64);
  EXPECT_TRUE(zen4.has_fma);
  EXPECT_TRUE(has_feature(zen4, "avx512f") && has_feature(zen4, "avx512bw")) << zen4.str();
  EXPECT_EQ(zen4.option("mcpu"), "znver4");
  EXPECT_EQ(zen4.option("mattr"), "");
  EXPECT_EQ(Target("llvm -mcpu=skylake-avx512").vector_bytes, 64);
  EXPECT_EQ(Target("llvm -mcpu=haswell").vector_bytes, 32);
  EXPECT_TRUE(Target("llvm -mcpu=haswell").has_fma);
  EXPECT_EQ(Target("llvm -mcpu=x86-64").vector_bytes, 16);
  EXPECT_FALSE(Target("llvm -mcpu=x86-64").has_fma);
  // Features taken away take what depends on them.
  const Target no512("llvm -mcpu=znver4 -mattr=-avx512f");
  EXPECT_EQ(no512.vector_bytes, 32);
  EXPECT_FALSE(has_feature(no512, "avx512bw"));
  EXPECT_NE(no512.option("mattr").find("-avx512f"), std::string::npos);
  // A CPU of another architecture, for a machine this is not.
  const Target arm("llvm -mtriple=aarch64-linux-gnu -mcpu=neoverse-n1");
  EXPECT_EQ(arm.vector_bytes, 16);
  EXPECT_TRUE(arm.has_fma);
  EXPECT_EQ(arm.l1d_cache_bytes, 64 * 1024);
}

TEST(Target, ThisHostsCachesAndCores) {
  const Target host("llvm");
  EXPECT_EQ(host.hardware_source, "host");
  EXPECT_GE(host.l1d_cache_bytes, 16 * 1024);
  EXPECT_LE(host.l1d_cache_bytes, 1024 * 1024);
  EXPECT_GE(host.l2_cache_bytes, host.l1d_cache_bytes);
  EXPECT_TRUE(host.l3_cache_bytes == 0 || host.l3_cache_bytes >= host.l2_cache_bytes);
  EXPECT_TRUE(host.cache_line_bytes == 64 || host.cache_line_bytes == 128) << host.cache_line_bytes;
  EXPECT_GE(host.physical_cores, 1);
  EXPECT_GE(host.hardware_threads, host.physical_cores);
  EXPECT_GE(host.num_cores, 1);
  EXPECT_FALSE(host.features.empty());
  EXPECT_TRUE(host.vector_bytes == 16 || host.vector_bytes == 32 || host.vector_bytes == 64);
  // Whatever LLVM calls a CPU newer than itself ("generic"), the key names one
  // it knows with the host's features.
  EXPECT_NE(host.option("mcpu"), "");
  const nlohmann::json d = host.describe();
  EXPECT_EQ(d["key"], host.str());
  EXPECT_EQ(d["l1d_cache_bytes"], host.l1d_cache_bytes);
  EXPECT_EQ(d["physical_cores"], host.physical_cores);
}

TEST(Target, NamedCpusTakeTheirPresetCaches) {
  const Target skx("llvm -mcpu=skylake-avx512");
  if (skx.hardware_source == "host") GTEST_SKIP() << "this machine is a skylake-avx512";
  EXPECT_EQ(skx.hardware_source, "preset");
  EXPECT_EQ(skx.l1d_cache_bytes, 32 * 1024);
  EXPECT_EQ(skx.l2_cache_bytes, 1024 * 1024);
  EXPECT_EQ(skx.physical_cores, 0);  // not this machine: unknown
  const Target plain("llvm -mcpu=x86-64-v3");
  EXPECT_EQ(plain.hardware_source, "default");
  EXPECT_GT(plain.l2_cache_bytes, 0);
}

TEST(Target, EqualTargetsShareOneShortKey) {
  const Target host("llvm");
  EXPECT_EQ(Target(host.str()), host);
  EXPECT_EQ(Target(host.str()).str(), host.str());
  EXPECT_EQ(host.str().rfind("llvm -mcpu=", 0), 0u) << host.str();
  EXPECT_NE(host.str().find("-num_cores="), std::string::npos) << host.str();
  // The key lists what differs from the CPU's own features, not all of them.
  EXPECT_LT(host.str().size(), 400u) << host.str();
  const std::string triple = host.triple;
  EXPECT_EQ(Target("llvm -mcpu=znver4 -mattr=+avx512f,+fma -num_cores=4"),
            Target("llvm -mtriple=" + triple + " -num_cores=4 -mcpu=znver4"));
  EXPECT_EQ(Target("llvm -mcpu=znver4 -num_cores=4").str(), "llvm -mcpu=znver4 -num_cores=4");
  EXPECT_NE(Target("llvm -mcpu=znver4 -num_cores=4"), Target("llvm -mcpu=znver4 -num_cores=8"));
  EXPECT_NE(Target("llvm -mcpu=znver4"), Target("llvm -mcpu=znver3"));
  EXPECT_EQ(Target("cuda -arch=sm_90 -fast_math=0"), Target("cuda -arch=sm_90"));
  EXPECT_NE(Target("cuda -arch=sm_90 -fast_math=1"), Target("cuda -arch=sm_90"));
  EXPECT_EQ(Target("cuda -arch=sm_90").str(), "cuda -arch=sm_90");
  EXPECT_EQ(Target("opencl -warp_size=1"), Target("opencl"));
  EXPECT_EQ(Target("opencl -fast_math=1 -warp_size=32").str(),
            "opencl -warp_size=32 -fast_math=1");
  for (const char* text : {"llvm -mcpu=znver4 -mattr=-avx512f", "cuda -arch=sm_86",
                           "opencl -warp_size=8"}) {
    const Target t(text);
    EXPECT_EQ(Target(t.str()), t) << text;
  }
}

// Each test runs in a process of its own (gtest_discover_tests), so the
// counts below see only what parsing does.
TEST(Target, ParsingStartsNoThreadAndLoadsNoDriver) {
  const int before = threads_of_this_process();
  const Target host("llvm");
  const Target zen4("llvm -mcpu=znver4 -num_cores=64");
  const Target h100("cuda -arch=sm_90");
  EXPECT_EQ(threads_of_this_process(), before);
  EXPECT_FALSE(library_mapped("libcuda.so"));
  EXPECT_EQ(h100.hardware_source, "preset");
  EXPECT_EQ(zen4.num_cores, 64);
}

TEST(Target, ImpossibleTargetsAreRefusedWhenParsed) {
  auto refusal = [](const std::string& text) {
    try {
      Target t(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refusal("llvm -mcpu=nonsense").find("`nonsense` is unknown"), std::string::npos);
  EXPECT_NE(refusal("llvm -mattr=+nonsense").find("+nonsense"), std::string::npos);
  EXPECT_NE(refusal("llvm -mattr=avx2").find("avx2"), std::string::npos);
  EXPECT_NE(refusal("llvm -num_cores=0").find("-num_cores"), std::string::npos);
  EXPECT_NE(refusal("llvm -mtriple=nonsense-x-y -mcpu=generic").find("nonsense"),
            std::string::npos);
  EXPECT_NE(refusal("llvm -arch=sm_90").find("unknown option `-arch`"), std::string::npos);
  EXPECT_NE(refusal("cuda -arch=sm_10").find("sm_80, sm_86, sm_89, sm_90"), std::string::npos);
  EXPECT_NE(refusal("tpu").find("unknown kind"), std::string::npos);
  for (const char* bad : {"opencl -warp_size=0", "opencl -warp_size=48", "opencl -warp_size=128",
                          "opencl -warp_size=x", "cuda -arch=sm_90 -fast_math=yes"})
    EXPECT_NE(refusal(bad), "accepted") << bad;
}

TEST(Target, CudaPresetsWithTheirTensorCores) {
  struct Expected {
    const char* arch;
    int capability;
    bool wgmma;
  };
  for (const Expected& e : {Expected{"sm_80", 80, false}, Expected{"sm_86", 86, false},
                            Expected{"sm_89", 89, false}, Expected{"sm_90", 90, true}}) {
    const Target t(std::string("cuda -arch=") + e.arch);
    SCOPED_TRACE(e.arch);
    EXPECT_EQ(t.compute_capability, e.capability);
    EXPECT_EQ(t.max_threads_per_block, 1024);
    EXPECT_EQ(t.warp_size, 32);
    EXPECT_EQ(t.max_block_dims[2], 64);
    EXPECT_EQ(t.max_registers_per_block, 65536);
    EXPECT_EQ(t.max_registers_per_sm, 65536);
    EXPECT_GT(t.max_shared_memory_per_block, 48 * 1024);
    EXPECT_GE(t.max_shared_memory_per_sm, t.max_shared_memory_per_block);
    EXPECT_GE(t.max_threads_per_sm, 1536);
    EXPECT_GE(t.l2_cache_bytes, 6 << 20);
    EXPECT_GT(t.sm_count, 0);
    const auto& tc = t.tensor_core_instructions;
    EXPECT_NE(std::find(tc.begin(), tc.end(), "mma.sync"), tc.end());
    EXPECT_EQ(std::find(tc.begin(), tc.end(), "wgmma") != tc.end(), e.wgmma);
    EXPECT_EQ(t.describe()["compute_capability"],
              std::to_string(e.capability / 10) + "." + std::to_string(e.capability % 10));
  }
  EXPECT_EQ(Target("cuda -arch=sm_90").sm_count, 132);
}

TEST(Target, OpenCLIsTheDeviceInUseOrShapedLikePocl) {
  const Target cl("opencl");
  EXPECT_GT(cl.max_threads_per_block, 0);
  EXPECT_GT(cl.max_shared_memory_per_block, 0);
  EXPECT_EQ(cl.warp_size, 1);
  EXPECT_EQ(Target("opencl -warp_size=32").warp_size, 32);
}

}  // namespace
}  // namespace kiln
