// NDArray: dtypes and devices as text, allocation and alignment, DLPack in
// and out (ownership: the deleter runs once, when the last reference goes),
// contiguity, copies, and a device plugged in through the DeviceAPI registry.
#include "runtime/ndarray.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "runtime/cuda/cuda_driver.h"
#include "runtime/device_api.h"
#include "runtime/opencl/opencl_context.h"
#include "tests/cpp/runtime/expect_error.h"

namespace kiln::runtime {
namespace {

TEST(DataType, ParsesAndPrintsEveryKernelType) {
  for (const char* name :
       {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16",
        "float32", "float64", "bfloat16", "float32x4", "int8x16"}) {
    EXPECT_EQ(dtype_str(parse_dtype(name)), name);
  }
  EXPECT_TRUE(parse_dtype("float32") == (DLDataType{kDLFloat, 32, 1})) << "float32";
  EXPECT_TRUE(parse_dtype("bfloat16") == (DLDataType{kDLBfloat, 16, 1})) << "bfloat16";
  EXPECT_TRUE(parse_dtype("uint16") == (DLDataType{kDLUInt, 16, 1})) << "uint16";
  EXPECT_TRUE(parse_dtype("float32x8") == (DLDataType{kDLFloat, 32, 8})) << "float32x8";
  // What NumPy's and PyTorch's __dlpack__ export for bool: kDLBool, 8 bits.
  EXPECT_TRUE(parse_dtype("bool") == (DLDataType{kDLBool, 8, 1})) << "bool";
  // TVM-era exporters' bool.
  EXPECT_EQ(dtype_str(DLDataType{kDLUInt, 1, 1}), "bool");
  EXPECT_EQ(dtype_str(DLDataType{kDLComplex, 64, 1}), "complex64");
}

TEST(DataType, UnknownTextSaysWhatIsKnown) {
  EXPECT_RUNTIME_ERROR(parse_dtype("float"), "unknown dtype `float`", "float32", "bfloat16");
  EXPECT_RUNTIME_ERROR(parse_dtype("int7"), "unknown dtype `int7`");
  EXPECT_RUNTIME_ERROR(parse_dtype("complex64"), "unknown dtype `complex64`", "kiln knows");
  EXPECT_RUNTIME_ERROR(parse_dtype("float32x0"), "lanes after `x`", "float32x4");
  EXPECT_RUNTIME_ERROR(parse_dtype(""), "unknown dtype ``");
}

TEST(Device, PrintsAndParses) {
  EXPECT_EQ(device_str({kDLCPU, 0}), "cpu");
  EXPECT_EQ(device_str({kDLCUDA, 1}), "cuda:1");
  EXPECT_EQ(device_str({kDLOpenCL, 0}), "opencl:0");
  for (DLDevice d : {DLDevice{kDLCPU, 0}, DLDevice{kDLCUDA, 2}, DLDevice{kDLOpenCL, 0}}) {
    DLDevice back = parse_device(device_str(d));
    EXPECT_EQ(back.device_type, d.device_type);
    EXPECT_EQ(back.device_id, d.device_id);
  }
  EXPECT_EQ(parse_device("cuda").device_id, 0);
  EXPECT_RUNTIME_ERROR(parse_device("tpu"), "unknown device `tpu`", "cpu, cuda[:N] or opencl[:N]");
  EXPECT_RUNTIME_ERROR(parse_device("cuda:x"), "unknown device `cuda:x`", "whole number");
}

TEST(NDArray, CpuMemoryIsSixtyFourByteAligned) {
  for (int64_t n : {0, 1, 3, 17, 1000, 1 << 20}) {
    NDArray a = NDArray::empty({n}, parse_dtype("float32"));
    ASSERT_NE(a.data(), nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % 64, 0u) << n;
    EXPECT_EQ(a.num_bytes(), 4 * n);
  }
  NDArray b = NDArray::empty({2, 3, 5}, parse_dtype("bfloat16"));
  EXPECT_EQ(b.shape(), (std::vector<int64_t>{2, 3, 5}));
  EXPECT_EQ(b.num_elements(), 30);
  EXPECT_EQ(b.num_bytes(), 60);
  EXPECT_EQ(device_str(b.device()), "cpu");
  EXPECT_TRUE(b.is_contiguous());
  std::memset(b.data(), 0xab, b.num_bytes());  // every byte is writable
  NDArray scalar = NDArray::empty({}, parse_dtype("int64"));
  EXPECT_EQ(scalar.num_elements(), 1);
}

TEST(NDArray, EmptyRejectsWhatCannotBeAllocated) {
  EXPECT_RUNTIME_ERROR(NDArray::empty({4, -1}, parse_dtype("float32")), "(4, -1)",
                       "negative extent");
  EXPECT_RUNTIME_ERROR(NDArray::empty({int64_t{1} << 40, int64_t{1} << 40}, parse_dtype("float32")),
                       "more bytes than memory can address");
  EXPECT_RUNTIME_ERROR(NDArray::empty({4}, parse_dtype("float32"), {kDLVulkan, 0}),
                       "cannot allocate an NDArray on vulkan:0", "use the CPU");
}

// The GPU device APIs register on first use (arrays work before any kernel is
// built), so a GPU array fails only when its driver is missing, and says why.
TEST(NDArray, GpuArraysNeedTheirDriver) {
  std::string reason;
  if (!cuda::driver_available(&reason)) {
    EXPECT_RUNTIME_ERROR(NDArray::empty({4}, parse_dtype("float32"), {kDLCUDA, 0}),
                         "no CUDA driver", reason.c_str());
  } else {
    EXPECT_EQ(NDArray::empty({4}, parse_dtype("float32"), {kDLCUDA, 0}).device().device_type,
              kDLCUDA);
  }
  if (!opencl::opencl_available(&reason)) {
    EXPECT_RUNTIME_ERROR(NDArray::empty({4}, parse_dtype("float32"), {kDLOpenCL, 0}),
                         "no OpenCL device", reason.c_str());
  } else {
    NDArray a = NDArray::empty({4}, parse_dtype("float32"), {kDLOpenCL, 0});
    EXPECT_EQ(a.device().device_type, kDLOpenCL);
    EXPECT_NE(a.tensor().data, nullptr) << "an OpenCL array's data is its cl_mem";
  }
  EXPECT_NE(find_device_api(kDLCUDA), nullptr) << "registered by the first CUDA array";
  EXPECT_NE(find_device_api(kDLOpenCL), nullptr) << "registered by the first OpenCL array";
}

TEST(NDArray, UndefinedArraysSaySo) {
  NDArray a;
  EXPECT_FALSE(a.defined());
  EXPECT_RUNTIME_ERROR(a.tensor(), "undefined", "NDArray::empty");
  EXPECT_RUNTIME_ERROR(NDArray::from_dlpack(nullptr), "null");
}

// A DLManagedTensor owning its own host memory, counting its deleter's calls.
struct CountedTensor {
  DLManagedTensor managed{};
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
  std::vector<float> data;
  int* deletions;

