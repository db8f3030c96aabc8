import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hypervolume } from '../src/projections/pareto.js';

describe('hypervolume', () => {
  it('is the area of the staircase in 2-D (hand-computed)', () => {
    // Points (1,3), (2,2), (3,1) over (0,0): 3 + 2 + 1 unit columns = 6.
    expect(
      hypervolume(
        [
          [1, 3],
          [2, 2],
          [3, 1],
        ],
        [0, 0],
      ),
    ).toBe(6);
    // A dominated point and one outside the reference box add nothing.
    expect(
      hypervolume(
        [
          [1, 3],
          [2, 2],
          [3, 1],
          [1, 1],
          [5, -1],
        ],
        [0, 0],
      ),
    ).toBe(6);
  });

  it('is the volume of the union of boxes in 3-D (hand-computed)', () => {
    // Two 2×1×1 and 1×2×1 boxes from the origin overlapping in a 1×1×1 cube: 2 + 2 − 1 = 3;
    // a third, 1×1×2, overlaps each of them in the unit cube: 3 + 2 − 1 = 4.
    expect(
      hypervolume(
        [
          [2, 1, 1],
          [1, 2, 1],
        ],
        [0, 0, 0],
      ),
    ).toBe(3);
    expect(
      hypervolume(
        [
          [2, 1, 1],
          [1, 2, 1],
          [1, 1, 2],
        ],
        [0, 0, 0],
      ),
    ).toBe(4);
  });

  it('is zero without points and shifts with the reference', () => {
    expect(hypervolume([], [0, 0])).toBe(0);
    expect(hypervolume([[3, 4]], [1, 1])).toBe(6);
  });

  it('agrees between dimensions: a 2-D front lifted to a unit height has the same volume', () => {
    const point = fc.tuple(fc.integer({ min: -5, max: 20 }), fc.integer({ min: -5, max: 20 }));
    fc.assert(
      fc.property(fc.array(point, { maxLength: 12 }), (points) => {
        const flat = hypervolume(points, [0, 0]);
        const lifted = hypervolume(
          points.map(([x, y]) => [x, y, 1]),
          [0, 0, 0],
        );
        // By a third ordering too: the lifted axis first.
        const turned = hypervolume(
          points.map(([x, y]) => [1, x, y]),
          [0, 0, 0],
        );
        expect(lifted).toBe(flat);
        expect(turned).toBe(flat);
      }),
    );
  });
});
