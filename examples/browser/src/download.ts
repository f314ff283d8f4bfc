/**
 * Saves the pruned model through the browser's download mechanism: tfjs' `downloads://` handler writes
 * `<name>.json` (topology + weight manifest) and `<name>.weights.bin`, which `tfl.loadLayersModel` reads back.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

/** Triggers the two downloads; resolves with what tfjs saved. */
export async function downloadModel(
  model: tfl.LayersModel,
  name = 'klevel-pruned',
): Promise<{ bytes: number }> {
  const result = await model.save(`downloads://${name}`);
  const info = result.modelArtifactsInfo;
  return {
    bytes: (info.weightDataBytes ?? 0) + (info.modelTopologyBytes ?? 0) + (info.weightSpecsBytes ?? 0),
  };
}
