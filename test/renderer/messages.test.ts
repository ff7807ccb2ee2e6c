import { describe, expect, it } from 'vitest';
import { fieldWords, issueSentence, plainMessage } from '../../src-renderer/src/lib/messages';

describe('engine errors as sentences', () => {
  it('drops the command and field prefixes of a schema failure and says what is wrong with which field', () => {
    expect(plainMessage({ code: 'E_INPUT', message: 'import.start: source: must be an absolute path' })).toBe('The source must be an absolute path.');
    expect(plainMessage({ code: 'E_INPUT', message: 'import.start: options.pattern: not a valid regular expression; source: must be an absolute path' })).toBe(
      'The pairing pattern is not a valid regular expression. The source must be an absolute path.',
    );
  });

  it('uses the issues in the details when the engine sends them', () => {
    const details = [
      { code: 'custom', path: ['dir'], message: 'must be an absolute path' },
      { code: 'invalid_type', path: ['name'], message: 'Invalid input: expected string, received undefined' },
    ];
    expect(plainMessage({ code: 'E_INPUT', message: 'projects.create: dir: must be an absolute path; name: …', details })).toBe('The folder must be an absolute path. The name is missing.');
  });

  it('names fields in words, skipping list indices', () => {
    expect(fieldWords(['options', 'pattern'])).toBe('the pairing pattern');
    expect(fieldWords(['metrics', 0, 'id'])).toBe('the id');
    expect(fieldWords(['policy', 'skipRef'])).toBe('the number of reference frames to skip');
    expect(fieldWords(['someNewField'])).toBe('the some new field');
    expect(issueSentence(['format'], 'Invalid option: expected one of "csv"|"json"')).toBe('The format must be one of "csv", "json".');
    expect(issueSentence(['dir'], 'a path is required')).toBe('The folder is required.');
  });

  it('turns a file error code into words', () => {
    expect(plainMessage({ code: 'E_MEDIA', message: 'cannot read (ENOENT)' })).toBe('cannot read: no such file or folder');
    expect(plainMessage('/data/x.csv: cannot read the statistics file (EACCES)')).toBe('/data/x.csv: cannot read the statistics file: permission denied');
  });

  it('leaves a message that names its file or metric as it is', () => {
    expect(plainMessage({ code: 'E_NOT_FOUND', message: '/a/no-such-folder: no such file or folder' })).toBe('/a/no-such-folder: no such file or folder');
    expect(plainMessage({ code: 'E_INPUT', message: 'lpips: unknown parameter "foo"' })).toBe('lpips: unknown parameter "foo"');
    expect(plainMessage({ code: 'E_EXISTS', message: 'study "lab" already exists' })).toBe('study "lab" already exists');
  });
});
