/** The pruner on the reference models of the klevel experiments (@klevel/zoo), at their real sizes. */
import { describeBackends, expectNoLeaks } from '@klevel/test-utils';
import { lenet5, vggSmall } from '@klevel/zoo';
import { expect, it } from 'vitest';
import { sparsify } from './__fixtures__/sparsify';
import { prune } from './prune';

describeBackends('prune on @klevel/zoo reference models', (backend) => {
  for (const [name, build] of [
    ['LeNet-5 (61,706 params)', () => lenet5({ seed: 1 })],
    ['VGG-small with BN', () => vggSmall({ seed: 1 })],
  ] as const) {
    it(name, async () => {
      const model = build();
      const zeroed = sparsify(model, 4, 0.5);
      const t0 = performance.now();
      await expectNoLeaks(async () => {
        const { model: small, report } = await prune(model, { roundTo: 8, check: { tolerance: 1e-5 } });
        const ms = performance.now() - t0;
        console.log(
          `${name} [${backend}]: ${zeroed.length} zero groups, params ${report.total.paramsBefore} -> ` +
            `${report.total.paramsAfter}, MACs ${report.total.macsBefore} -> ${report.total.macsAfter}, ` +
            `max rel diff ${report.equivalence?.maxRelativeDifference.toExponential(2)}, prune ${ms.toFixed(0)} ms`,
        );
        expect(report.total.paramsAfter).toBeLessThan(report.total.paramsBefore);
        small.dispose();
      });
      model.dispose();
    });
  }
});
