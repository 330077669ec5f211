"""Small Brevitas networks in Tern's dataflow, MNIST loading, and QONNX export.

Every weight layer is ternary: 2-bit narrow-range signed weights with one scale per output channel
({-1, 0, +1} x alpha_c). Every hidden activation is a 2-bit unsigned `QuantReLU` or a 1-bit bipolar
`QuantIdentity`; the last layer has no activation (its output is the logits). The input is pixel / 255
with no input quantizer: Tern's runtime reads the uint8 pixels themselves (`tern compile --input-scale`).
"""
import gzip
import os
import struct

import numpy as np
import torch
import torch.nn as nn
from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear, QuantReLU
from brevitas.quant import SignedBinaryActPerTensorConst


def ternary_linear(i, o, bias=False):
    return QuantLinear(i, o, bias=bias, weight_bit_width=2, weight_narrow_range=True,
                       weight_scaling_per_output_channel=True)


def ternary_conv(i, o, k, padding):
    return QuantConv2d(i, o, k, padding=padding, bias=False, weight_bit_width=2, weight_narrow_range=True,
                       weight_scaling_per_output_channel=True)


def act2():
    return QuantReLU(bit_width=2)


def bipolar():
    return QuantIdentity(act_quant=SignedBinaryActPerTensorConst)


class LFC(nn.Module):
    """784 -> h (2-bit) -> h (1-bit bipolar) -> h (2-bit) -> 10; an LFC with fewer, narrower layers."""

    def __init__(self, hidden=64):
        super().__init__()
        self.features = nn.Sequential(
            nn.Flatten(),
            ternary_linear(784, hidden), nn.BatchNorm1d(hidden), act2(),
            ternary_linear(hidden, hidden), nn.BatchNorm1d(hidden), bipolar(),
            ternary_linear(hidden, hidden), nn.BatchNorm1d(hidden), act2(),
            ternary_linear(hidden, 10, bias=True),
        )

    def forward(self, x):
        return self.features(x)


class CNV(nn.Module):
    """1x28x28 -> conv 8 (3x3 pad 1, 2-bit) -> pool -> conv 16 (3x3, bipolar) -> pool -> dense 32 (2-bit) -> 10."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            ternary_conv(1, 8, 3, 1), nn.BatchNorm2d(8), act2(), nn.MaxPool2d(2),
            ternary_conv(8, 16, 3, 0), nn.BatchNorm2d(16), bipolar(), nn.MaxPool2d(2),
            nn.Flatten(),
            ternary_linear(16 * 6 * 6, 32), nn.BatchNorm1d(32), act2(),
            ternary_linear(32, 10), nn.BatchNorm1d(10),
        )

    def forward(self, x):
        return self.features(x)


ARCHITECTURES = {"lfc": LFC, "cnv": CNV}


def load_idx(directory, split, limit=None):
    """MNIST-format IDX files (plain or .gz) -> (uint8 images [N, 1, 28, 28], int64 labels)."""
    prefix = "train" if split == "train" else "t10k"

    def read(name):
        for candidate in (name, name + ".gz"):
            path = os.path.join(directory, candidate)
            if os.path.exists(path):
                with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
                    return f.read()
        raise FileNotFoundError(os.path.join(directory, name))

    images = read(f"{prefix}-images-idx3-ubyte")
    labels = read(f"{prefix}-labels-idx1-ubyte")
    _, n, rows, cols = struct.unpack(">IIII", images[:16])
    n = min(n, limit) if limit else n
    x = np.frombuffer(images, dtype=np.uint8, offset=16, count=n * rows * cols).reshape(n, 1, rows, cols)
    y = np.frombuffer(labels, dtype=np.uint8, offset=8, count=n).astype(np.int64)
    return x, y


def to_input(pixels):
    """uint8 pixels -> the float input the network reads: pixel / 255 (Tern's default --input-scale)."""
    return torch.from_numpy(np.ascontiguousarray(pixels)).float() / 255.0


def export(model, path, example):
    """QONNX export as FINN reads it (Quant / BipolarQuant nodes, float weights feeding weight quantizers)."""
    from brevitas.export import export_qonnx
    model.eval()
    export_qonnx(model, example, export_path=path)
