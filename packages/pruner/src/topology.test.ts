import * as tfl from '@tensorflow/tfjs-layers';
import { describeBackends } from '@klevel/test-utils';
import { expect, it } from 'vitest';
import {
  flattenLayers,
  indexLayerEntries,
  indexModelEntries,
  isNestedModel,
  serializeTopology,
  weightNameOf,
} from './topology';

describeBackends('topology helpers', () => {
  it('flattens nested models and indexes the serialized layer and model entries', () => {
    const inner = tfl.sequential({
      name: 'inner_seq',
      layers: [
        tfl.layers.dense({ inputShape: [3], units: 4, name: 'in_a' }),
        tfl.layers.dense({ units: 2, name: 'in_b' }),
      ],
    });
    const input = tfl.input({ shape: [5], name: 'x' });
    const d = tfl.layers.dense({ units: 3, name: 'outer' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({
      inputs: input,
      outputs: inner.apply(d) as tfl.SymbolicTensor,
      name: 'outer_model',
    });

    expect(isNestedModel(inner)).toBe(true);
    expect(isNestedModel(model.getLayer('outer'))).toBe(false);
    expect(flattenLayers(model).map((l) => l.name)).toEqual(['x', 'outer', 'in_a', 'in_b']);
    expect(weightNameOf(model.getLayer('outer').weights[1]!)).toBe('bias');

    const topology = serializeTopology(model);
    const entries = indexLayerEntries(topology);
    expect([...entries.keys()]).toEqual(['x', 'outer', 'in_a', 'in_b']);
    expect(entries.get('in_a')?.class_name).toBe('Dense');
    expect([...indexModelEntries(topology).keys()]).toEqual(['inner_seq']);
    // Entries are live: an edit lands in the topology.
    (entries.get('outer')!.config as Record<string, unknown>).units = 7;
    expect(JSON.stringify(topology)).toContain('"units":7');
    // The serialized copy is detached from the model.
    expect(JSON.stringify(model.toJSON(null, false))).not.toContain('"units":7');
    model.dispose();
  });
});
