#!/usr/bin/env python3
"""
Independent float64 reference for IQA-CNN++ (Kang et al., ICIP 2015) in NumPy only: the patch
pipeline and the network's forward pass, reading the weights straight out of the ONNX file with a
small protobuf reader (no onnx or onnxruntime package), so the Node graph writer, onnxruntime and
the TypeScript pipeline are all checked against code that shares nothing with them.

  python3 models/export/iqacnnpp_reference.py probes   [--model models/iqacnnpp-arch/iqacnnpp_arch.onnx]
      writes probes.json and probes/*.f32 beside the model (graph inputs and reference outputs)
  python3 models/export/iqacnnpp_reference.py pipeline --image ../shared/golden/images/chelsea.png
      [--model ...] --out test/kernels/nn/fixtures/iqacnnpp-chelsea
      writes <out>.json and <out>.patches.f32: the normalised patches of the image and the pooled
      quality and distortion distribution

Pipeline (services/models/iqacnnpp.ts follows the same steps; provenance.md gives the sources):
  grey  = PIL convert('L') of 8-bit RGB: (19595 R + 38470 G + 7471 B + 0x8000) >> 16; grey as is
  value = grey / 255 (float64)
  patches: non-overlapping 32x32 at (32 r, 32 c) for r < floor(H/32), c < floor(W/32), rows first
  per patch, local contrast normalisation (Kang et al. 2014, P = Q = 3, C = 1):
      mu = 3x3 box mean, sigma = sqrt(max(box mean of v^2 - mu^2, 0)), out = (v - mu) / (sigma + 1),
      the window mirrored at the patch border (scipy convolve2d boundary='symm', which for a 3x3
      window repeats the edge pixel)
  quality = mean of the patch qualities; distortion distribution = mean of the patch softmax
  probabilities (each patch's probabilities sum to 1, so their mean does too).
"""
import argparse
import json
import os
import struct
import sys
import zlib

import numpy as np

PATCH = 32
CLASSES = 5
LCN_C = 1.0


# ---- a minimal protobuf reader: enough of onnx.proto for the initializers -------------------------
def _varint(buf, i):
    shift = 0
    out = 0
    while True:
        b = buf[i]
        i += 1
        out |= (b & 0x7F) << shift
        if b < 0x80:
            return out, i
        shift += 7