  static DLManagedTensor* make(std::vector<int64_t> shape, std::vector<int64_t> strides,
                               int* deletions) {
    auto* t = new CountedTensor{};
    t->shape = std::move(shape);
    t->strides = std::move(strides);
    int64_t n = 1;
    for (int64_t e : t->shape) n *= e;
    t->data.resize(n);
    for (int64_t i = 0; i < n; ++i) t->data[i] = static_cast<float>(i);
    t->deletions = deletions;
    DLTensor& d = t->managed.dl_tensor;
    d.data = t->data.data();
    d.device = {kDLCPU, 0};
    d.ndim = static_cast<int>(t->shape.size());
    d.dtype = {kDLFloat, 32, 1};
    d.shape = t->shape.data();
    d.strides = t->strides.empty() ? nullptr : t->strides.data();
    t->managed.manager_ctx = t;
    t->managed.deleter = [](DLManagedTensor* self) {
      auto* owner = static_cast<CountedTensor*>(self->manager_ctx);
      ++*owner->deletions;
      delete owner;
    };
    return &t->managed;
  }
};

TEST(NDArray, FromDlpackTakesOwnershipAndDeletesOnceWhenTheLastReferenceGoes) {
  int deletions = 0;
  DLManagedTensor* managed = CountedTensor::make({2, 3}, {}, &deletions);
  void* data = managed->dl_tensor.data;
  {
    NDArray a = NDArray::from_dlpack(managed);
    EXPECT_EQ(a.data(), data);  // no copy
    EXPECT_EQ(a.shape(), (std::vector<int64_t>{2, 3}));
    NDArray b = a;
    { NDArray c = b; }
    EXPECT_EQ(deletions, 0);
    a = NDArray();
    EXPECT_EQ(deletions, 0);
    EXPECT_EQ(static_cast<float*>(b.data())[5], 5.0f);
  }
  EXPECT_EQ(deletions, 1);
}

TEST(NDArray, ToDlpackKeepsTheArrayAliveUntilItsDeleterRuns) {
  NDArray a = NDArray::empty({4, 4}, parse_dtype("float32"));
  for (int i = 0; i < 16; ++i) static_cast<float*>(a.data())[i] = static_cast<float>(i);
  DLManagedTensor* exported = a.to_dlpack();
  void* data = a.data();
  a = NDArray();  // the export alone keeps the memory now
  EXPECT_EQ(exported->dl_tensor.data, data);
  EXPECT_EQ(exported->dl_tensor.ndim, 2);
  EXPECT_EQ(exported->dl_tensor.shape[0], 4);
  EXPECT_EQ(exported->dl_tensor.shape[1], 4);
  EXPECT_TRUE(exported->dl_tensor.dtype == parse_dtype("float32"));
  EXPECT_EQ(static_cast<float*>(exported->dl_tensor.data)[15], 15.0f);
  exported->deleter(exported);
}

TEST(NDArray, DlpackRoundTripKeepsDataAndDeletesOnce) {
  int deletions = 0;
  NDArray original = NDArray::from_dlpack(CountedTensor::make({8}, {}, &deletions));
  NDArray back = NDArray::from_dlpack(original.to_dlpack());
  original = NDArray();
  EXPECT_EQ(deletions, 0);
  EXPECT_EQ(static_cast<float*>(back.data())[7], 7.0f);
  back = NDArray();
  EXPECT_EQ(deletions, 1);
}

TEST(NDArray, ContiguityAcceptsRowMajorStridesAndFreeSizeOneStrides) {
  int deletions = 0;
  auto contiguous = [&](std::vector<int64_t> shape, std::vector<int64_t> strides) {
    return NDArray::from_dlpack(
               CountedTensor::make(std::move(shape), std::move(strides), &deletions))
        .is_contiguous();
  };
  EXPECT_TRUE(contiguous({3, 4}, {}));             // no strides: row-major
  EXPECT_TRUE(contiguous({3, 4}, {4, 1}));         // explicit row-major
  EXPECT_FALSE(contiguous({3, 4}, {1, 3}));        // transposed
  EXPECT_FALSE(contiguous({3, 4}, {8, 1}));        // every other row
  EXPECT_FALSE(contiguous({3, 4}, {4, 2}));        // gaps in a row
  EXPECT_TRUE(contiguous({3, 1, 4}, {4, 99, 1}));  // a size-1 dim's stride is free
  EXPECT_TRUE(contiguous({1, 4}, {0, 1}));
  EXPECT_TRUE(contiguous({1}, {7}));
  EXPECT_TRUE(contiguous({0, 4}, {1, 9}));  // no elements
  EXPECT_TRUE(contiguous({}, {}));
  EXPECT_EQ(deletions, 10);
}

TEST(NDArray, CopyFromCopiesBytesAndChecksSizesAndLayout) {
  NDArray a = NDArray::empty({2, 8}, parse_dtype("float32"));
  NDArray b = NDArray::empty({16}, parse_dtype("int32"));  // same bytes, other view
  for (int i = 0; i < 16; ++i) static_cast<float*>(a.data())[i] = 1.5f * i;
  b.copy_from(a);
  EXPECT_EQ(std::memcmp(a.data(), b.data(), 64), 0);
  EXPECT_RUNTIME_ERROR(a.copy_from(NDArray::empty({3}, parse_dtype("float32"))), "sizes differ",
                       "float32 (2, 8) on cpu is 64 bytes", "(3,) on cpu is 12");
  int deletions = 0;
  NDArray transposed = NDArray::from_dlpack(CountedTensor::make({4, 4}, {1, 4}, &deletions));
  EXPECT_RUNTIME_ERROR(a.copy_from(transposed), "source float32 (4, 4) on cpu is not contiguous");
}

// A device for the test: host memory behind the DeviceAPI, every call counted.
class CountingDevice final : public DeviceAPI {
 public:
  std::map<std::string, int> calls;
  void* alloc(DLDevice device, size_t bytes, size_t alignment) override {
    ++calls["alloc"];
    return find_device_api(kDLCPU)->alloc({kDLCPU, 0}, bytes, alignment);
  }
  void free(DLDevice device, void* data) override {
    ++calls["free"];
    find_device_api(kDLCPU)->free({kDLCPU, 0}, data);
  }
  void copy_to_host(DLDevice device, const void* data, uint64_t offset, void* host,
                    size_t bytes) override {
    ++calls["to_host"];
    std::memcpy(host, static_cast<const char*>(data) + offset, bytes);
  }
  void copy_from_host(const void* host, DLDevice device, void* data, uint64_t offset,
                      size_t bytes) override {
    ++calls["from_host"];
    std::memcpy(static_cast<char*>(data) + offset, host, bytes);
  }
};

TEST(NDArray, ADeviceRegisteredLaterAllocatesAndCopiesThroughItsAPI) {
  auto device = std::make_shared<CountingDevice>();
  register_device_api(kDLExtDev, device);
  {
    NDArray host = NDArray::empty({8}, parse_dtype("int32"));
    for (int i = 0; i < 8; ++i) static_cast<int32_t*>(host.data())[i] = i * i;
    NDArray on_device = NDArray::empty({8}, parse_dtype("int32"), {kDLExtDev, 0});
    NDArray other = NDArray::empty({8}, parse_dtype("int32"), {kDLExtDev, 0});
    EXPECT_EQ(device_str(on_device.device()), "ext_dev:0");
    on_device.copy_from(host);
    other.copy_from(on_device);  // device to device goes through the host
    NDArray back = NDArray::empty({8}, parse_dtype("int32"));
    back.copy_from(other);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(static_cast<int32_t*>(back.data())[i], i * i);
    // Replacing the API leaves arrays made by the old one with it.
    register_device_api(kDLExtDev, nullptr);
    EXPECT_EQ(find_device_api(kDLExtDev), nullptr);
  }
  EXPECT_EQ(device->calls["alloc"], 2);
  EXPECT_EQ(device->calls["free"], 2);
  EXPECT_EQ(device->calls["from_host"], 2);
  EXPECT_EQ(device->calls["to_host"], 2);
  EXPECT_RUNTIME_ERROR(NDArray::empty({1}, parse_dtype("int32"), {kDLExtDev, 0}),
                       "cannot allocate an NDArray on ext_dev:0");
}

}  // namespace
}  // namespace kiln::runtime
