"""What the PyTorch sides of the benchmarks share: their arguments and the timed loop.

Imported by bench/*/torch_*.py (which put this folder on sys.path); one thread, as the wasm sides.
"""

import argparse
import time

import torch


def bench_args(batch: int, warmup: int) -> argparse.Namespace:
    """--batch, --warmup, --seconds (default 3) and --seed (default 1); sets one thread and the seed."""
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=batch)
    p.add_argument("--warmup", type=int, default=warmup)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    return a


def images_per_second(step, images: int, warmup: int, seconds: float) -> float:
    """Images/s of `step` (each processing `images`) over at least `seconds`, after `warmup` steps."""
    for _ in range(warmup):
        step()
    steps = 0
    start = time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return steps * images / elapsed
