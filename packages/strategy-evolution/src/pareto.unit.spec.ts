import { InvalidOptionError, type Metrics, type Objective, Rng } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import {
  crowdingDistance,
  dominates,
  nonDominatedSort,
  objectiveVector,
  paretoIndices,
  parseObjectives,
} from './pareto.js';

const INF = Number.POSITIVE_INFINITY;

describe('dominates (every component maximised)', () => {
  it('needs at least as good everywhere and better somewhere', () => {
    expect(dominates([2, 2], [1, 2])).toBe(true);
    expect(dominates([1, 2], [2, 2])).toBe(false);
    expect(dominates([2, 2], [2, 2])).toBe(false);
    expect(dominates([3, 1], [1, 3])).toBe(false);
    expect(dominates([1, 3], [3, 1])).toBe(false);
  });
});

describe('nonDominatedSort', () => {
  it('sorts into fronts as worked out by hand', () => {
    // a(4,1) b(3,3) c(1,4) trade off; d(2,2) is dominated by b only; e(1,1) by a..d; f(2,2) equals d.
    const points = [
      [4, 1],
      [3, 3],
      [1, 4],
      [2, 2],
      [1, 1],
      [2, 2],
    ];
    expect(nonDominatedSort(points)).toEqual([[0, 1, 2], [3, 5], [4]]);
  });

  it('puts a chain of dominated points one per front, and mutual trade-offs in one', () => {
    expect(
      nonDominatedSort([
        [1, 1, 1],
        [3, 3, 3],
        [2, 2, 2],
      ]),
    ).toEqual([[1], [2], [0]]);
    expect(
      nonDominatedSort([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]),
    ).toEqual([[0, 1, 2]]);
    expect(nonDominatedSort([])).toEqual([]);
  });
});

describe('crowdingDistance', () => {
  it('gives the extremes Infinity and the middle the normalised gap between its neighbours', () => {
    const points = [
      [4, 1],
      [3, 3],
      [1, 4],
    ];
    // b: objective 0 has neighbours 4 and 1 over range 3 → 1; objective 1 has 4 and 1 over 3 → 1.
    expect(crowdingDistance(points, [0, 1, 2])).toEqual([INF, 2, INF]);
  });

  it('sums uneven gaps over the objectives, whatever the order of the front', () => {
    // Sorted by x: (0,10) (1,6) (4,5) (10,0). Ranges 10 and 10.
    // (1,6): x gap 4-0 = 4, y gap 10-5 = 5 → 0.9; (4,5): x gap 10-1 = 9, y gap 6-0 = 6 → 1.5.
    const points = [
      [4, 5],
      [10, 0],
      [0, 10],
      [1, 6],
    ];
    const d = crowdingDistance(points, [3, 0, 1, 2]);
    expect(d[0]).toBeCloseTo(0.9);
    expect(d[1]).toBeCloseTo(1.5);
    expect(d.slice(2)).toEqual([INF, INF]);
  });

  it('ignores an objective on which the whole front is equal, and handles one or two points', () => {
    const points = [
      [1, 5],
      [2, 5],
      [3, 5],
    ];
    // Listed middle-first: the constant objective must not make the middle point an extreme.
    expect(crowdingDistance(points, [1, 0, 2])).toEqual([1, INF, INF]);
    expect(
      crowdingDistance(
        [
          [1, 1],
          [1, 1],
          [1, 1],
        ],
        [0, 1, 2],
      ),
    ).toEqual([0, 0, 0]);
    expect(crowdingDistance(points, [1])).toEqual([INF]);
    expect(crowdingDistance(points, [0, 2])).toEqual([INF, INF]);
    expect(crowdingDistance(points, [])).toEqual([]);
  });
});

