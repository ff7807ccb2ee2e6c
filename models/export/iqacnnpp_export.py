"""IQA-CNN++ (Kang, Ye, Li, Doermann, ICIP 2015) -> ONNX, from weights a user trained. Written for
this project; NOT run on the development machine, which has no PyTorch (the committed random-weight
graph models/iqacnnpp-arch/iqacnnpp_arch.onnx is written by arch_iqacnnpp.mjs in Node instead, with
the same signature, and checked against iqacnnpp_reference.py).

Graph input : "patches"            float32 (N,1,32,32): grey/255 patches, ALREADY locally contrast-
                                   normalised (3x3 window, C = 1), as the app prepares them
                                   (src-main/kernels/nn/iqacnnpp-patches.ts) and as the public training
                                   code (lidq92/CNNIQAplusplus, IQADataset.LocalNormalization) feeds them.
Graph outputs: "quality"           float32 (N,1)  the quality head per patch
               "distortion_logits" float32 (N,K)  the distortion head per patch
               "distortion_probs"  float32 (N,K)  softmax of the logits
Layers: conv 8x3x3 -> max pool 2x2 -> conv 32x3x3 -> global max and min pooling -> FC 128 + ReLU ->
(dropout, a no-op here) -> FC 512 + ReLU -> FC 1 (quality) and FC K (distortion). K must equal the
number of labels in models/manifest.json (5 for LIVE, in LIVE's order: JPEG2000, JPEG, white noise,
Gaussian blur, fast fading); the app checks the output shape at install time.

The state_dict keys are those of a module with conv1, conv2, fc1, fc2, fc3_q, fc3_d (the names the
public re-implementation uses); --n2-kernels and --classes adapt the two sizes that differ between its
configurations.

Usage: python3 iqacnnpp_export.py --weights STATE_DICT --out-dir DIR [--n2-kernels 32] [--classes 5]
Then:  iqa models install DIR/iqacnnpp.onnx --as iqacnnpp && iqa models verify iqacnnpp
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import write_probes  # noqa: E402
from iqacnnpp_reference import forward, lcn  # noqa: E402

OPSET = 17


class IQACNNpp(nn.Module):
    def __init__(self, n2_kernels=32, classes=5):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, n2_kernels, 3)
        self.fc1 = nn.Linear(2 * n2_kernels, 128)
        self.fc2 = nn.Linear(128, 512)
        self.fc3_q = nn.Linear(512, 1)
        self.fc3_d = nn.Linear(512, classes)

    def forward(self, patches):
        h = self.conv2(self.pool1(self.conv1(patches)))
        h = torch.cat([torch.amax(h, dim=(2, 3)), torch.amin(h, dim=(2, 3))], 1)
        h = F.relu(self.fc2(F.relu(self.fc1(h))))
        logits = self.fc3_d(h)
        return self.fc3_q(h), logits, torch.softmax(logits, dim=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True, help="a state_dict (torch.save) of the trained network")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--n2-kernels", type=int, default=32)
    ap.add_argument("--classes", type=int, default=5)
    args = ap.parse_args()
    sd = torch.load(args.weights, map_location="cpu")
    # Training wrappers (DataParallel) prefix every key with "module.".
    sd = {k[len("module."):] if k.startswith("module.") else k: v for k, v in sd.items()}
    m = IQACNNpp(args.n2_kernels, args.classes).eval()
    m.load_state_dict(sd)
    os.makedirs(args.out_dir, exist_ok=True)
    out = os.path.join(args.out_dir, "iqacnnpp.onnx")
    torch.onnx.export(
        m, torch.zeros(2, 1, 32, 32), out, opset_version=OPSET,
        input_names=["patches"], output_names=["quality", "distortion_logits", "distortion_probs"],
        dynamic_axes={"patches": {0: "N"}, "quality": {0: "N"}, "distortion_logits": {0: "N"}, "distortion_probs": {0: "N"}},
    )

    # Probes: normalised patches of seeded noise and ramps, with the network's own outputs (torch) and
    # the independent NumPy forward pass on the same weights, which must agree before anything is written.
    rng = np.random.default_rng(2015)
    yy, xx = np.mgrid[0:32, 0:32] / 31.0
    raw = np.concatenate([np.clip(0.5 + 0.2 * rng.standard_normal((8, 32, 32)), 0, 1),
                          np.stack([0.2 + 0.6 * (a * xx + (1 - a) * yy) for a in np.linspace(0, 1, 4)])])
    x = np.stack([lcn(p) for p in raw])[:, None].astype(np.float32)
    with torch.no_grad():
        q, logits, probs = (t.numpy() for t in m(torch.from_numpy(x)))
    w = {k: v.double().numpy() for k, v in m.state_dict().items()}
    rq, rl, rp = forward(x.astype(np.float64), w)
    worst = max(float(np.abs(q - rq).max()), float(np.abs(logits - rl).max()), float(np.abs(probs - rp).max()))
    if worst > 1e-4:
        raise SystemExit(f"torch and the NumPy reference disagree by {worst}: the state_dict is not this architecture")
    write_probes(args.out_dir, "iqacnnpp.onnx", [{"patches": x}],
                 [{"quality": q, "distortion_logits": logits, "distortion_probs": probs}],
                 notes={"torch_vs_numpy_max_abs": worst})
    print(f"{out}: torch vs NumPy reference max abs {worst:.3g}")


if __name__ == "__main__":
    main()
