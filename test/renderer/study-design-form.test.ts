import { describe, expect, it } from 'vitest';
import type { Stimulus } from '../../src-main/common/domain';
import { chosenStimuli, createInput, defaultForm, formProblems, withMethod } from '../../src-renderer/src/lib/study/design-form';

const stim = (id: number, role: 'reference' | 'distorted', content: string): Stimulus =>
  ({ id, name: `s${id}`, role, content, kind: 'image', codec: 'png', attributes: {}, path: `s${id}.png`, referenceId: null, referenceName: null } as unknown as Stimulus);

describe('the study designer form', () => {
  it('takes the method table: DCR gets the impairment scale and its labels', () => {
    const f = withMethod(defaultForm(), 'DCR');
    expect(f.scale).toBe('impairment5');
    expect(f.labels[0]).toEqual({ value: 1, label: 'Very annoying' });
  });
  it('becomes the studies.create input: seconds to milliseconds, empty fields left to the engine', () => {
    const f = { ...defaultForm(), name: ' pilot ', training: 2, trainingFilter: 'role=reference', imageS: 1.5, greyS: 0.5, seed: '42', order: 'fixed' as const };
    f.labels = f.labels.map((l) => (l.value === 5 ? { ...l, label: 'Superb' } : l));
    const input = createInput('/p', f);
    expect(input).toMatchObject({ projectDir: '/p', name: 'pilot', method: 'ACR', scale: 'acr5', training: 2, repetitions: 1, seed: 42, order: 'fixed', timing: { imageMs: 1500, greyMs: 500, voteLimitMs: null, breakEveryMin: null } });
    expect(input.labels!.find((l) => l.value === 5)!.label).toBe('Superb');
    expect(input.stimuli).toBeUndefined();
    expect(input.trainingStimuli).toEqual({ role: 'reference' });
    expect(input.pairs).toBeUndefined();
  });
  it('names each problem before sending', () => {
    expect(formProblems(defaultForm())).toContain('Give the study a name.');
    const bad = { ...defaultForm(), name: 'x', filter: 'role', seed: 'abc', repetitions: 0 };
    expect(formProblems(bad)).toHaveLength(3);
    expect(formProblems({ ...defaultForm(), name: 'x', training: 2 })).toEqual(['Training stimuli: name them with a filter (e.g. role=reference); they must lie outside the test set.']);
  });
  it('previews the stimuli the method default filter or the typed filter chooses', () => {
    const all = [stim(1, 'reference', 'a'), stim(2, 'distorted', 'a'), stim(3, 'distorted', 'b')];
    expect(chosenStimuli(all, defaultForm()).map((s) => s.id)).toEqual([2, 3]);
    expect(chosenStimuli(all, { ...defaultForm(), filter: 'content=b' }).map((s) => s.id)).toEqual([3]);
    expect(chosenStimuli(all, withMethod(defaultForm(), 'PC')).map((s) => s.id)).toEqual([1, 2, 3]);
  });
  it('sends PC pairs and ties', () => {
    const input = createInput('/p', { ...withMethod(defaultForm(), 'PC'), name: 'pc', allowTie: true, pairs: 'random', perPair: 4 });
    expect(input.pairs).toEqual({ kind: 'random', perPair: 4 });
    expect(input.allowTie).toBe(true);
  });
});
