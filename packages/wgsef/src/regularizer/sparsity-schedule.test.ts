import { describe, expect, it } from 'vitest';
import {
  CONSTANT_SPARSITY,
  keptAt,
  type ResolvedSparsitySchedule,
  scheduleActive,
  scheduleProgress,
} from './sparsity-schedule';

const poly = (o: Partial<Extract<ResolvedSparsitySchedule, { type: 'polynomial' }>> = {}) =>
  ({
    type: 'polynomial',
    initialSparsity: 0,
    beginStep: 0,
    endStep: 100,
    power: 3,
    frequency: 1,
    ...o,
  }) as ResolvedSparsitySchedule;

describe('sparsity schedules', () => {
  it('constant keeps the final k from beginStep on and is inactive before', () => {
    const s: ResolvedSparsitySchedule = { type: 'constant', beginStep: 10 };
    expect(scheduleActive(s, 9)).toBe(false);
    expect(scheduleActive(s, 10)).toBe(true);
    expect(keptAt(s, 10, 50, 10, 100)).toBe(10);
    expect(keptAt(CONSTANT_SPARSITY, 0, 50, 10, 100)).toBe(10);
  });

  it('polynomial decay moves the kept count from m to k like Keras PolynomialDecay (cubic)', () => {
    const s = poly();
    expect(keptAt(s, 0, 100, 20, 100)).toBe(100);
    // s_t = 0.8 + (0 - 0.8)(1 - 0.5)^3 = 0.7 -> 30 kept
    expect(keptAt(s, 50, 100, 20, 100)).toBe(30);
    expect(keptAt(s, 100, 100, 20, 100)).toBe(20);
    expect(keptAt(s, 1000, 100, 20, 100)).toBe(20);
    let prev = 101;
    for (let t = 0; t <= 100; t++) {
      const k = keptAt(s, t, 100, 20, 100);
      expect(k).toBeLessThanOrEqual(prev);
      expect(k).toBeGreaterThanOrEqual(20);
      prev = k;
    }
  });

  it('polynomial honours initialSparsity, beginStep, power and frequency', () => {
    expect(keptAt(poly({ initialSparsity: 0.5 }), 0, 100, 20, 100)).toBe(50);
    const linear = poly({ power: 1, beginStep: 20, endStep: 120 });
    expect(scheduleActive(linear, 19)).toBe(false);
    expect(keptAt(linear, 70, 100, 20, 120)).toBe(60);
    const stepped = poly({ power: 1, frequency: 10 });
    expect(scheduleProgress(stepped, 19, 100)).toBeCloseTo(0.1);
    expect(keptAt(stepped, 19, 100, 20, 100)).toBe(keptAt(stepped, 10, 100, 20, 100));
  });

  it('an initial sparsity above the final one is clamped to the final k', () => {
    expect(keptAt(poly({ initialSparsity: 0.95 }), 0, 100, 20, 100)).toBe(20);
  });
});
