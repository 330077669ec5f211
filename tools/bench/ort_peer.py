#!/usr/bin/env python3
"""ONNX Runtime peer for `tern bench --peer ort`.

Reads a dense .tern artifact (docs/FORMAT.md), decodes its ternary weights, thresholds and affine, and builds the
same network as a float32 ONNX graph: MatMul with the {-1, 0, +1} weights stored densely as float32 (what a user
of ONNX Runtime would deploy), the threshold activation as GreaterOrEqual + Cast (+ Sum for 2-bit codes), and the
final fixed-point affine as Mul + Add. Integers below 2^24 are exact in float32, so the hidden codes equal the
runtime's; `--check` confirms the predictions agree with an int64 numpy evaluation of the integer dataflow.

It then times ONNX Runtime with one thread (intra- and inter-op) at each batch size (images/s from the median
batch time, thread CPU clock by default) and prints rows in the format `tern bench --json` uses.

Usage: python3 tools/bench/ort_peer.py MODEL.tern [--batch 1,64] [--seconds 1] [--json] [--check 200] [--int8]
Needs: pip install onnx onnxruntime numpy
"""
import argparse
import json
import struct
import sys
import time
import zlib

import numpy as np


def parse_tern(data):
    """Returns (layers, sections) as lists of dicts, after checking magic and sizes."""
    if data[:4] != b"TERN":
        sys.exit("not a .tern file")
    (fmt, scheme, flags, align, n_meta, n_layers, n_sections, tables_bytes, file_bytes, a_s, a_r) = struct.unpack_from(
        "<HHIIIIIIQII", data, 4)
    if file_bytes != len(data):
        sys.exit("file length differs from its header")
    off = 64
    for _ in range(n_meta):  # skip metadata
        klen = data[off]
        off += 1 + klen
        t = data[off]
        off += 1
        if t in (1, 2, 5):
            off += 4
        elif t in (3, 4, 6):
            off += 8
        elif t == 7:
            off += 1
        elif t == 8:
            (slen,) = struct.unpack_from("<I", data, off)
            off += 4 + slen
        else:
            sys.exit("bad metadata type %d" % t)
    layers = []
    for _ in range(n_layers):
        kind, ib, ob, pad, k, stride, frac = struct.unpack_from("<BBBBBBB", data, off)
        ic, ih, iw, oc, oh, ow, ws, ps, nz = struct.unpack_from("<9I", data, off + 8)
        layers.append(dict(kind=kind, inBits=ib, outBits=ob, inC=ic, inH=ih, inW=iw, outC=oc, ws=ws, ps=ps, nz=nz))
        off += 64
    sections = []
    for _ in range(n_sections):
        kind, layout, comp, wb, layer = struct.unpack_from("<BBBBI", data, off)
        offset, stored, decoded, elements, crc = struct.unpack_from("<QQQQI", data, off + 8)
        raw = data[offset:offset + stored]
        if comp == 1:
            raw = zlib.decompress(raw)
        if len(raw) != decoded or zlib.crc32(raw) != crc:
            sys.exit("section %d is corrupt" % len(sections))
        sections.append(dict(kind=kind, layout=layout, bytes=raw, elements=elements, compression=comp,
                             stored=data[offset:offset + stored]))
        off += 48
    return layers, sections


def decode_weights(section, count):
    w = np.zeros(count, dtype=np.int8)
    raw = section["bytes"]
    if section["layout"] == 1:  # tokens
        pos = 0
        for b in raw:
            if b == 0xFE:
                pos += 127
                continue
            pos += b >> 1
            w[pos] = -1 if b & 1 else 1
            pos += 1
    else:  # packed2
        codes = np.frombuffer(raw, dtype=np.uint8)
        unpacked = np.stack([(codes >> (2 * k)) & 3 for k in range(4)], axis=1).reshape(-1)[:count]
        w[unpacked == 1] = 1
        w[unpacked == 2] = -1
    return w


