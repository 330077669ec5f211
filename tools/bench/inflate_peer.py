#!/usr/bin/env python3
"""Inflate peers for `tern bench --peer inflate`: how long system zlib, libdeflate and ISA-L take to inflate every
zlib section of a .tern artifact once (one pass over the weights, thresholds and affine, as streaming mode does per
batch). Prints one JSON object: {"sections": N, "decodedBytes": B, "peers": {name: microseconds per pass}}, each the
fastest of repeated passes on this thread's CPU clock.

Usage: python3 tools/bench/inflate_peer.py MODEL.tern [--seconds 1]
The decoded size is passed to each peer (libdeflate requires it; the runtime knows it from the section table).
Needs: pip install deflate isal (a missing one is reported as null, not an error)
"""
import argparse
import json
import os
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ort_peer import parse_tern  # noqa: E402


def peers():
    out = {"zlib": lambda b, n: zlib.decompress(b, bufsize=n)}
    try:
        import deflate
        out["libdeflate"] = deflate.zlib_decompress
    except ImportError:
        out["libdeflate"] = None
    try:
        from isal import isal_zlib
        out["isal"] = lambda b, n: isal_zlib.decompress(b, bufsize=n)
    except ImportError:
        out["isal"] = None
    return out


def best_pass_us(fn, streams, expected, seconds):
    sizes = [len(e) for e in expected]
    for s, n, e in zip(streams, sizes, expected):
        if fn(s, n) != e:
            sys.exit("a peer decoded a section wrongly")
    best = float("inf")
    total = 0.0
    runs = 0
    while runs < 5 or total < seconds:
        t0 = time.thread_time()
        for s, n in zip(streams, sizes):
            fn(s, n)
        dt = time.thread_time() - t0
        best = min(best, dt)
        total += dt
        runs += 1
    return best * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--seconds", type=float, default=1.0)
    args = ap.parse_args()
    _, sections = parse_tern(open(args.model, "rb").read())
    zs = [s for s in sections if s["compression"] == 1]
    streams = [s["stored"] for s in zs]
    expected = [s["bytes"] for s in zs]
    result = {"sections": len(zs), "decodedBytes": sum(len(e) for e in expected), "peers": {}}
    for name, fn in peers().items():
        result["peers"][name] = None if fn is None else best_pass_us(fn, streams, expected, args.seconds)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
