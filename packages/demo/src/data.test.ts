import { describe, expect, it } from 'vitest';
import { splitPool } from './data';

describe('splitPool', () => {
  it('takes the validation slice first and at most a tenth of the pool', () => {
    expect(splitPool(60000, 8192, 1000)).toEqual({ train: 8192, val: 1000 });
    expect(splitPool(60000, null, 5000)).toEqual({ train: 55000, val: 5000 });
    expect(splitPool(2000, 8192, 1000)).toEqual({ train: 1800, val: 200 });
    expect(splitPool(2000, 256, 0)).toEqual({ train: 256, val: 0 });
  });
});
