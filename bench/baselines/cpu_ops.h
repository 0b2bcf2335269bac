// The vendor kernels for an operator of kiln's workload registry: each runs
// on arrays laid out as the workload's parameters (its inputs, then its
// output), so that kiln's kernel and every library's read and write the same
// memory. What each library has:
//
//   matmul                       OpenBLAS, Eigen, oneDNN (sgemm)
//   batch_matmul                 OpenBLAS (an sgemm per batch), Eigen, oneDNN (matmul)
//   dense_bias_relu              OpenBLAS (sgemm, then bias and relu), Eigen, oneDNN (matmul
//                                with bias and a relu post-op)
//   conv2d_nhwc / conv2d_nchw    oneDNN
//   depthwise_conv2d_nhwc        oneDNN (a convolution of C groups)
//   softmax / layernorm          oneDNN
//
// Like cpu_gemm.h, compiled apart for the host's ISA (see there why).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace kiln::bench {

struct VendorKernel {
  std::string library;  // "OpenBLAS", "Eigen", "oneDNN"
  // Runs the operator on the workload's parameters, in their order.
  std::function<void(const std::vector<float*>& params)> run;
};

// The vendor kernels of `workload` at `shape` (every key of the workload's
// shape given); none for a workload no library here has.
std::vector<VendorKernel> vendor_kernels(const std::string& workload,
                                         const std::map<std::string, int64_t>& shape);

}  // namespace kiln::bench