def _fields(buf):
    """(field number, wire type, value) of one message; length-delimited values as bytes."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(buf, i)
        elif wire == 1:
            v = buf[i:i + 8]
            i += 8
        elif wire == 2:
            n, i = _varint(buf, i)
            v = buf[i:i + n]
            i += n
        elif wire == 5:
            v = buf[i:i + 4]
            i += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield field, wire, v


def read_initializers(path):
    """name -> float64 array of every float32 initializer (ModelProto.graph = 7, GraphProto.initializer = 5)."""
    data = open(path, "rb").read()
    graph = next(v for f, w, v in _fields(data) if f == 7)
    out = {}
    for f, w, t in _fields(graph):
        if f != 5:
            continue
        dims, dtype, name, raw, floats = [], None, None, None, []
        for tf, tw, tv in _fields(t):
            if tf == 1:
                if tw == 0:
                    dims.append(tv)
                else:  # packed repeated int64
                    j = 0
                    while j < len(tv):
                        d, j = _varint(tv, j)
                        dims.append(d)
            elif tf == 2:
                dtype = tv
            elif tf == 8:
                name = tv.decode()
            elif tf == 9:
                raw = tv
            elif tf == 4:
                floats.extend(struct.unpack(f"<{len(tv) // 4}f", tv) if tw == 2 else struct.unpack("<f", tv))
        if dtype != 1:
            raise ValueError(f"initializer {name}: data type {dtype}, expected FLOAT (1)")
        arr = np.frombuffer(raw, dtype="<f4") if raw is not None else np.asarray(floats, dtype=np.float32)
        out[name] = arr.astype(np.float64).reshape(dims)
    return out


# ---- the forward pass in float64 ---------------------------------------------------------------------
def conv_valid(x, w, b):
    """x [N,C,H,W], w [K,C,kh,kw] -> [N,K,H-kh+1,W-kw+1] (cross-correlation, as ONNX Conv)."""
    kh, kw = w.shape[2], w.shape[3]
    win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))  # N,C,H',W',kh,kw
    return np.einsum("nchwij,kcij->nkhw", win, w) + b[None, :, None, None]


def forward(patches, w):
    """patches [N,1,32,32] (normalised) -> quality [N,1], logits [N,5], probs [N,5], all float64."""
    h = conv_valid(patches, w["conv1.weight"], w["conv1.bias"])
    n, k, hh, ww = h.shape
    h = h[:, :, : hh // 2 * 2, : ww // 2 * 2].reshape(n, k, hh // 2, 2, ww // 2, 2).max(axis=(3, 5))
    h = conv_valid(h, w["conv2.weight"], w["conv2.bias"])
    pooled = np.concatenate([h.max(axis=(2, 3)), h.min(axis=(2, 3))], axis=1)
    h1 = np.maximum(pooled @ w["fc1.weight"].T + w["fc1.bias"], 0)
    h2 = np.maximum(h1 @ w["fc2.weight"].T + w["fc2.bias"], 0)
    q = h2 @ w["fc3_q.weight"].T + w["fc3_q.bias"]
    logits = h2 @ w["fc3_d.weight"].T + w["fc3_d.bias"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return q, logits, e / e.sum(axis=1, keepdims=True)


# ---- the patch pipeline ------------------------------------------------------------------------------
def lcn(patch):
    """Local contrast normalisation of one float64 patch (3x3 window, edge mirrored, C = 1)."""
    p = np.pad(patch, 1, mode="symmetric")
    win = np.lib.stride_tricks.sliding_window_view(p, (3, 3))
    mu = win.mean(axis=(2, 3))
    sm = (win * win).mean(axis=(2, 3))
    return (patch - mu) / (np.sqrt(np.maximum(sm - mu * mu, 0)) + LCN_C)


def pil_grey(rgb):
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    return ((19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16).astype(np.uint8)


def image_patches(grey):
    """grey uint8 [H,W] -> normalised patches [N,1,32,32] float64, rows first."""
    v = grey.astype(np.float64) / 255.0
    rows, cols = grey.shape[0] // PATCH, grey.shape[1] // PATCH
    out = np.empty((rows * cols, 1, PATCH, PATCH))
    for r in range(rows):
        for c in range(cols):
            out[r * cols + c, 0] = lcn(v[r * PATCH:(r + 1) * PATCH, c * PATCH:(c + 1) * PATCH])
    return out, rows, cols


# ---- a minimal PNG reader (8-bit grey or RGB, not interlaced): the golden images' format --------------
def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    i, idat, ihdr = 8, b"", None
    while i < len(data):
        n = struct.unpack(">I", data[i:i + 4])[0]
        kind, body = data[i + 4:i + 8], data[i + 8:i + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        i += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (0, 2) or interlace:
        raise ValueError(f"{path}: only 8-bit grey or RGB, non-interlaced PNGs are read (depth {depth}, type {ctype})")
    ch = 1 if ctype == 0 else 3
    raw = zlib.decompress(idat)
    stride = w * ch
    out = np.zeros((h, stride), dtype=np.int64)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=y * (stride + 1) + 1).astype(np.int64)
        cur = np.zeros(stride, dtype=np.int64)
        for x in range(stride):
            a = cur[x - ch] if x >= ch else 0
            b = prev[x]
            c = prev[x - ch] if x >= ch else 0
            if f == 0:
                pred = 0
            elif f == 1:
                pred = a
            elif f == 2:
                pred = b
            elif f == 3:
                pred = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[x] = (line[x] + pred) & 0xFF
        out[y] = cur
        prev = cur
    return out.astype(np.uint8).reshape(h, w, ch) if ch == 3 else out.astype(np.uint8)


def write_f32(path, arr):
    np.ascontiguousarray(arr, dtype="<f4").tofile(path)


# ---- commands ----------------------------------------------------------------------------------------
def cmd_probes(args):
    w = read_initializers(args.model)
    base = os.path.dirname(os.path.abspath(args.model))
    os.makedirs(os.path.join(base, "probes"), exist_ok=True)
    rng = np.random.default_rng(args.seed)
    yy, xx = np.mgrid[0:PATCH, 0:PATCH] / (PATCH - 1)
    raw = {
        # smooth ramps: LCN leaves almost nothing, so the network sees near-zero input
        "smooth": np.stack([0.2 + 0.6 * (a * xx + (1 - a) * yy) for a in np.linspace(0, 1, 4)]),
        # seeded noise around mid-grey, a heavily distorted patch
        "noise": np.clip(0.5 + 0.2 * rng.standard_normal((8, PATCH, PATCH)), 0, 1),
        # a checkerboard: the largest local contrast
        "checker": np.stack([((xx * 31).astype(int) + (yy * 31).astype(int)) % 2 * 1.0]),
    }
    doc = {"format": "raw little-endian float32, C order (row-major), no header", "model": os.path.basename(args.model),
           "inputs": {"patches": {"shape": ["N", 1, PATCH, PATCH], "meaning": "locally contrast-normalised 32x32 grey patches (values/255, LCN 3x3, C = 1)"}},
           "reference": "float64 NumPy forward pass of models/export/iqacnnpp_reference.py on the weights read from the ONNX file",
           "probes": []}
    for name, patches in raw.items():
        x = np.stack([lcn(p) for p in patches])[:, None].astype(np.float32)
        q, logits, probs = forward(x.astype(np.float64), w)
        files = {}
        for key, arr in (("patches", x), ("quality", q), ("distortion_logits", logits), ("distortion_probs", probs)):
            rel = f"probes/{name}.{key}.f32"
            write_f32(os.path.join(base, rel), arr)
            files[key] = {"file": rel, "shape": list(arr.shape)}
        doc["probes"].append({"name": name, "inputs": {"patches": files["patches"]},
                              "outputs": {k: files[k] for k in ("quality", "distortion_logits", "distortion_probs")}})
    with open(os.path.join(base, "probes.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"{base}/probes.json: {len(doc['probes'])} probes")


def cmd_pipeline(args):
    img = read_png(args.image)
    grey = img if img.ndim == 2 else pil_grey(img)
    patches, rows, cols = image_patches(grey)
    w = read_initializers(args.model)
    q, logits, probs = forward(patches.astype(np.float32).astype(np.float64), w)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    write_f32(args.out + ".patches.f32", patches)
    doc = {
        "image": os.path.basename(args.image),
        "width": int(grey.shape[1]), "height": int(grey.shape[0]),
        "rows": rows, "cols": cols, "patches": rows * cols,
        "patchesFile": os.path.basename(args.out) + ".patches.f32",
        "patchesShape": list(patches.shape),
        "model": os.path.basename(args.model),
        "quality": float(q.mean()),
        "distortion": [float(v) for v in probs.mean(axis=0)],
        "note": "float64 NumPy reference (models/export/iqacnnpp_reference.py pipeline); patches are stored as float32, "
                "the network is run on those float32 values in float64",
        "numpy": np.__version__,
    }
    with open(args.out + ".json", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"{args.out}.json: {rows}x{cols} patches, quality {doc['quality']:.9g}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("probes")
    p.add_argument("--model", default="models/iqacnnpp-arch/iqacnnpp_arch.onnx")
    p.add_argument("--seed", type=int, default=2015)
    q = sub.add_parser("pipeline")
    q.add_argument("--model", default="models/iqacnnpp-arch/iqacnnpp_arch.onnx")
    q.add_argument("--image", required=True)
    q.add_argument("--out", required=True)
    args = ap.parse_args()
    {"probes": cmd_probes, "pipeline": cmd_pipeline}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
