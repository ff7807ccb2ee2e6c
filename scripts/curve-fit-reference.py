#!/usr/bin/env python3
"""Reference fits for test/kernels/stats/mapping-procedure.test.ts.

Generates varied (x, y) data sets (sigmoid, near-linear, decreasing, heavy ties, outliers, typical MSE /
PSNR / SSIM / LPIPS against a MOS, n = 6 ... 1000) and fits the VQEG 5-parameter and the 4-parameter
logistic with scipy.optimize.curve_fit (Levenberg-Marquardt, MINPACK, maxfev 100000) from the documented
start of the analysis (the start of shared/golden/stats/correlation.json):
  logistic5: p0 = [max(y) - min(y), sign(PLCC)/std(x), mean(x), 0, mean(y)]  (std ddof = 0)
  logistic4: p0 = [max(y), min(y), mean(x), std(x)], b1/b2 swapped when PLCC < 0.
For each fit it stores params, SSE, mapped PLCC / RMSE, whether MINPACK reported success, and whether the
curve is monotone in the direction of the PLCC over [min x, max x] (checked on 20001 points).
The data are stored inline, so nobody needs to reproduce NumPy's generator.

Run: python3 scripts/curve-fit-reference.py > test/kernels/stats/fixtures/curve-fit-reference.json
(scipy 1.17.1, numpy 2.4.6 for the committed file.)
"""
import json
import sys
import warnings

import numpy as np
import scipy
from scipy.optimize import curve_fit


def logistic5(x, b1, b2, b3, b4, b5):
    z = b2 * (x - b3)
    # 0.5 - 1/(1 + exp(z)) = 0.5 - sigmoid(-z), overflow-free
    s = np.where(z >= 0, np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))), 1 / (1 + np.exp(-np.abs(z))))
    return b1 * (0.5 - s) + b4 * x + b5


def logistic4(x, b1, b2, b3, b4):
    z = (x - b3) / np.abs(b4)
    s = np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))
    return (b1 - b2) * s + b2


def datasets():
    rng = np.random.default_rng(20240610)
    out = {}

    def add(name, x, y):
        out[name] = (np.asarray(x, float), np.asarray(y, float))

    for n in (6, 12, 40, 200, 1000):
        q = rng.uniform(0, 1, n)
        add(f"sigmoid_n{n}", 20 + 30 * q, 1 + 4 / (1 + np.exp(-10 * (q - 0.5))) + rng.normal(0, 0.25, n))
    for n in (8, 60):
        q = rng.uniform(0, 1, n)
        add(f"near_linear_n{n}", q, 2 + 2.5 * q + rng.normal(0, 0.15, n))
    q = rng.uniform(0, 1, 80)
    add("decreasing_n80", 0.6 * q, 5 - 3.5 / (1 + np.exp(-8 * (q - 0.45))) + rng.normal(0, 0.2, 80))
    q = rng.integers(0, 6, 120)
    add("heavy_ties_n120", q.astype(float), np.round((1 + 0.7 * q + rng.normal(0, 0.4, 120)) * 2) / 2)
    q = rng.uniform(0, 1, 50)
    y = 1 + 4 / (1 + np.exp(-7 * (q - 0.5))) + rng.normal(0, 0.2, 50)
    y[[3, 17, 31]] = [4.9, 1.1, 4.8]
    add("outliers_n50", q, y)
    # Typical metrics against a MOS from a latent quality.
    n = 150
    quality = rng.uniform(0, 1, n)
    mos = 1 + 4 / (1 + np.exp(-6 * (quality - 0.5))) + rng.normal(0, 0.25, n)
    psnr = 22 + 20 * quality + rng.normal(0, 1.2, n)
    add("typical_psnr_n150", psnr, mos)
    add("typical_mse_n150", 255.0**2 / 10 ** (psnr / 10), mos)
    add("typical_ssim_n150", 1 - 0.4 * (1 - quality) ** 1.7 * np.exp(rng.normal(0, 0.15, n)), mos)
    add("typical_lpips_n150", 0.65 * (1 - quality) ** 1.3 * np.exp(rng.normal(0, 0.2, n)), mos)
    return out


def p0_of(kind, x, y):
    r = np.corrcoef(x, y)[0, 1]
    if kind == "logistic5":
        return [y.max() - y.min(), np.sign(r) / x.std(), x.mean(), 0.0, y.mean()]
    return [y.min(), y.max(), x.mean(), x.std()] if r < 0 else [y.max(), y.min(), x.mean(), x.std()]


def monotone(f, params, x, direction):
    g = np.linspace(x.min(), x.max(), 20001)
    q = f(g, *params)
    d = np.diff(q) * direction
    return bool(np.all(d >= -1e-12 * (np.abs(q[:-1]) + 1)))


def main():
    cases = {}
    for name, (x, y) in datasets().items():
        r = float(np.corrcoef(x, y)[0, 1])
        direction = 1 if r >= 0 else -1
        case = {"x": x.tolist(), "y": y.tolist(), "direction": direction}
        for kind, f in (("logistic5", logistic5), ("logistic4", logistic4)):
            if len(x) < (6 if kind == "logistic5" else 5):
                case[kind] = None
                continue
            p0 = p0_of(kind, x, y)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    params, _, info, msg, ier = curve_fit(f, x, y, p0=p0, maxfev=100000, full_output=True)
                    ok = ier in (1, 2, 3, 4)
                except RuntimeError as err:
                    case[kind] = {"p0": p0, "success": False, "message": str(err)}
                    continue
            q = f(x, *params)
            sse = float(np.sum((q - y) ** 2))
            case[kind] = {
                "p0": [float(v) for v in p0],
                "params": [float(v) for v in params],
                "sse": sse,
                "plcc_mapped": float(np.corrcoef(q, y)[0, 1]) if np.std(q) > 0 else None,
                "rmse_mapped": float(np.sqrt(np.mean((q - y) ** 2))),
                "success": bool(ok),
                "nfev": int(info["nfev"]),
                "monotone": monotone(f, params, x, direction),
            }
        cases[name] = case
    json.dump(
        {
            "generator": "scripts/curve-fit-reference.py",
            "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__},
            "cases": cases,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
