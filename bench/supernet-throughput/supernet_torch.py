"""PyTorch reference for bench/supernet-throughput: the same NB201 supernet, steps and batch, one thread.

The supernet of @archlab/supernet's defaults (C=8, N=1, stride-2 stem, 28x28x1, 10 classes): a
3x3 conv + BN stem; three stages of N cells (C, 2C, 4C channels) joined by residual reduction
blocks; BN, ReLU, global average pooling and a linear head. Every edge of a cell holds
ReLU-conv1x1-BN and ReLU-conv3x3-BN (BN without affine, running statistics tracked), a 3x3
average pool (count_include_pad=False), skip and none; convolutions reading one node share its
ReLU, and edges that cannot reach the cell's output are not computed, as in archlab's.

SPOS step: a uniform random path, cross-entropy, SGD (momentum 0.9, weight decay 3e-4).
First-order DARTS step: the weights on a training batch with softmax(alpha), then alpha on a
validation batch (AdamW, lr 3e-4, weight decay 1e-3); images counted: both batches.

Prints one JSON line: {"spos_img_s": ..., "darts_img_s": ..., "threads": 1, "torch": version}.
Usage: python3 supernet_torch.py [--batch 64] [--warmup 3] [--seconds 3] [--seed 1]
"""

import json
import random
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from torch_bench import bench_args, images_per_second  # noqa: E402

EDGES = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
NONE, SKIP, CONV1, CONV3, POOL = range(5)


def conv_bn(cin, cout, k, stride=1, affine=True):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False),
        nn.BatchNorm2d(cout, affine=affine),
    )


class Reduction(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.a = conv_bn(cin, cout, 3, 2)
        self.b = conv_bn(cout, cout, 3)
        self.pool = nn.AvgPool2d(2, 2, ceil_mode=True, count_include_pad=False)
        self.shortcut = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        return self.b(F.relu(self.a(F.relu(x)))) + self.shortcut(self.pool(x))


class Cell(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.ModuleList(conv_bn(c, c, 1, affine=False) for _ in EDGES)
        self.conv3 = nn.ModuleList(conv_bn(c, c, 3, affine=False) for _ in EDGES)
        self.pool = nn.AvgPool2d(3, 1, 1, count_include_pad=False)

    def op(self, e, k, x, relu):
        if k == SKIP:
            return x
        if k == POOL:
            return self.pool(x)
        return (self.conv1 if k == CONV1 else self.conv3)[e](relu())

    def forward(self, x, edge):
        nodes = [x]
        relus = {}
        for j in range(1, 4):
            terms = []
            for e, (i, to) in enumerate(EDGES):
                if to != j or nodes[i] is None:
                    continue

                def relu(i=i):
                    if i not in relus:
                        relus[i] = F.relu(nodes[i])
                    return relus[i]

                t = edge(self, e, nodes[i], relu)
                if t is not None:
                    terms.append(t)
            nodes.append(sum(terms) if terms else None)
        return nodes[3] if nodes[3] is not None else torch.zeros_like(x)


class Supernet(nn.Module):
    def __init__(self, c=8, n=1, stride=2, cin=1, classes=10):
        super().__init__()
        self.stem = conv_bn(cin, c, 3, stride)
        self.stages = nn.ModuleList()
        for s in range(3):
            width = c * 2**s
            blocks = [Reduction(width // 2, width)] if s > 0 else []
            blocks += [Cell(width) for _ in range(n)]
            self.stages.append(nn.ModuleList(blocks))
        self.head_bn = nn.BatchNorm2d(4 * c)
        self.head = nn.Linear(4 * c, classes)

    def forward(self, x, edge):
        h = self.stem(x)
        for stage in self.stages:
            for block in stage:
                h = block(h, edge) if isinstance(block, Cell) else block(h)
        h = F.relu(self.head_bn(h))
        return self.head(h.mean((2, 3)))


def live_edges(arch):
    """The edges that are not none, reached from the input and leading to the output."""
    reached = [True, False, False, False]
    leads = [False, False, False, True]
    for e, (i, j) in enumerate(EDGES):
        if arch[e] != NONE and reached[i]:
            reached[j] = True
    for e in reversed(range(len(EDGES))):
        i, j = EDGES[e]
        if arch[e] != NONE and leads[j]:
            leads[i] = True
    return [arch[e] != NONE and reached[i] and leads[j] for e, (i, j) in enumerate(EDGES)]


def main() -> None:
    a = bench_args(batch=64, warmup=3)
    rng = random.Random(a.seed)
    net = Supernet()
    x_train, x_val = torch.randn(a.batch, 1, 28, 28), torch.randn(a.batch, 1, 28, 28)
    y_train, y_val = torch.randint(0, 10, (a.batch,)), torch.randint(0, 10, (a.batch,))
    opt = torch.optim.SGD(net.parameters(), lr=0.025, momentum=0.9, weight_decay=3e-4)
    alpha = (1e-3 * torch.randn(6, 5)).requires_grad_()
    alpha_opt = torch.optim.AdamW([alpha], lr=3e-4, weight_decay=1e-3)

    def spos_step():
        arch = [rng.randrange(5) for _ in EDGES]
        live = live_edges(arch)
        edge = lambda cell, e, x, relu: cell.op(e, arch[e], x, relu) if live[e] else None  # noqa: E731
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(net(x_train, edge), y_train).backward()
        opt.step()

    def mixed(w):
        def edge(cell, e, x, relu):
            return sum(w[e, k] * cell.op(e, k, x, relu) for k in (SKIP, CONV1, CONV3, POOL))

        return edge

    def darts_step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(net(x_train, mixed(F.softmax(alpha.detach(), dim=-1))), y_train).backward()
        opt.step()
        # Only alpha's gradient: the weights' are not computed (as tfjs's variableGrads of [alpha]).
        loss = F.cross_entropy(net(x_val, mixed(F.softmax(alpha, dim=-1))), y_val)
        (alpha.grad,) = torch.autograd.grad(loss, [alpha])
        alpha_opt.step()

    spos = images_per_second(spos_step, a.batch, a.warmup, a.seconds)
    darts = images_per_second(darts_step, 2 * a.batch, a.warmup, a.seconds)
    print(
        json.dumps(
            {
                "spos_img_s": spos,
                "darts_img_s": darts,
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
