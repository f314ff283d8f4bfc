import { describeBackends } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import { deepResnet } from './__fixtures__/models';
import { countFlops } from './flops';
import { buildDependencyGraph } from './graph';
import { partitionGroups } from './partition';

describeBackends('analysis speed', () => {
  it('a 50-layer ResNet-style model (49 convs + dense, 24 adds) is analysed in well under 1 s', () => {
    const model = deepResnet(24, 16);
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D').length;
    expect(convs + 1).toBe(50);
    const t0 = performance.now();
    const graph = buildDependencyGraph(model);
    const partition = partitionGroups(model, 'filters', { graph });
    const flops = countFlops(model);
    const ms = performance.now() - t0;
    // every block's second conv joins the stem's space through the adds: 16 + 24 * 16 + 10 groups
    expect(partition.groups).toHaveLength(16 + 24 * 16 + 10);
    expect(graph.spaces.find((s) => s.sources.includes('stem'))!.sources).toHaveLength(25);
    expect(flops.total).toBeGreaterThan(0);
    expect(ms).toBeLessThan(1000);
  });
}, ['cpu']);
