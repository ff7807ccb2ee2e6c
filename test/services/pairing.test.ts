import { describe, expect, it } from 'vitest';
import { planPairs, stemHasPrefix } from '../../src-main/services/import/pairing';

const f = (key: string, dirs: string[] = []) => ({ key, dirs });
const byKey = (plan: ReturnType<typeof planPairs>) => Object.fromEntries(plan.map((p) => [p.key, p]));

describe('pairing by names', () => {
  it('a prefix counts only at a separator', () => {
    expect(stemHasPrefix('src1_jpeg', 'src1')).toBe(true);
    expect(stemHasPrefix('src10_jpeg', 'src1')).toBe(false);
    expect(stemHasPrefix('src1', 'src1')).toBe(true);
  });

  it('files in a ref folder are references; others pair by the longest stem prefix', () => {
    const plan = byKey(
      planPairs([f('/m/ref/a.png', ['ref']), f('/m/ref/a_b.png', ['ref']), f('/m/d/a_b_jpeg.png', ['d']), f('/m/d/a_q5.png', ['d'])]),
    );
    expect(plan['/m/ref/a.png']!.role).toBe('reference');
    expect(plan['/m/ref/a_b.png']!.role).toBe('reference');
    expect(plan['/m/d/a_b_jpeg.png']).toMatchObject({ role: 'distorted', referenceKey: '/m/ref/a_b.png', attributes: { condition: 'jpeg' } });
    expect(plan['/m/d/a_q5.png']).toMatchObject({ role: 'distorted', referenceKey: '/m/ref/a.png', content: 'a' });
  });

  it('without a ref folder, a stem that prefixes others is the reference', () => {
    const plan = byKey(planPairs([f('/m/cat.png'), f('/m/cat_jpeg_q10.png'), f('/m/cat-blur.mp4'), f('/m/dog.png')]));
    expect(plan['/m/cat.png']!.role).toBe('reference');
    expect(plan['/m/cat_jpeg_q10.png']).toMatchObject({ role: 'distorted', referenceKey: '/m/cat.png', attributes: { condition: 'jpeg_q10' } });
    expect(plan['/m/cat-blur.mp4']).toMatchObject({ referenceKey: '/m/cat.png', attributes: { condition: 'blur' } });
    expect(plan['/m/dog.png']).toMatchObject({ role: 'distorted', referenceKey: null });
  });

  it('a pattern pairs by its ref group and turns other groups into attributes', () => {
    const plan = byKey(
      planPairs([f('/m/bike.png'), f('/m/bike__hevc__2000k.mp4'), f('/m/other.png')], '^(?<ref>[^_]+)__(?<codec>\\w+?)__(?<bitrate>\\d+k)$'),
    );
    expect(plan['/m/bike.png']!.role).toBe('reference');
    expect(plan['/m/bike__hevc__2000k.mp4']).toMatchObject({ role: 'distorted', referenceKey: '/m/bike.png', attributes: { codec: 'hevc', bitrate: '2000k' } });
    expect(plan['/m/other.png']).toMatchObject({ role: 'distorted', referenceKey: null });
  });

  it('a pattern naming a reference that is not in the import keeps the stem for a later lookup', () => {
    const plan = planPairs([f('/m/bike__x__1k.mp4')], '^(?<ref>[^_]+)__(?<codec>\\w+?)__(?<bitrate>\\d+k)$');
    expect(plan[0]).toMatchObject({ referenceKey: null, referenceStem: 'bike' });
  });

  it('the plan does not depend on the order files are listed in', () => {
    const files = [f('/m/x_1.png'), f('/m/x.png'), f('/m/x_2.png')];
    expect(planPairs(files)).toEqual(planPairs([...files].reverse()));
  });

  it('a folder with ref/dist subfolders and a flat folder of name-prefixed images each pair by their own rule', () => {
    const plan = byKey(
      planPairs([
        f('/m/videos/ref/bike.mp4', ['videos', 'ref']),
        f('/m/videos/dist/bike_crf30.mp4', ['videos', 'dist']),
        f('/m/images/img01.png', ['images']),
        f('/m/images/img01_blur.png', ['images']),
        f('/m/images/img02.png', ['images']),
        f('/m/images/img02_jpeg_q10.png', ['images']),
      ]),
    );
    expect(plan['/m/videos/ref/bike.mp4']!.role).toBe('reference');
    expect(plan['/m/videos/dist/bike_crf30.mp4']).toMatchObject({ role: 'distorted', referenceKey: '/m/videos/ref/bike.mp4', attributes: { condition: 'crf30' } });
    expect(plan['/m/images/img01.png']!.role).toBe('reference');
    expect(plan['/m/images/img02.png']!.role).toBe('reference');
    expect(plan['/m/images/img01_blur.png']).toMatchObject({ role: 'distorted', referenceKey: '/m/images/img01.png', attributes: { condition: 'blur' } });
    expect(plan['/m/images/img02_jpeg_q10.png']).toMatchObject({ referenceKey: '/m/images/img02.png', attributes: { condition: 'jpeg_q10' } });
    expect(Object.values(plan).every((p) => p.unpairedReason === undefined)).toBe(true);
  });

  it('a distorted file pairs only with the references of the ref folder above it', () => {
    const plan = byKey(
      planPairs([
        f('/m/a/ref/x.png', ['a', 'ref']),
        f('/m/a/dist/x_1.png', ['a', 'dist']),
        f('/m/b/ref/x.png', ['b', 'ref']),
        f('/m/b/dist/x_1.png', ['b', 'dist']),
      ]),
    );
    expect(plan['/m/a/dist/x_1.png']!.referenceKey).toBe('/m/a/ref/x.png');
    expect(plan['/m/b/dist/x_1.png']!.referenceKey).toBe('/m/b/ref/x.png');
  });

  it('a file below no ref folder that no name-prefix pairs still finds a ref-folder reference', () => {
    const plan = byKey(planPairs([f('/m/set1/ref/a.png', ['set1', 'ref']), f('/m/set2/a_x.png', ['set2'])]));
    expect(plan['/m/set2/a_x.png']).toMatchObject({ referenceKey: '/m/set1/ref/a.png', attributes: { condition: 'x' } });
  });

  it('every unpaired distorted file says why, naming the folder or the name it looked for', () => {
    const plan = byKey(
      planPairs([
        f('/m/videos/ref/bike.mp4', ['videos', 'ref']),
        f('/m/videos/dist/car_crf30.mp4', ['videos', 'dist']),
        f('/m/images/lonely.png', ['images']),
        f('/m/images/cat_blur.png', ['images']),
      ]),
    );
    expect(plan['/m/videos/dist/car_crf30.mp4']!.unpairedReason).toMatch(/no file in videos\/ref\/ is named "car"/);
    expect(plan['/m/images/lonely.png']!.unpairedReason).toMatch(/no other file is named "lonely_<condition>"/);
    expect(plan['/m/images/cat_blur.png']!.unpairedReason).toMatch(/no file named "cat".*--pattern/);
    const pattern = byKey(planPairs([f('/m/zz.png'), f('/m/bike__x__1k.mp4')], '^(?<ref>[^_]+)__(?<codec>\\w+?)__(?<bitrate>\\d+k)$'));
    expect(pattern['/m/zz.png']!.unpairedReason).toMatch(/does not match the pattern/);
    expect(pattern['/m/bike__x__1k.mp4']!.unpairedReason).toMatch(/names reference "bike"/);
  });
});
