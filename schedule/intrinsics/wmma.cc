// CUDA tensor-core fragments (nvcuda::wmma), 16x16x16 with float16 inputs
// and float32 accumulation, in the style of TVM's WMMA intrinsics: fragments
// are buffers in the scopes "wmma.matrix_a", "wmma.matrix_b" and
// "wmma.accumulator".
//
// Each implementation is the description's computation as plain loops (what
// the interpreter and a CPU backend run) under a root block annotated with
// `tensor_intrin_call`, the WMMA call a CUDA backend emits instead. Its
// operands are the tensorized block's regions in the order of the
// description's root block: writes[0] is the destination fragment or matrix,
// reads[k] the sources (for mma_sync: C, A, B).
#include <string>

#include "schedule/intrinsics/builtin.h"

namespace kiln::sched::intrinsics {

namespace {

std::string buffer_type(const std::string& dtype, const std::string& scope) {
  std::string text = "Buffer((16, 16), \"" + dtype + "\"";
  if (scope != "global") text += ", scope=\"" + scope + "\"";
  return text + ")";
}

// A desc or impl function: `params` declared, `regions` (reads and writes
// lines) on the root block, then `body`. An impl also has `call`.
std::string function_text(const std::string& name, const std::string& params,
                          const std::string& regions, const std::string& call,
                          const std::string& body) {
  std::string text = "@kiln.prim_func(implicit_root=False)\ndef " + name + "(" + params + "):\n";
  text += "    with block(\"root\"):\n" + regions;
  if (!call.empty()) text += "        block_attr({\"tensor_intrin_call\": \"" + call + "\"})\n";
  return text + body;
}

// A 16x16 loop nest around `stmt`, whose iterators are written `$i`, `$j`
// (and `$k` when `reduce`). The description binds them to block iter vars
// `vi`, `vj`, `vk`; the implementation uses the loop variables directly.
std::string tile_nest(bool with_block, bool reduce, std::string stmt) {
  const std::string prefix = with_block ? "v" : "";
  for (size_t at = stmt.find('$'); at != std::string::npos; at = stmt.find('$', at))
    stmt.replace(at, 1, prefix);
  std::string text = "        for " +
                     std::string(reduce ? "i, j, k in grid(16, 16, 16)" : "i, j in grid(16, 16)") +
                     ":\n";
  if (!with_block) return text + "            " + stmt + "\n";
  text += "            with block(\"compute\"):\n";
  text += reduce ? "                vi, vj, vk = axis.remap(\"SSR\", [i, j, k])\n"
                 : "                vi, vj = axis.remap(\"SS\", [i, j])\n";
  return text + "                " + stmt + "\n";
}

void add_wmma(const std::string& name, const std::string& params, const std::string& regions,
              const std::string& call, bool reduce, const std::string& stmt) {
  add_builtin(name,
              function_text(name + "_desc", params, regions, "", tile_nest(true, reduce, stmt)),
              function_text(name + "_impl", params, regions, call, tile_nest(false, reduce, stmt)));
}

// A fragment load or store: dst[i, j] = src[i, j].
void add_copy(const std::string& name, const std::string& dtype, const std::string& src_scope,
              const std::string& dst_scope, const std::string& call) {
  add_wmma(name,
           "src: " + buffer_type(dtype, src_scope) + ", dst: " + buffer_type(dtype, dst_scope),
           "        reads(src[0:16, 0:16])\n        writes(dst[0:16, 0:16])\n", call, false,
           "dst[$i, $j] = src[$i, $j]");
}

}  // namespace

void register_wmma_intrinsics() {
  const std::string load = "nvcuda::wmma::load_matrix_sync",
                    store = "nvcuda::wmma::store_matrix_sync";
  for (const char* operand : {"a", "b"}) {
    const std::string fragment = std::string("wmma.matrix_") + operand;
    const std::string base = std::string("wmma_load_") + operand + "_16x16x16_f16";
    add_copy(base, "float16", "shared", fragment, load);
    add_copy(base + "_global", "float16", "global", fragment, load);
  }
  add_copy("wmma_store_16x16x16_f32", "float32", "wmma.accumulator", "global", store);
  add_copy("wmma_store_16x16x16_f32_shared", "float32", "wmma.accumulator", "shared", store);
  add_wmma("wmma_fill_16x16x16_f32", "C: " + buffer_type("float32", "wmma.accumulator"),
           "        writes(C[0:16, 0:16])\n", "nvcuda::wmma::fill_fragment", false,
           "C[$i, $j] = 0.0");
  add_wmma(
      "wmma_sync_16x16x16_f16f16f32",
      "A: " + buffer_type("float16", "wmma.matrix_a") +
          ", B: " + buffer_type("float16", "wmma.matrix_b") +
          ", C: " + buffer_type("float32", "wmma.accumulator"),
      "        reads(C[0:16, 0:16], A[0:16, 0:16], B[0:16, 0:16])\n        writes(C[0:16, 0:16])\n",
      "nvcuda::wmma::mma_sync", true,
      "C[$i, $j] = C[$i, $j] + cast(\"float32\", A[$i, $k]) * cast(\"float32\", B[$k, $j])");
}

}  // namespace kiln::sched::intrinsics
