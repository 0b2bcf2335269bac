// The OpenCL API, loaded at run time from the ICD loader (libOpenCL.so.1) in a
// link-map namespace of its own, and called through this table.
//
// Why not link libOpenCL: PoCL compiles kernels with its own clang/LLVM (15 on
// the build machines), and kiln's CPU backend links another LLVM (16). In a
// process that links that LLVM directly (test_codegen, a C++ user's program)
// it is in the global symbol scope, libclang-cpp's unversioned template
// instantiations bind to its symbols, and clBuildProgram crashes inside
// llvm::VerifierPass::run. dlmopen(LM_ID_NEWLM) gives the loader, PoCL and
// PoCL's LLVM a namespace where kiln's LLVM does not exist.
//
// Only compiled with KILN_WITH_OPENCL (CL/cl.h found); the header is used for
// the API's types and signatures only, nothing of OpenCL is linked.
#pragma once

#ifdef KILN_WITH_OPENCL

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include <string>

namespace kiln::runtime::opencl {

// The entry points kiln calls, named and typed as in CL/cl.h.
struct ApiTable {
  decltype(&::clGetPlatformIDs) clGetPlatformIDs;
  decltype(&::clGetPlatformInfo) clGetPlatformInfo;
  decltype(&::clGetDeviceIDs) clGetDeviceIDs;
  decltype(&::clGetDeviceInfo) clGetDeviceInfo;
  decltype(&::clCreateContext) clCreateContext;
  decltype(&::clCreateCommandQueue) clCreateCommandQueue;
  decltype(&::clCreateBuffer) clCreateBuffer;
  decltype(&::clReleaseMemObject) clReleaseMemObject;
  decltype(&::clEnqueueWriteBuffer) clEnqueueWriteBuffer;
  decltype(&::clEnqueueReadBuffer) clEnqueueReadBuffer;
  decltype(&::clEnqueueCopyBuffer) clEnqueueCopyBuffer;
  decltype(&::clFinish) clFinish;
  decltype(&::clCreateProgramWithSource) clCreateProgramWithSource;
  decltype(&::clBuildProgram) clBuildProgram;
  decltype(&::clGetProgramBuildInfo) clGetProgramBuildInfo;
  decltype(&::clReleaseProgram) clReleaseProgram;
  decltype(&::clCreateKernel) clCreateKernel;
  decltype(&::clReleaseKernel) clReleaseKernel;
  decltype(&::clSetKernelArg) clSetKernelArg;
  decltype(&::clEnqueueNDRangeKernel) clEnqueueNDRangeKernel;
  decltype(&::clWaitForEvents) clWaitForEvents;
  decltype(&::clGetEventProfilingInfo) clGetEventProfilingInfo;
  decltype(&::clReleaseEvent) clReleaseEvent;
};

// True when libOpenCL.so.1 loads and exports every entry point above;
// otherwise false, and `reason` says why ("libOpenCL.so.1 could not be loaded
// (...); install ..."). Loaded once per process, thread-safe.
bool api_available(std::string* reason = nullptr);

// The loaded table. Throws RuntimeError "no OpenCL device: <reason>" when the
// loader is missing (the message opencl_context uses for every "no device").
const ApiTable& api();

}  // namespace kiln::runtime::opencl

#endif  // KILN_WITH_OPENCL
