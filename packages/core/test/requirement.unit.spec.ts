import { describe, expect, it } from 'vitest';
import { inCi, missingRequirementMessage, requirementMode } from '../src/testing/requirement.js';

const data = (present: boolean) => ({ what: 'the data in /d', present, howTo: 'apt-get install d' });

describe('a test that needs something from outside the repository', () => {
  it('runs when it is present, whether on CI or not', () => {
    expect(requirementMode(data(true), { CI: 'true' })).toBe('run');
    expect(requirementMode(data(true), {})).toBe('run');
  });

  it('fails when it is missing on CI (CI=true or CI=1), and is skipped elsewhere', () => {
    expect(requirementMode(data(false), { CI: 'true' })).toBe('fail');
    expect(requirementMode(data(false), { CI: '1' })).toBe('fail');
    expect(requirementMode(data(false), {})).toBe('skip');
    expect(requirementMode(data(false), { CI: 'false' })).toBe('skip');
    expect(inCi({ CI: '' })).toBe(false);
  });

  it('says on CI what is missing and how to get it', () => {
    expect(missingRequirementMessage(data(false))).toBe(
      'the data in /d is missing, and CI=true forbids skipping: apt-get install d',
    );
  });
});
