/**
 * The VMAF models shipped with the app (models/vmaf/, BSD+Patent, LICENSE-BSD-2-Clause-Patent.txt and
 * PROVENANCE.md there): byte-for-byte copies of Netflix's files at libvmaf 3.2.0. They are bundled into
 * the code that needs them (the JSON is imported at build time, as models/manifest.json is), so no
 * path has to be found at run time, in the CLI, the web host, a worker thread or the packaged app.
 * Only the models whose features this engine computes (libvmaf's integer VIF, ADM and motion, for
 * vmaf_float_v0.6.1 its float ones, for vmaf_v1.0.16_3d0h CAMBI, speed_chroma, ADM with the blended
 * CSF and motion3) are here.
 */
import v061 from '../../../models/vmaf/vmaf_v0.6.1.json';
import v061neg from '../../../models/vmaf/vmaf_v0.6.1neg.json';
import v061_4k from '../../../models/vmaf/vmaf_4k_v0.6.1.json';
import v061_4kneg from '../../../models/vmaf/vmaf_4k_v0.6.1neg.json';
import v061float from '../../../models/vmaf/vmaf_float_v0.6.1.json';
import v1_3d0h from '../../../models/vmaf/vmaf_v1.0.16_3d0h.json';
import { parseVmafModel, type VmafModel } from './model';

export const VMAF_MODEL_NAMES = ['vmaf_v0.6.1', 'vmaf_v0.6.1neg', 'vmaf_4k_v0.6.1', 'vmaf_4k_v0.6.1neg', 'vmaf_float_v0.6.1', 'vmaf_v1.0.16_3d0h'] as const;
export type VmafModelName = (typeof VMAF_MODEL_NAMES)[number];
export const VMAF_DEFAULT_MODEL: VmafModelName = 'vmaf_v0.6.1';

/** SHA-256 of each shipped file (models/vmaf/PROVENANCE.md; a test checks the files against them). */
export const VMAF_MODEL_SHA256: Readonly<Record<VmafModelName, string>> = {
  'vmaf_v0.6.1': '5950d61fa1f861bd45d8149d80539ed9f3376cfc2495b8f0fa8e9f57cb131ee3',
  'vmaf_v0.6.1neg': '1fcda193aaa2a3136471b7516b3c5dc344546c05fcde2d58609f8c60a2387392',
  'vmaf_4k_v0.6.1': '73b187001309703c89d57cf58baab01660bd11e4ea6fac62bc064c5f5da6dac8',
  'vmaf_4k_v0.6.1neg': 'f92048bf94401a5b915f551eb248709275c61df5f20d062a3ae010dcf4d4e8fc',
  'vmaf_float_v0.6.1': '26573aa333346f1109226e7283969e8b3581119a1ab7f18897767351dd963ff8',
  'vmaf_v1.0.16_3d0h': 'e4cf8c147e1368b35497d772920bc92f98c1ad7853c1033d8a836947f427140e',
};

const JSON_OF: Readonly<Record<VmafModelName, unknown>> = {
  'vmaf_v0.6.1': v061,
  'vmaf_v0.6.1neg': v061neg,
  'vmaf_4k_v0.6.1': v061_4k,
  'vmaf_4k_v0.6.1neg': v061_4kneg,
  'vmaf_float_v0.6.1': v061float,
  'vmaf_v1.0.16_3d0h': v1_3d0h,
};

const parsed = new Map<string, VmafModel>();

/** A shipped model, parsed once per thread (JSON numbers round-trip exactly through stringify). */
export function shippedVmafModel(name: string): VmafModel {
  if (!(VMAF_MODEL_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`no VMAF model "${name}" (shipped: ${VMAF_MODEL_NAMES.join(', ')})`);
  }
  let m = parsed.get(name);
  if (!m) {
    m = parseVmafModel(JSON.stringify(JSON_OF[name as VmafModelName]), `${name}.json`);
    parsed.set(name, m);
  }
  return m;
}
