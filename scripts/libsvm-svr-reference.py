#!/usr/bin/env python3
"""Reference SVR predictions for test/services/nr/libsvm-svr.test.ts.

scikit-learn's SVR and NuSVR are libsvm's epsilon-SVR (-s 3) and nu-SVR (-s 4) solvers; this script
fits them with the RBF kernel (-t 2) on a standard toy set, scikit-learn's bundled diabetes data
(Efron et al., "Least Angle Regression", 2004: 442 patients, 10 baseline variables, disease
progression after one year), and stores the inputs with the predictions, so the test needs neither
scikit-learn nor NumPy.

Data: the first 120 patients; each variable and the target standardised (mean 0, population standard
deviation 1) over those 120. Train on the first 100, predict the 100 training rows and the 20 held out.
Solver settings as libsvm's defaults (tol 1e-3, shrinking on, cache 100 MB), and each case again with
tol 1e-9.

Run: /usr/bin/python3 scripts/libsvm-svr-reference.py > test/services/nr/fixtures/libsvm-svr-reference.json
(Debian's python3-sklearn 1.2.1 and numpy 1.24.2 for the committed file.)
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_diabetes
from sklearn.svm import SVR, NuSVR

N, N_TRAIN = 120, 100

CASES = [
    {"type": "epsilon", "C": 1.0, "gamma": 0.1, "epsilon": 0.1},
    {"type": "epsilon", "C": 10.0, "gamma": 0.5, "epsilon": 0.2},
    {"type": "nu", "C": 1.0, "gamma": 0.1, "nu": 0.5},
    {"type": "nu", "C": 4.0, "gamma": 0.05, "nu": 0.3},
]
# The same problems solved to a tight stopping tolerance: both builds then reach the same optimum.
CASES += [dict(case, tolerance=1e-9) for case in CASES]


def main():
    data = load_diabetes()
    x = np.asarray(data.data[:N], dtype=np.float64)
    y = np.asarray(data.target[:N], dtype=np.float64)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = (y - y.mean()) / y.std()
    results = []
    for case in CASES:
        common = dict(kernel="rbf", C=case["C"], gamma=case["gamma"], tol=case.get("tolerance", 1e-3), shrinking=True, cache_size=100)
        if case["type"] == "epsilon":
            model = SVR(epsilon=case["epsilon"], **common)
        else:
            model = NuSVR(nu=case["nu"], **common)
        model.fit(x[:N_TRAIN], y[:N_TRAIN])
        results.append({
            "params": case,
            "supportVectors": int(model.support_.shape[0]),
            "intercept": float(model.intercept_[0]),
            "predictions": [float(v) for v in model.predict(x)],
        })
    json.dump({
        "source": "scikit-learn %s (libsvm) on load_diabetes()[:%d], standardised; numpy %s" % (sklearn.__version__, N, np.__version__),
        "trainRows": N_TRAIN,
        "x": [[float(v) for v in row] for row in x],
        "y": [float(v) for v in y],
        "cases": results,
    }, sys.stdout, indent=None)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
