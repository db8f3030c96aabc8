import { describe, expect, it } from 'vitest';
import {
  crowdingDistance,
  dominates,
  nonDominatedSort,
  objectiveVector,
  paretoFront,
  parseObjectives,
} from './pareto.js';

describe('Pareto helpers (maximising every component)', () => {
  it('dominance needs at least as good everywhere and better somewhere', () => {
    expect(dominates([2, 2], [1, 2])).toBe(true);
    expect(dominates([2, 2], [2, 2])).toBe(false);
    expect(dominates([3, 1], [1, 3])).toBe(false);
  });

  it('sorts into fronts as worked out by hand', () => {
    //  a(4,1) b(3,3) c(1,4) are mutually non-dominated; d(2,2) is dominated by b only; e(1,1) by all of a..d.
    const points = [
      [4, 1],
      [3, 3],
      [1, 4],
      [2, 2],
      [1, 1],
    ];
    expect(nonDominatedSort(points)).toEqual([[0, 1, 2], [3], [4]]);
    expect(paretoFront(points)).toEqual([0, 1, 2]);
  });

  it('gives the extremes infinite crowding distance and the middle the normalised gap', () => {
    const points = [
      [4, 1],
      [3, 3],
      [1, 4],
    ];
    // For b: objective 0 neighbours 4 and 1 over range 3 → 1; objective 1 neighbours 4 and 1 over range 3 → 1.
    expect(crowdingDistance(points, [0, 1, 2])).toEqual([
      Number.POSITIVE_INFINITY,
      2,
      Number.POSITIVE_INFINITY,
    ]);
  });

  it('parses objectives and turns metrics into a vector to maximise', () => {
    const specs = parseObjectives('test_acc:max, params:min');
    expect(specs).toEqual([
      { metric: 'test_acc', direction: 'max' },
      { metric: 'params', direction: 'min' },
    ]);
    expect(objectiveVector({ test_acc: 90, params: 5 }, specs as never)).toEqual([90, -5]);
    expect(objectiveVector({ test_acc: 90 }, specs as never)).toBeUndefined();
    expect(parseObjectives('acc:up')).toBe("'acc:up' is not METRIC:max or METRIC:min");
    expect(parseObjectives('a:max,a:min')).toBe('names a metric twice');
  });
});
