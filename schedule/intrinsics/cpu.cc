// CPU micro-kernels.
//
// dot_4x4x4_f32: a 4x4x4 float32 matmul tile, C[4, 4] += A[4, 4] * B[4, 4].
// The implementation is the outer-product form of the same tile: k outside,
// i unrolled, j vectorized, so that the LLVM backend emits four broadcast
// multiply-adds of a 4-wide row of B per k. Every element of C still adds its
// four products in the order k = 0..3, so the result is bit-identical to the
// description's (the interpreter checks tensorized programs exactly).
#include "schedule/intrinsics/builtin.h"

namespace kiln::sched::intrinsics {

namespace {

constexpr const char* kDot4x4x4Desc = R"(@kiln.prim_func(implicit_root=False)
def dot_4x4x4_f32_desc(A: Buffer((4, 4), "float32"), B: Buffer((4, 4), "float32"), C: Buffer((4, 4), "float32")):
    with block("root"):
        reads(C[0:4, 0:4], A[0:4, 0:4], B[0:4, 0:4])
        writes(C[0:4, 0:4])
        for i, j, k in grid(4, 4, 4):
            with block("update"):
                vi, vj, vk = axis.remap("SSR", [i, j, k])
                C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
)";

constexpr const char* kDot4x4x4Impl = R"(@kiln.prim_func(implicit_root=False)
def dot_4x4x4_f32_impl(A: Buffer((4, 4), "float32"), B: Buffer((4, 4), "float32"), C: Buffer((4, 4), "float32")):
    with block("root"):
        reads(C[0:4, 0:4], A[0:4, 0:4], B[0:4, 0:4])
        writes(C[0:4, 0:4])
        for k in range(4):
            for i in unroll(4):
                for j in vectorized(4):
                    C[i, j] = C[i, j] + A[i, k] * B[k, j]
)";

}  // namespace

void register_cpu_intrinsics() { add_builtin("dot_4x4x4_f32", kDot4x4x4Desc, kDot4x4x4Impl); }

}  // namespace kiln::sched::intrinsics
