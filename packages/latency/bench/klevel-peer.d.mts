// Types of klevel-peer.mjs (the multi-threaded klevel peer of the vs-pytorch benchmark), for its test.
import type { LinePeer } from './torch-peer.mjs';
export function startKlevelPeer(options: {
  threads: number;
}): Promise<{ peer: LinePeer; info: { reason: string; threads: number } }>;
export function convLayer(): import('@tensorflow/tfjs-layers').Sequential;
export function convInput(batch: number): import('@tensorflow/tfjs-core').Tensor4D;
