"""PyTorch reference for bench/train-throughput: the same CNN, batch and SGD step, one thread.

Prints one JSON line: {"img_s": ..., "threads": 1, "torch": version}.
Usage: python3 torch_cnn.py [--batch 128] [--warmup 5] [--seconds 3] [--seed 1]
"""

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from torch_bench import bench_args, images_per_second  # noqa: E402


def main() -> None:
    a = bench_args(batch=128, warmup=5)
    x = torch.rand(a.batch, 1, 28, 28)
    y = torch.randint(0, 10, (a.batch,))
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(7 * 7 * 32, 10),
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    img_s = images_per_second(step, a.batch, a.warmup, a.seconds)
    print(json.dumps({"img_s": img_s, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
