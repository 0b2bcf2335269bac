// Registers CUDA device memory (kDLCUDA) with the runtime's DeviceAPI
// registry. Idempotent; every CUDA module calls it when it is made, and a
// program that allocates CUDA NDArrays before building anything calls it
// itself. Registering needs no driver: using the memory does.
#pragma once

namespace kiln::runtime::cuda {

void register_cuda_device_api();

}  // namespace kiln::runtime::cuda
