// Registers OpenCL device memory (kDLOpenCL; an array's data is a cl_mem)
// with the runtime's DeviceAPI registry. Idempotent; every OpenCL module calls
// it when it is made, and a program that allocates OpenCL NDArrays before
// building anything calls it itself.
#pragma once

namespace kiln::runtime::opencl {

void register_opencl_device_api();

}  // namespace kiln::runtime::opencl
