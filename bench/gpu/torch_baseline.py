"""PyTorch (cuBLAS / cuDNN) times for the shapes bench_gpu measures, and the
table that puts them beside kiln's: reads bench_gpu's JSON lines, writes
results.json and results.md to the output folder.

    python3 bench/gpu/torch_baseline.py kiln.jsonl OUT_DIR
"""
import json
import os
import sys


def torch_ms(row, number=20):
    import torch

    # fp32 as kiln computes it: no TF32 in cuBLAS or cuDNN. PyTorch 2.9
    # replaced the allow_tf32 flags by fp32_precision.
    if hasattr(torch.backends.cuda.matmul, "fp32_precision"):
        torch.backends.cuda.matmul.fp32_precision = "ieee"
        torch.backends.cudnn.conv.fp32_precision = "ieee"
    else:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    s = row["shape"]
    dev = "cuda"
    if row["workload"] == "matmul":
        a = torch.randn(s["M"], s["K"], device=dev)
        b = torch.randn(s["K"], s["N"], device=dev)
        fn = lambda: torch.mm(a, b)  # noqa: E731
    elif row["workload"] == "batch_matmul":
        a = torch.randn(s["B"], s["M"], s["K"], device=dev)
        b = torch.randn(s["B"], s["K"], s["N"], device=dev)
        fn = lambda: torch.bmm(a, b)  # noqa: E731
    else:  # conv2d_nhwc: channels_last tensors, as kiln's layout
        torch.backends.cudnn.benchmark = True
        x = torch.randn(s["N"], s["C"], s["H"], s["W"], device=dev).to(
            memory_format=torch.channels_last)
        w = torch.randn(s["K"], s["C"], 3, 3, device=dev).to(memory_format=torch.channels_last)
        fn = lambda: torch.nn.functional.conv2d(x, w, padding=1)  # noqa: E731
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(number):
        fn()
    stop.record()
    stop.synchronize()
    return start.elapsed_time(stop) / number


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip().startswith("{")]
    out = sys.argv[2]
    for row in rows:
        try:
            row["torch_ms"] = torch_ms(row)
            if "kiln_ms" in row:
                row["kiln_vs_torch"] = row["torch_ms"] / row["kiln_ms"]
        except Exception as e:  # torch missing or no device: keep kiln's numbers
            row["torch_error"] = str(e)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(rows, f, indent=1)
    lines = ["| benchmark | kiln ms | kiln TFLOP/s | torch ms | torch/kiln | correct |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        def fmt(key, spec=".4f"):
            return format(r[key], spec) if key in r else "-"
        lines.append(f"| {r['name']} | {fmt('kiln_ms')} | {fmt('kiln_tflops', '.2f')} | "
                     f"{fmt('torch_ms')} | {fmt('kiln_vs_torch', '.2f')} | "
                     f"{r.get('correct', r.get('error', '-'))} |")
    table = "\n".join(lines)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
