// runtime/cuda/cuda_driver.h spells the driver's types and entry points
// itself, so that kiln builds without cuda.h and runs without a driver. Here,
// where the toolkit's cuda.h is present, every entry of the table must match
// the declaration it stands for, parameter by parameter, and the attribute
// numbers must be the driver's: a mismatch would only show on a GPU machine.
// The checks are static_asserts: this file does not compile when one fails.
#include <cstddef>
#include <tuple>
#include <type_traits>

#include "runtime/cuda/cuda_driver.h"

// Every entry of the table.
// clang-format off
#define KILN_DRIVER_ENTRIES(X)                                                         \
  X(cuInit) X(cuGetErrorName) X(cuGetErrorString) X(cuDeviceGet) X(cuDeviceGetCount)   \
  X(cuDeviceGetName) X(cuDeviceGetAttribute) X(cuDevicePrimaryCtxRetain)               \
  X(cuCtxSetCurrent) X(cuCtxSynchronize) X(cuMemAlloc) X(cuMemFree) X(cuMemcpyHtoD)    \
  X(cuMemcpyDtoH) X(cuMemcpyDtoD) X(cuModuleLoadData) X(cuModuleUnload)                \
  X(cuModuleGetFunction) X(cuFuncSetAttribute) X(cuLaunchKernel) X(cuEventCreate)      \
  X(cuEventDestroy) X(cuEventRecord) X(cuEventSynchronize) X(cuEventElapsedTime)
// clang-format on

// The table's types are named before cuda.h is included: its macros rename
// most entry points to their current versions (cuMemAlloc -> cuMemAlloc_v2),
// the symbols kiln resolves.
namespace kiln::runtime::cuda::abi {
#define KILN_OURS(name) using ours_##name = decltype(DriverTable::name);
KILN_DRIVER_ENTRIES(KILN_OURS)
#undef KILN_OURS
}  // namespace kiln::runtime::cuda::abi

#if __has_include(<cuda.h>)
#include <cuda.h>

namespace kiln::runtime::cuda::abi {

// Same size, and pointer or floating point where the other is: what the
// calling convention sees of a parameter (enums and handles are spelled
// differently).
template <typename A, typename B>
constexpr bool same_abi_type() {
  return sizeof(A) == sizeof(B) && std::is_pointer_v<A> == std::is_pointer_v<B> &&
         std::is_floating_point_v<A> == std::is_floating_point_v<B>;
}

template <typename F>
struct Signature;
template <typename R, typename... P>
struct Signature<R (*)(P...)> {
  using result = R;
  using params = std::tuple<P...>;
};

template <typename Ours, typename Theirs, size_t... I>
constexpr bool same_params(std::index_sequence<I...>) {
  return (same_abi_type<std::tuple_element_t<I, Ours>, std::tuple_element_t<I, Theirs>>() && ...);
}

template <typename Ours, typename Theirs>
constexpr bool same_abi() {
  using O = Signature<Ours>;
  using T = Signature<Theirs>;
  constexpr size_t n = std::tuple_size_v<typename O::params>;
  if constexpr (n != std::tuple_size_v<typename T::params>) {
    return false;
  } else {
    return same_abi_type<typename O::result, typename T::result>() &&
           same_params<typename O::params, typename T::params>(std::make_index_sequence<n>{});
  }
}

#define KILN_CHECK(name) \
  static_assert(same_abi<ours_##name, decltype(&::name)>(), #name " differs from cuda.h");
KILN_DRIVER_ENTRIES(KILN_CHECK)
#undef KILN_CHECK

#define KILN_SAME_VALUE(ours, theirs) \
  static_assert(static_cast<int>(ours) == static_cast<int>(theirs), #ours);
KILN_SAME_VALUE(kMaxThreadsPerBlock, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK)
KILN_SAME_VALUE(kMaxBlockDimX, CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X)
KILN_SAME_VALUE(kMaxBlockDimY, CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y)
KILN_SAME_VALUE(kMaxBlockDimZ, CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z)
KILN_SAME_VALUE(kMaxSharedMemoryPerBlock, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK)
KILN_SAME_VALUE(kWarpSize, CU_DEVICE_ATTRIBUTE_WARP_SIZE)
KILN_SAME_VALUE(kMaxRegistersPerBlock, CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK)
KILN_SAME_VALUE(kMultiprocessorCount, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT)
KILN_SAME_VALUE(kL2CacheSize, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE)
KILN_SAME_VALUE(kMaxThreadsPerMultiprocessor, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR)
KILN_SAME_VALUE(kMaxSharedMemoryPerMultiprocessor,
                CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR)
KILN_SAME_VALUE(kMaxRegistersPerMultiprocessor,
                CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR)
KILN_SAME_VALUE(kComputeCapabilityMajor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
KILN_SAME_VALUE(kComputeCapabilityMinor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)
KILN_SAME_VALUE(kMaxSharedMemoryPerBlockOptin,
                CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)
KILN_SAME_VALUE(kFuncAttributeMaxDynamicSharedSizeBytes,
                CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
#undef KILN_SAME_VALUE
static_assert(sizeof(CUdeviceptr) == sizeof(::CUdeviceptr));

}  // namespace kiln::runtime::cuda::abi
#endif
