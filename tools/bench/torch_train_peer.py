#!/usr/bin/env python3
"""PyTorch peer for `tern bench-train --arch cnv`: times training steps of a float CNV of the same shapes.

The network is read from Models/architectures/cnv.json (or --arch): 3x3 valid convolutions without bias, each
followed by batch norm and an activation, 2x2 max-pools where the architecture has them, dense layers likewise,
the last layer's batch norm giving the logits. Tern's trainer quantizes weights and activations; this peer trains
the float network with Hardtanh activations (an element-wise op, as cheap as Tern's sign/STE), which is what a
PyTorch user training a BNN/TNN runs before adding quantizer layers, so it is the speed to match.

Per step: forward, softmax cross-entropy, backward, Adam (lr 1e-3), batch of random CIFAR-10-sized images
(the time does not depend on the pixel values). Threads: torch.set_num_threads(--threads) and one inter-op
thread. Prints ms per step (median, min, max over --steps after --warmup untimed steps) and, with --json,
the same keys `tern bench-train --arch cnv --json` uses.

Usage: python3 tools/bench/torch_train_peer.py [--threads 2] [--steps 20] [--warmup 2] [--batch-size 100] [--json]
Needs: pip install torch
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def build(arch):
    inp = arch["input"]
    c, h, w = inp["channels"], inp["height"], inp["width"]
    layers = []
    flat = False
    for layer in arch["layers"]:
        kind = layer["kind"]
        if kind == "conv":
            k, p = layer["kernel"], layer.get("padding", 0)
            layers += [nn.Conv2d(c, layer["out"], k, padding=p, bias=False), nn.BatchNorm2d(layer["out"])]
            c, h, w = layer["out"], h + 2 * p - k + 1, w + 2 * p - k + 1
        elif kind == "maxpool":
            layers.append(nn.MaxPool2d(2))
            h, w = h // 2, w // 2
        elif kind == "dense":
            if not flat:
                layers.append(nn.Flatten())
                flat = True
            layers += [nn.Linear(c * h * w, layer["out"], bias=False), nn.BatchNorm1d(layer["out"])]
            c, h, w = layer["out"], 1, 1
        else:
            raise SystemExit(f"unsupported layer kind {kind!r}")
        if "activation" in layer:
            layers.append(nn.Hardtanh())
    return nn.Sequential(*layers), (inp["channels"], inp["height"], inp["width"]), c


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", default=os.path.join(ROOT, "Models", "architectures", "cnv.json"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--channels-last", action="store_true", help="NHWC memory format (Tern's layout)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.steps < 1 or a.batch_size < 1 or a.threads < 1 or a.warmup < 0:
        raise SystemExit("--steps, --batch-size and --threads must be positive, --warmup not negative")
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    with open(a.arch) as f:
        arch = json.load(f)
    net, shape, classes = build(arch)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(a.batch_size, *shape)
    y = torch.randint(0, classes, (a.batch_size,))
    if a.channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    net.train()
    times, cpu0 = [], None
    for i in range(a.warmup + a.steps):
        if i == a.warmup:
            cpu0 = time.process_time()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    cpu = time.process_time() - cpu0
    med = statistics.median(times)
    r = {"arch": arch.get("name", "?"), "peer": f"pytorch {torch.__version__}", "threads": a.threads,
         "batchSize": a.batch_size, "steps": a.steps, "channelsLast": a.channels_last,
         "msPerStepMedian": med * 1000, "msPerStepMin": min(times) * 1000, "msPerStepMax": max(times) * 1000,
         "cpuMsPerStep": cpu / a.steps * 1000, "secondsPer50kEpoch": med * 50000 / a.batch_size}
    if a.json:
        print(json.dumps(r, indent=2, sort_keys=True))
    else:
        print(f"PyTorch {torch.__version__}, {a.threads} threads, batch {a.batch_size}: "
              f"{r['msPerStepMedian']:.1f} ms per step (min {r['msPerStepMin']:.1f}, max {r['msPerStepMax']:.1f}, "
              f"{a.steps} steps), {r['cpuMsPerStep']:.1f} CPU-ms per step")


if __name__ == "__main__":
    main()
