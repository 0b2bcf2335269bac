// Misaligned host arrays: a kernel gets aligned copies of the arrays its
// entry or its speed needs aligned, and the arrays it writes get its results.
#include "runtime/staging.h"

#include <gtest/gtest.h>

#include <cstring>

#include "runtime/packed_function_module.h"

namespace kiln::runtime {
namespace {

// What the entry below saw.
void* g_seen[3];

// y = x + 1; and scribbles on z, which the signature says it only reads.
extern "C" int32_t shift_packed(void* const* args) {
  for (int p = 0; p < 3; ++p) g_seen[p] = args[p];
  const float* x = static_cast<const float*>(args[0]);
  float* y = static_cast<float*>(args[1]);
  for (int i = 0; i < 64; ++i) y[i] = x[i] + 1.0f;
  static_cast<float*>(args[2])[0] = -1.0f;
  return KILN_OK;
}

class TestModule final : public PackedFunctionModule {
 public:
  explicit TestModule(KernelSignature sig)
      : PackedFunctionModule({std::move(sig)}, {&shift_packed}, nullptr) {}
  std::string kind() const override { return "test"; }
};

// 64 floats starting `offset` bytes past a 64-byte boundary.
struct OffsetArray {
  alignas(64) char storage[64 * 4 + 128] = {};
  int64_t shape[1] = {64};
  DLTensor tensor{};
  explicit OffsetArray(size_t offset) {
    tensor.data = storage + offset;
    tensor.device = {kDLCPU, 0};
    tensor.ndim = 1;
    tensor.dtype = parse_dtype("float32");
    tensor.shape = shape;
  }
  float* data() { return static_cast<float*>(tensor.data); }
};

void call(const Module& m, const std::vector<const DLTensor*>& args) { m.entry()(args); }

uintptr_t past_line(void* p) { return reinterpret_cast<uintptr_t>(p) % 64; }

Module shift_module(int64_t preferred_x, int64_t preferred_y) {
  const DLDataType f32 = parse_dtype("float32");
  KernelSignature sig{"shift", {{"x", f32, {64}}, {"y", f32, {64}}, {"z", f32, {64}}}, 16};
  sig.params[0].written = false;
  sig.params[0].preferred_alignment = preferred_x;
  sig.params[1].preferred_alignment = preferred_y;
  sig.params[2].written = false;
  return Module(std::make_shared<TestModule>(sig));
}

TEST(Staging, AlignedArraysAreUsedInPlace) {
  OffsetArray x(0), y(0), z(0);
  call(shift_module(64, 64), {&x.tensor, &y.tensor, &z.tensor});
  EXPECT_EQ(g_seen[0], x.tensor.data);
  EXPECT_EQ(g_seen[1], y.tensor.data);
  EXPECT_EQ(g_seen[2], z.tensor.data);
  EXPECT_EQ(z.data()[0], -1.0f);  // in place, the scribble shows
}

TEST(Staging, ArraysOffALineAreCopiedWhereTheKernelWantsALine) {
  OffsetArray x(16), y(48), z(16);
  for (int i = 0; i < 64; ++i) x.data()[i] = static_cast<float>(i);
  z.data()[0] = 5.0f;
  call(shift_module(64, 0), {&x.tensor, &y.tensor, &z.tensor});
  EXPECT_EQ(past_line(g_seen[0]), 0u);  // x: wanted on a line, copied
  EXPECT_EQ(g_seen[1], y.tensor.data);  // y: 16-byte aligned is enough
  EXPECT_EQ(g_seen[2], z.tensor.data);
  for (int i = 0; i < 64; ++i) ASSERT_EQ(y.data()[i], i + 1.0f) << i;
}

TEST(Staging, ArraysBelowTheEntrysAlignmentAreCopiedAndWrittenBack) {
  OffsetArray x(4), y(8), z(12);
  for (int i = 0; i < 64; ++i) x.data()[i] = static_cast<float>(2 * i);
  z.data()[0] = 5.0f;
  call(shift_module(0, 0), {&x.tensor, &y.tensor, &z.tensor});
  for (void* seen : g_seen) EXPECT_EQ(reinterpret_cast<uintptr_t>(seen) % 16, 0u);
  for (int i = 0; i < 64; ++i) ASSERT_EQ(y.data()[i], 2 * i + 1.0f) << i;  // written back
  EXPECT_EQ(z.data()[0], 5.0f);  // read-only: its copy is not written back
  // A second call reuses the thread's scratch and gives the same result.
  for (int i = 0; i < 64; ++i) x.data()[i] = 1.0f;
  call(shift_module(0, 0), {&x.tensor, &y.tensor, &z.tensor});
  for (int i = 0; i < 64; ++i) ASSERT_EQ(y.data()[i], 2.0f) << i;
}

}  // namespace
}  // namespace kiln::runtime