describe('paretoIndices over metrics', () => {
  const objectives: Objective[] = [
    { metric: 'test_acc', direction: 'max' },
    { metric: 'params', direction: 'min' },
  ];

  it('keeps the trade-offs, minimising where asked', () => {
    const trials = [
      { test_acc: 90, params: 5 }, // front: cheapest
      { test_acc: 94, params: 50 }, // front: most accurate
      { test_acc: 92, params: 20 }, // front
      { test_acc: 91, params: 30 }, // dominated by 92@20
      { test_acc: 90, params: 6 }, // dominated by 90@5
      { test_acc: 92, params: 20 }, // equal to a front point: on the front too
    ];
    expect(paretoIndices(trials, objectives)).toEqual([0, 1, 2, 5]);
    const maxBoth: Objective[] = [objectives[0]!, { metric: 'params', direction: 'max' }];
    expect(paretoIndices(trials, maxBoth)).toEqual([1]);
  });

  it('leaves out failed trials and trials missing a metric, which dominate nothing', () => {
    const trials: (Metrics | undefined)[] = [
      undefined,
      { test_acc: 99 },
      { test_acc: 80, params: 9 },
      { test_acc: Number.NaN, params: 1 },
    ];
    expect(paretoIndices(trials, objectives)).toEqual([2]);
    expect(paretoIndices([], objectives)).toEqual([]);
  });
});

describe('on random point sets with ties (2 and 3 objectives)', () => {
  const rng = Rng.fromSeed('pareto');
  const cases = Array.from({ length: 200 }, (_, c) =>
    Array.from({ length: 1 + rng.int(30) }, () => Array.from({ length: 2 + (c % 2) }, () => rng.int(6))),
  );

  it('nonDominatedSort: no point is dominated within its front or by a later one, each later point by the front before', () => {
    for (const points of cases) {
      const fronts = nonDominatedSort(points);
      expect(fronts.flat().sort((a, b) => a - b)).toEqual(points.map((_, i) => i));
      for (const [k, front] of fronts.entries()) {
        for (const i of front) {
          for (const j of fronts.slice(k).flat()) expect(dominates(points[j]!, points[i]!)).toBe(false);
          if (k > 0) expect(fronts[k - 1]!.some((j) => dominates(points[j]!, points[i]!))).toBe(true);
        }
      }
    }
  });

  it('paretoIndices is exactly the points nothing dominates, and the first front', () => {
    const objectives: Objective[] = [
      { metric: 'a', direction: 'max' },
      { metric: 'b', direction: 'min' },
      { metric: 'c', direction: 'max' },
    ];
    for (const points of cases) {
      const m = points.length;
      const metrics = points.map(([a, b, c]) => ({ a: a!, b: -b!, ...(c !== undefined && { c }) }));
      const used = objectives.slice(0, points[0]!.length);
      const brute = points.flatMap((p, i) => (points.some((q) => dominates(q, p)) ? [] : [i]));
      expect(paretoIndices(metrics, used), `${m} points`).toEqual(brute);
      expect(paretoIndices(metrics, used)).toEqual(nonDominatedSort(points)[0]);
    }
  });
});

describe('parseObjectives and objectiveVector', () => {
  it('parses METRIC:max|min lists and negates minimised metrics', () => {
    const specs = parseObjectives('test_acc:max, params:min');
    expect(specs).toEqual([
      { metric: 'test_acc', direction: 'max' },
      { metric: 'params', direction: 'min' },
    ]);
    expect(objectiveVector({ test_acc: 90, params: 5 }, specs)).toEqual([90, -5]);
    expect(objectiveVector({ test_acc: 90 }, specs)).toBeUndefined();
    expect(objectiveVector({ test_acc: 90, params: Number.POSITIVE_INFINITY }, specs)).toBeUndefined();
  });

  it('says what is wrong, prefixed with where the text came from', () => {
    expect(() => parseObjectives('acc:up', 'option x')).toThrow(
      new InvalidOptionError("option x: 'acc:up' is not METRIC:max or METRIC:min"),
    );
    expect(() => parseObjectives('acc')).toThrow("objectives: 'acc' is not METRIC:max or METRIC:min");
    expect(() => parseObjectives('a:max,a:min')).toThrow("objectives: metric 'a' is named twice");
    expect(() => parseObjectives(' , ')).toThrow(/objectives: names no metric/);
  });
});
