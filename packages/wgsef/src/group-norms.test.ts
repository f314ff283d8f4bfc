import { describe, expect, it } from 'vitest';
import { defaultGroupWeights, segmentNorms } from './group-norms';

describe('segmentNorms / defaultGroupWeights', () => {
  it('computes norms of contiguous groups, including empty ones', () => {
    expect(Array.from(segmentNorms([3, 4, 1], [0, 2, 3]))).toEqual([5, 1]);
    expect(Array.from(segmentNorms([3, 4], [0, 0, 2]))).toEqual([0, 5]);
    expect(Array.from(defaultGroupWeights([0, 4, 5]))).toEqual([2, 1]);
  });
  it('does not overflow or underflow', () => {
    expect(segmentNorms([3e200, 4e200], [0, 2])[0]).toBeCloseTo(5e200, -188);
    expect((segmentNorms([3e-200, 4e-200], [0, 2])[0] as number) / 5e-200).toBeCloseTo(1, 12);
  });
  it('validates offsets', () => {
    expect(() => defaultGroupWeights([0, 2, 2])).toThrow(/defaultGroupWeights: group 1 is empty/);
    expect(() => segmentNorms([1, 2], [0, 3])).toThrow(
      /segmentNorms: 'groupOffsets' must end at v.length = 2; received 3/,
    );
  });
});
