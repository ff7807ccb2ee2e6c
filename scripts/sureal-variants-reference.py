#!/usr/bin/env python3
"""Reference numbers for test/kernels/stats/sureal-variants.test.ts, from Netflix SUREAL's own code.

`iqa mos` offers, beside its defaults, the variants SUREAL computes (docs/analysis.md "Variants"): the
normal-approximation MOS interval, SUREAL's BT.500 screening, the residual-based psi interval of the P.913
reference code, and repeated ratings kept as separate observations. This script runs SUREAL on two rating
sets and stores what it reports, so the tests compare against the published reference code itself:

- `single`: the 24 x 30 ratings of shared/golden/stats/bt500.json (0..100, planted outliers), one rating per
  observer and stimulus;
- `repeated`: the same ratings with extra repetitions, made here by a fixed rule (below), so that
  some observers rate some stimuli two or three times.

For each: MosModel (MOS over all ratings, repetitions stacked; quality_scores_ci95 = 1.95996 * std/sqrt(n)),
SubjrejMosModel (SUREAL's BT.500 kurtosis screening, then MosModel), SubjectMLEModelProjectionSolver
(MLE_CO_AP: the psi std from the Fisher information) and SubjectMLEModelProjectionSolver2 (MLE_CO_AP2: the
psi std from each stimulus's residuals), and for `single` also run_alternating_projection of
itut_p913_demo/demo.py (the P.913 clause 12.6 reference code: mos_j, sos_j).
The ratings are stored inline, so the tests need neither SUREAL nor shared/.

Run (SUREAL is not a dependency of the project; any checkout of github.com/Netflix/sureal, numpy, scipy):
  SUREAL_DIR=/path/to/sureal python3 scripts/sureal-variants-reference.py ../shared/golden/stats/bt500.json \
    > test/kernels/stats/fixtures/sureal-variants-reference.json
(SUREAL commit 526715c, numpy 2.4.6, scipy 1.17.1 for the committed file. SUREAL's modules import pandas and
matplotlib at the top without using them on these paths; a stub module of each on PYTHONPATH will do.)
"""
import contextlib
import importlib.util
import json
import os
import sys
import types
import warnings

import numpy as np
import scipy

SUREAL_DIR = os.environ['SUREAL_DIR']
sys.path.insert(0, SUREAL_DIR)
warnings.simplefilter('ignore')

from sureal.dataset_reader import RawDatasetReader  # noqa: E402
from sureal.subjective_model import MosModel, SubjrejMosModel, SubjectMLEModelProjectionSolver, SubjectMLEModelProjectionSolver2  # noqa: E402

spec = importlib.util.spec_from_file_location('p913_demo', os.path.join(SUREAL_DIR, 'itut_p913_demo', 'demo.py'))
p913_demo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(p913_demo)


def repeated_from(single):
    """ratings[o][s] -> list of repetitions: a second rating where (o + 2s) % 4 == 0, a third where (o + s) % 9 == 0."""
    out = []
    for o, row in enumerate(single):
        cells = []
        for s, v in enumerate(row):
            reps = [v]
            if (o + 2 * s) % 4 == 0:
                reps.append(min(100, max(0, v + (o * 5 + s * 3) % 21 - 10)))
            if (o + s) % 9 == 0:
                reps.append(min(100, max(0, v - 7)))
            cells.append(reps)
        out.append(cells)
    return out


def dataset(ratings):
    """ratings[o][s] = list of repetitions -> a SUREAL dataset (subjects named so that sorting keeps their order)."""
    n_obs, n_stim = len(ratings), len(ratings[0])
    return types.SimpleNamespace(
        dataset_name='iqa_variants', yuv_fmt='yuv420p', width=1920, height=1080,
        ref_videos=[{'content_id': 0, 'content_name': 'c', 'path': 'c.yuv'}],
        dis_videos=[{'asset_id': s, 'content_id': 0, 'path': f'd{s}.yuv',
                     'os': {f'o{o:02d}': (ratings[o][s] if len(ratings[o][s]) > 1 else ratings[o][s][0]) for o in range(n_obs)}}
                    for s in range(n_stim)],
    )


def floats(xs):
    return [None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x) for x in xs]


def run(ratings):
    reader = RawDatasetReader(dataset(ratings))
    out = {}
    mos = MosModel(reader).run_modeling()
    out['MosModel'] = {'quality_scores': floats(mos['quality_scores']), 'quality_scores_ci95': floats(mos['quality_scores_ci95'][0])}
    rej = SubjrejMosModel(reader).run_modeling()
    out['SubjrejMosModel'] = {
        'observer_rejected': [bool(x) for x in rej['observer_rejected']],
        'observer_rejected_1st_stats': floats(rej['observer_rejected_1st_stats']),
        'observer_rejected_2nd_stats': floats(rej['observer_rejected_2nd_stats']),
        'quality_scores': floats(rej['quality_scores']),
        'quality_scores_ci95': floats(rej['quality_scores_ci95'][0]),
    }
    for name, model in (('MLE_CO_AP', SubjectMLEModelProjectionSolver), ('MLE_CO_AP2', SubjectMLEModelProjectionSolver2)):
        r = model(reader).run_modeling()
        out[name] = {k: floats(r[k]) for k in ('quality_scores', 'quality_scores_std', 'observer_bias', 'observer_inconsistency')}
    return out


def main():
    # SUREAL prints its iterations on stdout; the JSON alone goes there.
    with contextlib.redirect_stdout(sys.stderr):
        ref = reference()
    json.dump(ref, sys.stdout, indent=1)
    sys.stdout.write('\n')


def reference():
    golden = json.load(open(sys.argv[1]))
    single = [[[v] for v in row] for row in golden['ratings']]
    repeated = repeated_from(golden['ratings'])
    ref = {
        'generator': 'scripts/sureal-variants-reference.py',
        'versions': {'numpy': np.__version__, 'scipy': scipy.__version__, 'sureal_commit': os.environ.get('SUREAL_COMMIT', 'unknown')},
        'layout': 'ratings[observer][stimulus] = list of that observer\'s repetitions of the stimulus, in order',
        'single': {'ratings': single, **run(single)},
        'repeated': {'ratings': repeated, **run(repeated)},
    }
    # The P.913 clause 12.6 reference code (itut_p913_demo/demo.py) takes o_ji: stimuli x observers, no repetitions.
    o_ji = np.array(golden['ratings'], dtype=np.float64).T
    ap = p913_demo.run_alternating_projection(o_ji)
    ref['single']['p913_demo'] = {'mos_j': floats(ap['mos_j']), 'sos_j': floats(ap['sos_j'])}
    return ref


if __name__ == '__main__':
    main()