def decode_ints(section, threshold):
    width = {3: 1, 4: 2, 5: 4}[section["layout"]]
    v = np.frombuffer(section["bytes"], dtype={1: "<i1", 2: "<i2", 4: "<i4"}[width]).astype(np.int64)
    if threshold and width < 4:
        top = 1 << (8 * width - 1)
        v = np.where(v == -top, -(1 << 31), np.where(v == top - 1, (1 << 31) - 1, v))
    return v


def load_network(path):
    data = open(path, "rb").read()
    layers, sections = parse_tern(data)
    net = []
    for l in layers:
        if l["kind"] != 1:
            sys.exit("the ORT peer handles dense networks only (layer kind %d)" % l["kind"])
        fan_in = l["inC"] * l["inH"] * l["inW"]
        w = decode_weights(sections[l["ws"]], l["outC"] * fan_in).reshape(l["outC"], fan_in)
        p = decode_ints(sections[l["ps"]], threshold=l["outBits"] != 0)
        net.append(dict(w=w, params=p, bits=l["outBits"], out=l["outC"]))
    return net


def build_onnx(net):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    fan_in = net[0]["w"].shape[1]
    x = "images"
    for i, l in enumerate(net):
        wname = "W%d" % i
        inits.append(numpy_helper.from_array(l["w"].T.astype(np.float32), wname))
        acc = "acc%d" % i
        nodes.append(helper.make_node("MatMul", [x, wname], [acc]))
        if l["bits"] == 0:
            c = l["out"]
            inits.append(numpy_helper.from_array(l["params"][:c].astype(np.float32), "M"))
            inits.append(numpy_helper.from_array(l["params"][c:].astype(np.float32), "B"))
            nodes.append(helper.make_node("Mul", [acc, "M"], ["scaled"]))
            nodes.append(helper.make_node("Add", ["scaled", "B"], ["logits"]))
        else:
            per = (1 << l["bits"]) - 1
            t = l["params"].reshape(l["out"], per).astype(np.float64)
            t = np.where(t <= -(1 << 31), -np.inf, np.where(t >= (1 << 31) - 1, np.inf, t)).astype(np.float32)
            parts = []
            for j in range(per):
                tname = "T%d_%d" % (i, j)
                inits.append(numpy_helper.from_array(np.ascontiguousarray(t[:, j]), tname))
                ge, cast = "ge%d_%d" % (i, j), "code%d_%d" % (i, j)
                nodes.append(helper.make_node("GreaterOrEqual", [acc, tname], [ge]))
                nodes.append(helper.make_node("Cast", [ge], [cast], to=TensorProto.FLOAT))
                parts.append(cast)
            x = "x%d" % (i + 1)
            nodes.append(helper.make_node("Sum", parts, [x]) if per > 1 else helper.make_node("Identity", parts, [x]))
    graph = helper.make_graph(
        nodes, "tern_peer",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", fan_in])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", net[-1]["out"]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model.SerializeToString()


def quantize_int8(float_model):
    """The float model after onnxruntime.quantization.quantize_dynamic (int8 weights, dynamic uint8 activations)."""
    import os
    import tempfile
    from onnxruntime.quantization import QuantType, quantize_dynamic
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "float.onnx"), os.path.join(d, "int8.onnx")
        open(src, "wb").write(float_model)
        quantize_dynamic(src, dst, weight_type=QuantType.QInt8)
        return open(dst, "rb").read()


def integer_predictions(net, images):
    x = images.astype(np.int64)
    for l in net:
        acc = x @ l["w"].T.astype(np.int64)
        if l["bits"] == 0:
            c = l["out"]
            logits = acc * l["params"][:c] + l["params"][c:]
            return np.argmax(logits, axis=1)
        t = l["params"].reshape(l["out"], -1)
        x = (acc[:, :, None] >= t[None, :, :]).sum(axis=2)
    raise AssertionError


def bench_images(count, elements):
    """The same dataset-like images `tern bench` uses (an LCG; two thirds zero pixels)."""
    state = 0x2017
    out = np.zeros(count * elements, dtype=np.uint8)
    mask = (1 << 64) - 1
    for i in range(count * elements):
        state = (state * 6364136223846793005 + 1442695040888963407) & mask
        r = state >> 33
        out[i] = (r >> 8) & 0xFF if r % 3 == 0 else 0
    return out.reshape(count, elements)


