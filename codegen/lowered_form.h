// The low-level form every backend receives (the output of lower()).
//
// A lowered PrimFunc:
//  - has no Block or BlockRealize: block iter vars are replaced by their
//    bindings, predicates became IfThenElse, inits became guarded stores;
//  - has one parameter per original parameter, in the same order and dtype,
//    each flattened to one dimension: shape {num_elements}. The logical
//    (multi-dimensional) signature travels separately (runtime::KernelSignature);
//  - introduces every other buffer with an Allocate whose buffer is flat
//    (shape {n}) and keeps its scope: "global" (CPU: stack when small, else
//    heap), "shared" (GPU: one array per thread block), "local" (registers);
//  - indexes every BufferLoad/BufferStore with exactly one expression, of
//    type int32 when every index of the function fits, int64 otherwise;
//    a vector access has a vector index (a Ramp when contiguous, any int
//    vector for a gather/scatter) and a value of as many lanes;
//  - has For loops of kinds serial, parallel (CPU: never nested inside
//    another parallel loop) and thread_binding (GPU: "blockIdx.x", ...).
//    Vectorized loops became Ramp/Broadcast vector code (or, when their body
//    cannot be vectorized, serial loops); unrolled loops became copies of
//    their body. Every For has min 0;
//  - keeps intrinsic Calls (exp, sqrt, fma, ...) for the backend to map;
//  - keeps LetStmt / Let, IfThenElse, SeqStmt and Evaluate.
// Every loop extent and buffer shape is a constant.
#pragma once
