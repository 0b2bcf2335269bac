// The OpenCL device kiln runs GPU kernels on when there is no GPU: the first
// device of the ICD loader's platforms (PoCL's CPU device on the build
// machines; KILN_OPENCL_DEVICE=<platform>:<device> picks another). One
// context and one in-order, profiling queue per process; programs are built
// once per source text and kept.
//
// The ICD loader is not linked but loaded on first use (opencl_api.h says
// why), so a machine without it builds and runs kiln; opencl_available() is
// then false with the reason. Without OpenCL's headers at configure time kiln
// still builds; every entry point then throws RuntimeError saying so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace kiln::runtime::opencl {

// Opaque handles (cl_mem, cl_program, cl_kernel) so that users of the
// runtime need no OpenCL headers.
using Memory = void*;
using Program = void*;
using Kernel = void*;

struct DeviceInfo {
  std::string platform;  // "Portable Computing Language"
  std::string name;      // "pthread-AMD EPYC ..."
  int64_t max_work_group_size = 0;
  int64_t max_work_item_sizes[3] = {0, 0, 0};
  int64_t local_mem_size = 0;         // bytes
  int64_t global_mem_cache_size = 0;  // bytes
  int64_t compute_units = 0;
  bool has_fp16 = false;  // cl_khr_fp16: half arithmetic
  bool has_fp64 = false;  // cl_khr_fp64: double
};

// True when an OpenCL device is reachable; otherwise false with `reason`.
bool opencl_available(std::string* reason = nullptr);
// The device in use; throws RuntimeError "no OpenCL device: ..." when none.
const DeviceInfo& device_info();

Memory alloc_memory(size_t bytes);
void free_memory(Memory memory);
void write(Memory dst, size_t offset, const void* src, size_t bytes);
void read(void* dst, Memory src, size_t offset, size_t bytes);
void copy(Memory dst, size_t dst_offset, Memory src, size_t src_offset, size_t bytes);

// Builds `source` (OpenCL C 1.2) or returns the program built before from the
// same text. A build failure throws RuntimeError with the compiler's log.
Program build_program(const std::string& source);
// A new kernel object (the caller releases it); throws when `name` is absent.
Kernel create_kernel(Program program, const std::string& name);
void release_kernel(Kernel kernel);
void set_arg_memory(Kernel kernel, int index, Memory memory);
// Enqueues an NDRange of global = grid * block work-items, local = block.
// Returns the kernel's run time in nanoseconds when `profile` (waits), else 0.
int64_t enqueue(Kernel kernel, const int64_t grid[3], const int64_t block[3], bool profile);
// Waits for every command queued so far.
void finish();

}  // namespace kiln::runtime::opencl
