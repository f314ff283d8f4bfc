/**
 * Hand-built GroupPartitions for tests (independent of @klevel/groups): output-channel groups of
 * Dense/Conv2D layers over the last kernel axis and the bias, optionally coupled with the per-channel
 * weights of other layers (BatchNormalization gamma/beta, the other branch of an Add).
 */
import type { Group, GroupPartition, LayoutTerm } from '@klevel/groups';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface OwnerSpec {
  /** The layer whose output channels are the groups. */
  layer: string;
  /** Other layers whose trainable per-channel weights join the same groups. */
  coupled?: string[];
}

export function manualPartition(model: tfl.LayersModel, owners: Array<string | OwnerSpec>): GroupPartition {
  const groups: Group[] = [];
  const terms: LayoutTerm[] = [];
  for (const o of owners) {
    const spec = typeof o === 'string' ? { layer: o } : o;
    const layer = model.getLayer(spec.layer);
    const kernel = layer.trainableWeights[0];
    if (!kernel) throw new Error(`no weights in ${spec.layer}`);
    const n = kernel.shape[kernel.shape.length - 1] as number;
    const base = groups.length;
    const ids = Int32Array.from({ length: n }, (_, i) => base + i);
    let size = 0;
    for (const name of [spec.layer, ...(spec.coupled ?? [])]) {
      for (const w of model.getLayer(name).trainableWeights) {
        const rank = w.shape.length;
        const total = (w.shape as number[]).reduce((p, d) => p * d, 1);
        size += total / n;
        terms.push({
          variableName: w.name,
          layerName: name,
          weightName: w.name.split('/').pop() as string,
          shape: w.shape as number[],
          groupAxes: [rank - 1],
          groupIds: ids,
        });
      }
    }
    for (let i = 0; i < n; i++) {
      groups.push({
        id: `${spec.layer}/filters/${i}`,
        type: 'filters',
        layerName: spec.layer,
        index: i,
        slices: [],
        size,
        weight: Math.sqrt(size),
        removable: true,
      });
    }
  }
  return { groups, terms };
}
