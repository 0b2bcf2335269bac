// check_arguments: one test per way an argument can be wrong, each checking
// that the message names the kernel, the argument and its parameter, what was
// expected, what was given, and the fix.
#include <gtest/gtest.h>

#include "runtime/module.h"
#include "tests/cpp/runtime/expect_error.h"

namespace kiln::runtime {
namespace {

KernelSignature add_signature() {
  const DLDataType f32 = parse_dtype("float32");
  return KernelSignature{"add", {{"A", f32, {4, 8}}, {"B", f32, {4, 8}}, {"C", f32, {4, 8}}}, 16};
}

// A DLTensor over `storage` (aligned), with the signature's shape by default.
struct Arg {
  alignas(64) float storage[64] = {};
  std::vector<int64_t> shape = {4, 8};
  std::vector<int64_t> strides;
  DLTensor tensor{};
  Arg() { update(); }
  const DLTensor* update() {
    tensor.data = storage;
    tensor.device = {kDLCPU, 0};
    tensor.ndim = static_cast<int>(shape.size());
    tensor.dtype = parse_dtype("float32");
    tensor.shape = shape.data();
    tensor.strides = strides.empty() ? nullptr : strides.data();
    return &tensor;
  }
};

struct CheckArguments : ::testing::Test {
  KernelSignature signature = add_signature();
  Arg a, b, c;
  std::vector<const DLTensor*> args() { return {&a.tensor, &b.tensor, &c.tensor}; }
  void check() { check_arguments(signature, args(), kDLCPU); }
};

TEST_F(CheckArguments, AcceptsMatchingArguments) {
  EXPECT_NO_THROW(check());
  b.strides = {8, 1};  // explicit row-major strides are contiguous
  b.update();
  EXPECT_NO_THROW(check());
  c.tensor.byte_offset = 32;  // offset folded in: still 16-byte aligned
  EXPECT_NO_THROW(check());
}

TEST_F(CheckArguments, WrongCount) {
  EXPECT_RUNTIME_ERROR(check_arguments(signature, {&a.tensor, &b.tensor}, kDLCPU),
                       "kernel `add` takes 3 arguments (A, B, C) but was given 2",
                       "pass one array per parameter, in that order");
}

TEST_F(CheckArguments, NullTensor) {
  EXPECT_RUNTIME_ERROR(check_arguments(signature, {&a.tensor, nullptr, &c.tensor}, kDLCPU),
                       "kernel `add`, argument 1 (`B`): the tensor is null",
                       "pass an array of float32 (4, 8)");
}

TEST_F(CheckArguments, WrongDevice) {
  c.tensor.device = {kDLCUDA, 0};
  EXPECT_RUNTIME_ERROR(check(), "kernel `add`, argument 2 (`C`)", "expected an array on cpu",
                       "given one on cuda:0", "kiln.nd.array(x, device=\"cpu\")");
}

// A GPU module takes arrays of its own kind of device, and only device 0's.
TEST_F(CheckArguments, OnAnotherDeviceOfTheModulesKind) {
  for (Arg* arg : {&a, &b, &c}) arg->tensor.device = {kDLCUDA, 0};
  auto check_cuda = [&] { check_arguments(signature, args(), kDLCUDA); };
  EXPECT_NO_THROW(check_cuda());
  b.tensor.device = {kDLCUDA, 1};
  EXPECT_RUNTIME_ERROR(check_cuda(), "kernel `add`, argument 1 (`B`)", "the array is on cuda:1",
                       "kiln runs cuda kernels on cuda:0 only", "x.to(\"cuda:0\")");
  b.tensor.device = {kDLOpenCL, 0};
  EXPECT_RUNTIME_ERROR(check_cuda(), "argument 1 (`B`)", "expected an array on cuda",
                       "given one on opencl:0");
}

TEST_F(CheckArguments, WrongDtype) {
  a.tensor.dtype = parse_dtype("float64");
  EXPECT_RUNTIME_ERROR(check(), "kernel `add`, argument 0 (`A`)", "expected dtype float32",
                       "given float64", "x.astype(\"float32\")");
  a.tensor.dtype = DLDataType{kDLFloat, 32, 4};
  EXPECT_RUNTIME_ERROR(check(), "expected dtype float32", "given float32x4");
}

TEST_F(CheckArguments, AcceptsBoolInEitherSpelling) {
  signature.params[0].dtype = parse_dtype("bool");
  a.update();
  a.tensor.dtype = DLDataType{kDLBool, 8, 1};  // NumPy, PyTorch
  EXPECT_NO_THROW(check());
  a.tensor.dtype = DLDataType{kDLUInt, 1, 1};  // TVM-era exporters
  EXPECT_NO_THROW(check());
  a.tensor.dtype = DLDataType{kDLUInt, 8, 1};  // a real uint8 is not a bool
  EXPECT_RUNTIME_ERROR(check(), "expected dtype bool", "given uint8");
}

TEST_F(CheckArguments, WrongShape) {
  b.shape = {8, 4};
  b.update();
  EXPECT_RUNTIME_ERROR(check(), "kernel `add`, argument 1 (`B`)", "expected shape (4, 8)",
                       "given (8, 4)", "build the kernel again");
  b.shape = {32};
  b.update();
  EXPECT_RUNTIME_ERROR(check(), "expected shape (4, 8), given (32,)");
}

TEST_F(CheckArguments, NotContiguous) {
  // A transposed (8, 4) array seen as (4, 8).
  c.strides = {1, 4};
  c.update();
  EXPECT_RUNTIME_ERROR(check(), "kernel `add`, argument 2 (`C`)", "not contiguous",
                       "strides (1, 4) in elements, row-major would be (8, 1)",
                       "np.ascontiguousarray(x)", "kiln.nd.array");
}

// A host array of any alignment fits: the module copies it where needed
// (runtime/staging.h). An array on a device is used in place and must be.
TEST_F(CheckArguments, MisalignedOnADevice) {
  a.tensor.data = a.storage + 1;
  EXPECT_NO_THROW(check());
  for (Arg* arg : {&a, &b, &c}) arg->tensor.device = {kDLCUDA, 0};
  auto check_cuda = [&] { check_arguments(signature, args(), kDLCUDA); };
  EXPECT_RUNTIME_ERROR(check_cuda(), "kernel `add`, argument 0 (`A`)", "not 16-byte aligned",
                       "4 bytes past a multiple", "a[1:]", "kiln.nd.array(x, device=...)");
  a.tensor.data = a.storage;
  a.tensor.byte_offset = 8;
  EXPECT_RUNTIME_ERROR(check_cuda(), "not 16-byte aligned", "8 bytes past a multiple");
  signature.alignment = 4;  // a kernel asking less accepts it
  EXPECT_NO_THROW(check_cuda());
}

}  // namespace
}  // namespace kiln::runtime
