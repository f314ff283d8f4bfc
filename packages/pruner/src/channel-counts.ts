/**
 * How many channels reach a layer after a plan is applied, for weightless layers whose config encodes
 * that number (Reshape target shapes, the declared input shape of a nested model). Uses the dependency
 * graph of @klevel/groups: every weight axis the plan shrinks is bound to channel ids; a position of a
 * layer's input survives iff its channel id survives.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildDependencyGraph, type DependencyGraph } from '@klevel/groups';
import type { PruningPlan } from './plan-types';

/** Counts the input channels of layers before and after a plan (the graph is built on first use). */
export class PrunedChannelCounter {
  private graph: DependencyGraph | undefined;
  private removed: Set<number> | undefined;

  constructor(
    private readonly model: tfl.LayersModel,
    private readonly plan: PruningPlan,
    private readonly exclude: readonly string[] = [],
  ) {}

  private ensure(): { graph: DependencyGraph; removed: Set<number> } {
    if (this.graph === undefined || this.removed === undefined) {
      let graph: DependencyGraph;
      try {
        graph = buildDependencyGraph(
          this.model,
          this.exclude.length > 0 ? { exclude: [...this.exclude] } : {},
        );
      } catch (e) {
        throw new Error(
          `applyPlan: a layer of '${this.model.name}' encodes its channel count in its config (Reshape or a nested ` +
            `model), and counting the pruned channels needs the dependency graph, which failed: ${(e as Error).message}`,
        );
      }
      const removed = new Set<number>();
      for (const lp of this.plan.layers) {
        const info = graph.layerByName.get(lp.layerName);
        if (info === undefined) continue;
        for (const wp of lp.weights) {
          for (const a of wp.axes) {
            const binding = info.bindings.find((b) => b.weightName === wp.weightName && b.axis === a.axis);
            if (binding === undefined) continue;
            const kept = new Set(a.kept);
            binding.channels.forEach((ch, i) => {
              if (!kept.has(i)) removed.add(ch);
            });
          }
        }
      }
      this.graph = graph;
      this.removed = removed;
    }
    return { graph: this.graph, removed: this.removed };
  }

  /**
   * Size of the last axis of input `inputIndex` of `layerName` (first call), before and after the plan.
   *
   * @param layerName The consuming layer.
   * @param inputIndex Which input tensor of the layer. Defaults to 0.
   */
  inputSize(layerName: string, inputIndex = 0): { before: number; after: number } {
    const { graph, removed } = this.ensure();
    const channels = graph.layerByName.get(layerName)?.inputChannels[inputIndex];
    if (channels === undefined) {
      throw new Error(`applyPlan: the dependency graph has no input ${inputIndex} for layer '${layerName}'.`);
    }
    let after = 0;
    for (const ch of channels) if (!removed.has(ch)) after++;
    return { before: channels.length, after };
  }
}