def load_idx_images(directory, count, elements):
    """The first `count` test images of an IDX dataset directory (t10k-images-idx3-ubyte[.gz])."""
    import gzip
    import os
    path = os.path.join(directory, "t10k-images-idx3-ubyte")
    raw = gzip.open(path + ".gz").read() if os.path.exists(path + ".gz") else open(path, "rb").read()
    n = min(count, struct.unpack(">I", raw[4:8])[0])
    images = np.frombuffer(raw[16:16 + n * elements], dtype=np.uint8).reshape(n, elements)
    return np.concatenate([images] * ((count + n - 1) // n))[:count]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--batch", default="1,64")
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--clock", choices=["cpu", "wall"], default="cpu",
                    help="cpu: this thread's CPU time (ORT with one intra-op thread runs on the caller's thread)")
    ap.add_argument("--data", help="time on the first test images of this MNIST-style IDX directory (plain or .gz)")
    ap.add_argument("--check", type=int, default=0, help="compare ORT predictions with the integer dataflow on N images")
    ap.add_argument("--int8", action="store_true",
                    help="also time the int8 model onnxruntime.quantization.quantize_dynamic makes of it (the "
                         "quantized network a user of ONNX Runtime would deploy; its predictions are close, not equal)")
    args = ap.parse_args()
    import onnxruntime as ort

    net = load_network(args.model)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    float_model = build_onnx(net)
    session = ort.InferenceSession(float_model, opts, providers=["CPUExecutionProvider"])
    sessions = [("float32", session)]
    if args.int8:
        sessions.append(("int8", ort.InferenceSession(quantize_int8(float_model), opts,
                                                      providers=["CPUExecutionProvider"])))
    fan_in = net[0]["w"].shape[1]
    batches = [int(b) for b in args.batch.split(",")]
    pool = (load_idx_images(args.data, max(max(batches), 64), fan_in) if args.data
            else bench_images(max(max(batches), 64), fan_in)).astype(np.float32)
    if args.check:
        imgs = bench_images(args.check, fan_in)
        ort_pred = np.argmax(session.run(["logits"], {"images": imgs.astype(np.float32)})[0], axis=1)
        agree = float(np.mean(ort_pred == integer_predictions(net, imgs)))
        print("ORT float32 predictions agree with the integer dataflow on %.2f%% of %d images" % (agree * 100, args.check),
              file=sys.stderr)
    if args.check and args.int8:
        imgs = bench_images(args.check, fan_in)
        q_pred = np.argmax(sessions[1][1].run(["logits"], {"images": imgs.astype(np.float32)})[0], axis=1)
        agree = float(np.mean(q_pred == integer_predictions(net, imgs)))
        print("ORT int8 predictions agree with the integer dataflow on %.2f%% of %d images" % (agree * 100, args.check),
              file=sys.stderr)
    rows = []
    for (kind, session), b in [(s, b) for s in sessions for b in batches]:
        x = np.ascontiguousarray(pool[:b])
        session.run(["logits"], {"images": x})  # warm-up
        clock = time.thread_time if args.clock == "cpu" else time.perf_counter
        times = []
        begin = time.perf_counter()
        while len(times) < 3 or time.perf_counter() - begin < args.seconds:
            t0 = clock()
            session.run(["logits"], {"images": x})
            times.append(clock() - t0)
        times.sort()
        pct = lambda q: times[min(len(times) - 1, int(len(times) * q))] * 1e6
        rate = b / (pct(0.5) / 1e6)  # from the median, like tern bench
        rows.append(dict(engine="onnxruntime " + ort.__version__, mode=kind, batch=b, threads=1,
                         imagesPerSecond=rate, microsecondsPerImage=1e6 / rate, p50=pct(0.5), p90=pct(0.9),
                         p99=pct(0.99), arenaBytes=0))
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for r in rows:
            print("ORT %s batch %d: %.0f images/s (%.1f us/image)" % (r["mode"], r["batch"], r["imagesPerSecond"],
                                                                       r["microsecondsPerImage"]))


if __name__ == "__main__":
    main()
