"""Trains a small Brevitas LFC and CNV on an MNIST subset, exports each as QONNX, and records the graph's own
outputs (qonnx's execute_onnx) on the first images of Models/samples/mnist, as Swift test fixtures.

    python3 tools/torch/make_fixtures.py --data /path/to/mnist --out Tests/TernONNXTests/Fixtures

Deterministic for a given torch build (seeded, one thread). Each fixture is a few tens of KB.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tern_brevitas as tb  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def train(model, x, y, epochs, lr=0.01, batch=100):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            loss = F.cross_entropy(model(tb.to_input(x[idx.numpy()])), torch.from_numpy(y[idx.numpy()]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(tb.to_input(x)).argmax(1).numpy() == y).mean())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="MNIST IDX directory")
    p.add_argument("--out", default=os.path.join(REPO, "Tests", "TernONNXTests", "Fixtures"))
    p.add_argument("--train-images", type=int, default=6000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--reference-images", type=int, default=32)
    args = p.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x, y = tb.load_idx(args.data, "train", args.train_images)
    tx, ty = tb.load_idx(args.data, "test", 1000)
    samples, sample_labels = tb.load_idx(os.path.join(REPO, "Models", "samples", "mnist"), "test", args.reference_images)
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    os.makedirs(args.out, exist_ok=True)
    for name, cls in tb.ARCHITECTURES.items():
        torch.manual_seed(0)
        model = cls()
        train(model, x, y, args.epochs)
        path = os.path.join(args.out, f"{name}.onnx")
        tb.export(model, path, tb.to_input(samples[:1]))
        if os.path.exists(path + ".data"):  # the exporter's scratch copy of the weights; the .onnx holds them inline
            os.remove(path + ".data")
        wrapper = ModelWrapper(path)
        iname, oname = wrapper.graph.input[0].name, wrapper.graph.output[0].name
        logits = []
        for i in range(len(samples)):
            out = execute_onnx(wrapper, {iname: tb.to_input(samples[i:i + 1]).numpy()})[oname]
            logits.append([float(v) for v in out.reshape(-1)])
        with torch.no_grad():
            torch_logits = model(tb.to_input(samples)).numpy()
        reference = {
            "model": f"{name}.onnx",
            "generator": "tools/torch/make_fixtures.py",
            "samples": "Models/samples/mnist (first images of the MNIST test set)",
            "input": "pixel / 255, shape " + str(list(tb.to_input(samples[:1]).shape)),
            "test_accuracy_1000": accuracy(model, tx, ty),
            "labels": [int(v) for v in sample_labels],
            "qonnx_logits": logits,
            "qonnx_predictions": [int(np.argmax(l)) for l in logits],
            "brevitas_predictions": [int(v) for v in torch_logits.argmax(1)],
        }
        with open(os.path.join(args.out, f"{name}.json"), "w") as f:
            json.dump(reference, f, indent=1)
        print(f"{name}: {os.path.getsize(path)} bytes, accuracy on 1000 test images {reference['test_accuracy_1000']:.4f}, "
              f"qonnx == brevitas predictions: {reference['qonnx_predictions'] == reference['brevitas_predictions']}")


if __name__ == "__main__":
    main()
