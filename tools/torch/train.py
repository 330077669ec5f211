"""Tern's three-stage sparse-ternary method (docs/METHOD.md) in PyTorch with Brevitas activations, runnable on one
CPU process or under torchrun with DistributedDataParallel (gloo on CPUs, nccl on GPUs), exporting QONNX.

    python3 tools/torch/train.py --data DIR --out runs/torch-lfc                       # one process
    torchrun --nproc_per_node=4 tools/torch/train.py --data DIR --out runs/torch-lfc   # 4 processes / GPUs

Stage 1: TWN ternary weights (Δ = 0.7·mean|w| per layer, α = mean |w| over nonzeros, straight-through), Adam, then
after every step the decoupled L2 (w ← w·(1 − η·λ2)), the quantization-threshold regularizer's proximal step on the
dead zone (|w| < Δ: w ← sign(w)·max(|w| − η·λq, 0)) and clipping to ±1. Stage 2: quantization pruning (the dead zone
becomes the mask), then Zhu & Gupta's cubic schedule to the target sparsity in `--pruning-steps` steps (per layer:
the last layer gets min(s, 0.8), the others share the rest so the total is s). Stage 3: t = sign(w)·mask, mask
fixed. Stages 2 and 3 share one cosine schedule from --retrain-lr; stage 1 has its own from --lr.

The deployed network is exported with Brevitas QuantLinear layers (2-bit narrow range, per-channel scale) whose
float weights are exactly t·α, so QONNX's weight `Quant` reproduces the ternary weights bit for bit, and the same
Brevitas activation modules the training used (2-bit QuantReLU with max 1, or bipolar QuantIdentity).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from brevitas.core.scaling import ScalingImplType
from brevitas.nn import QuantIdentity, QuantReLU
from brevitas.quant import SignedBinaryActPerTensorConst

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tern_brevitas as tb  # noqa: E402


class TernaryLinear(nn.Module):
    """Latent float weights; forward uses TWN ternary (stage 1) or sign(w)·mask (after pruning), α per layer."""

    def __init__(self, i, o):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(o, i).uniform_(-1, 1) * math.sqrt(6 / (i + o)))
        self.register_buffer("mask", torch.ones(o, i))
        self.register_buffer("pruned", torch.zeros((), dtype=torch.bool))

    def delta(self):
        return 0.7 * self.weight.detach().abs().mean()

    def ternary(self):
        w = self.weight.detach()
        if bool(self.pruned):
            t = torch.sign(w) * self.mask
        else:
            t = torch.sign(w) * (w.abs() > self.delta()).float()
        nz = t != 0
        alpha = w.abs()[nz].mean() if nz.any() else torch.tensor(1.0)
        return t, alpha

    def forward(self, x):
        t, alpha = self.ternary()
        w = self.weight
        # Straight-through: the value is α·t, the gradient reaches the latent weights (masked ones get none).
        wq = (alpha * t) + (w - w.detach()) * self.mask
        return F.linear(x, wq)


def activation(bits):
    if bits == 1:
        return QuantIdentity(act_quant=SignedBinaryActPerTensorConst)
    # 2-bit uniform on [0, 1]: codes {0, 1/3, 2/3, 1} (Tern's `uniform2`).
    return QuantReLU(bit_width=2, scaling_impl_type=ScalingImplType.CONST, max_val=1.0)


class LFC(nn.Module):
    def __init__(self, hidden=1024, layers=3, act_bits=2):
        super().__init__()
        dims = [784] + [hidden] * layers
        self.linears = nn.ModuleList([TernaryLinear(a, b) for a, b in zip(dims, dims[1:])] + [TernaryLinear(hidden, 10)])
        self.norms = nn.ModuleList([nn.BatchNorm1d(d) for d in dims[1:]] + [nn.BatchNorm1d(10)])
        self.acts = nn.ModuleList([activation(act_bits) for _ in dims[1:]])

    def forward(self, x):
        x = x.flatten(1)
        for i, (lin, bn) in enumerate(zip(self.linears, self.norms)):
            x = bn(lin(x))
            if i < len(self.acts):
                x = self.acts[i](x)
        return x

    def export_module(self):
        """The deployed network as Brevitas layers: QuantLinear weights = t·α exactly."""
        layers = [nn.Flatten()]
        for i, (lin, bn) in enumerate(zip(self.linears, self.norms)):
            t, alpha = lin.ternary()
            q = tb.ternary_linear(lin.weight.shape[1], lin.weight.shape[0])
            with torch.no_grad():
                q.weight.copy_(t * alpha)
            layers += [q, bn]
            if i < len(self.acts):
                layers.append(self.acts[i])
        return nn.Sequential(*layers).eval()


def cosine(lr, step, total):
    return lr * 0.5 * (1 + math.cos(math.pi * min(step, total) / max(total, 1)))


def sparsity_targets(model, s):
    """Per layer: the last gets min(s, 0.8); the others one s_h so the total is s."""
    sizes = [lin.weight.numel() for lin in model.linears]
    last = min(s, 0.8)
    rest = sum(sizes[:-1])
    s_h = min(1.0, (s * sum(sizes) - last * sizes[-1]) / rest)
    return [s_h] * (len(sizes) - 1) + [last]


def prune_to(model, targets):
    for lin, target in zip(model.linears, targets):
        w = lin.weight.data
        n = w.numel()
        keep = n - int(round(target * n))
        alive = lin.mask.sum().item()
        if alive > keep:
            scores = (w.abs() * lin.mask).flatten()
            scores[lin.mask.flatten() == 0] = -1
            idx = torch.topk(scores, keep).indices
            mask = torch.zeros(n)
            mask[idx] = 1
            lin.mask.copy_(mask.view_as(w))
        w.mul_(lin.mask)


def evaluate(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            correct += (model(tb.to_input(x[i:i + 1000])).argmax(1).numpy() == y[i:i + 1000]).sum()
    model.train()
    return correct / len(x)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--hidden", type=int, default=1024)
    p.add_argument("--act-bits", type=int, default=2, choices=[1, 2])
    p.add_argument("--sparsity", type=float, default=0.95)
    p.add_argument("--epochs", default="16,4,12", help="stage 1, 2, 3 epochs")
    p.add_argument("--batch", type=int, default=100, help="global batch (split over processes)")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--retrain-lr", type=float, default=1e-3)
    p.add_argument("--lambda-l2", type=float, default=0.01)
    p.add_argument("--lambda-q", type=float, default=0.3)
    p.add_argument("--no-threshold-reg", action="store_true")
    p.add_argument("--pruning-steps", type=int, default=20)
    p.add_argument("--train-images", type=int, default=None, help="first N training images (smoke tests)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    distributed = "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1
    device = torch.device("cpu")
    if distributed:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)
        if backend == "nccl":
            device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
            torch.cuda.set_device(device)
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    torch.manual_seed(args.seed)
    x, y = tb.load_idx(args.data, "train", args.train_images)
    tx, ty = tb.load_idx(args.data, "test")
    model = LFC(args.hidden, act_bits=args.act_bits)
    model.to(device)
    ddp = nn.parallel.DistributedDataParallel(model) if distributed else model
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    e1, e2, e3 = (int(v) for v in args.epochs.split(","))
    local_batch = args.batch // world
    steps_per_epoch = len(x) // args.batch
    lq = 0.0 if args.no_threshold_reg else args.lambda_q
    log = []
    start = time.time()
    g = torch.Generator().manual_seed(args.seed)
    step = 0
    for epoch in range(e1 + e2 + e3):
        stage = 1 if epoch < e1 else 2 if epoch < e1 + e2 else 3
        if epoch == e1:  # quantization pruning: the dead zone becomes the mask, permanently
            for lin in model.linears:
                lin.mask.copy_((lin.weight.detach().abs() > lin.delta()).float())
                lin.weight.data.mul_(lin.mask)
                lin.pruned.fill_(True)
            for st in opt.state.values():
                st.clear()
            step = 0
        order = torch.randperm(len(x), generator=g).numpy()  # same order on every rank
        for b in range(steps_per_epoch):
            idx = order[b * args.batch:(b + 1) * args.batch][rank::world][:local_batch]
            if stage == 1:
                lr = cosine(args.lr, step, e1 * steps_per_epoch)
            else:
                lr = cosine(args.retrain_lr, step, (e2 + e3) * steps_per_epoch)
            for group in opt.param_groups:
                group["lr"] = lr
            inputs = tb.to_input(x[idx]).to(device)
            labels = torch.from_numpy(y[idx]).to(device)
            loss = F.cross_entropy(ddp(inputs), labels)
            opt.zero_grad()
            loss.backward()
            for lin in model.linears:
                lin.weight.grad.mul_(lin.mask)
            opt.step()
            with torch.no_grad():
                for lin in model.linears:
                    w = lin.weight
                    if stage == 1:
                        w.mul_(1 - lr * args.lambda_l2)
                        dead = w.abs() < lin.delta()
                        shrunk = torch.sign(w) * torch.clamp(w.abs() - lr * lq, min=0)
                        w.copy_(torch.where(dead, shrunk, w))
                    w.clamp_(-1, 1)
                    w.mul_(lin.mask)
            step += 1
            if stage == 2 and args.pruning_steps > 0:
                total = e2 * steps_per_epoch
                every = max(1, total // args.pruning_steps)
                if step % every == 0 or step == total:
                    t = min(1.0, step / total)
                    s_t = args.sparsity * (1 - (1 - t) ** 3)
                    prune_to(model, sparsity_targets(model, s_t))
        if stage == 2 and epoch == e1 + e2 - 1:
            prune_to(model, sparsity_targets(model, args.sparsity))
        if e2 == 0 and epoch == e1 - 1:
            pass
        if rank == 0:
            acc = evaluate(model, tx, ty)
            zeros = sum((lin.ternary()[0] == 0).sum().item() for lin in model.linears)
            total_w = sum(lin.weight.numel() for lin in model.linears)
            entry = {"epoch": epoch + 1, "stage": stage, "test_accuracy": float(acc), "sparsity": zeros / total_w,
                     "seconds": round(time.time() - start, 1)}
            log.append(entry)
            print(json.dumps(entry), flush=True)
    if e2 == 0 and e1 > 0:  # one-shot pruning when stage 2 has no epochs
        prune_to(model, sparsity_targets(model, args.sparsity))
    if rank == 0:
        os.makedirs(args.out, exist_ok=True)
        export = model.export_module()
        tb.export(export, os.path.join(args.out, "model.onnx"), tb.to_input(tx[:1]))
        data_file = os.path.join(args.out, "model.onnx.data")
        if os.path.exists(data_file):
            os.remove(data_file)
        final = {"test_accuracy": float(evaluate(export, tx, ty)), "training_accuracy_log": log,
                 "processes": world, "args": vars(args), "seconds": round(time.time() - start, 1)}
        with open(os.path.join(args.out, "summary.json"), "w") as f:
            json.dump(final, f, indent=1)
        print(json.dumps({"final_test_accuracy": final["test_accuracy"], "seconds": final["seconds"]}))
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
