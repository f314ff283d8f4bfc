// A second klevel process for the vs-pytorch benchmark: wasm with `threads` XNNPACK threads (the thread count is
// fixed per process, so the multi-threaded column cannot run in the benchmark's own process). Speaks the protocol
// of torch_peer.py (init / load / model / step, one JSON line each way), so the benchmark alternates it step by
// step with the others. Run as a child by `startKlevelPeer`; `node klevel-peer.mjs` reads commands on stdin.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { useBestBackend } from '@klevel/wasm-train/node';
import { lenet5, lenet5Caffe, vggSmall } from '@klevel/zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LinePeer } from './torch-peer.mjs';

const SELF = fileURLToPath(import.meta.url);

/**
 * The per-kernel ceiling row of the benchmark: one 3x3 convolution, 32 -> 32 channels, 'same' padding, with bias,
 * on random `[batch, 28, 28, 32]` inputs (VGG-small's conv2; torch_peer.py's "conv" arch).
 */
export function convLayer() {
  return tfl.sequential({
    layers: [tfl.layers.conv2d({ inputShape: [28, 28, 32], filters: 32, kernelSize: 3, padding: 'same' })],
  });
}

/** The seeded random input of `convLayer`. */
export const convInput = (batch) => tf.randomNormal([batch, 28, 28, 32], 0, 1, 'float32', 1);

const ARCHS = { lenet5, lenet5Caffe, vggSmall, conv: convLayer };

/** Starts the peer process with `threads` XNNPACK threads; resolves to `{ peer, info }`. */
export async function startKlevelPeer({ threads }) {
  const peer = new LinePeer(process.execPath, [SELF], 'klevel peer');
  const info = await peer.request({ cmd: 'init', threads });
  return { peer, info };
}

const state = {};
const commands = {
  async init({ threads }) {
    const chosen = await useBestBackend({ backend: 'wasm', wasmThreads: threads });
    return { reason: chosen.reason, threads: chosen.wasmThreads ?? 1 };
  },
  load({ images, labels, count }) {
    const x = new Float32Array(readFileSync(images).buffer.slice(0, count * 784 * 4));
    tf.dispose([state.xs, state.ys]);
    state.xs = tf.tensor4d(x, [count, 28, 28, 1]);
    state.ys = tf.oneHot(tf.tensor1d(Array.from(readFileSync(labels).subarray(0, count)), 'int32'), 10);
    return { count };
  },
  model({ arch, mode, batch, filters, units, batchNorm }) {
    state.model?.dispose();
    tf.dispose([state.x, state.y]);
    // Inference models are BN-free (the benchmark's are BatchNorm folded into the convs: the same ops).
    if (!(arch in ARCHS))
      throw new Error(`unknown arch '${arch}' (expected ${Object.keys(ARCHS).join(', ')})`);
    const vgg = arch === 'vggSmall';
    state.model = ARCHS[arch]({
      seed: 1,
      ...(filters ? { filters } : {}),
      ...(units ? { units: vgg ? units[0] : units } : {}),
      ...(vgg ? { batchNorm } : {}),
    });
    state.mode = mode;
    state.x = arch === 'conv' ? convInput(batch) : tf.slice(state.xs, [0, 0, 0, 0], [batch, 28, 28, 1]);
    state.y = tf.slice(state.ys, [0, 0], [batch, 10]);
    if (mode === 'train')
      state.model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: 'categoricalCrossentropy' });
    return { params: state.model.countParams() };
  },
  async step() {
    const t0 = performance.now();
    if (state.mode === 'train') {
      const loss = await state.model.trainOnBatch(state.x, state.y);
      return { ms: performance.now() - t0, loss };
    }
    const y = state.model.predict(state.x);
    y.dataSync();
    const ms = performance.now() - t0;
    y.dispose();
    return { ms };
  },
};

if (process.argv[1] === SELF) {
  for await (const line of createInterface({ input: process.stdin })) {
    const { cmd, ...args } = JSON.parse(line);
    let out;
    try {
      if (!(cmd in commands)) throw new Error(`unknown command '${cmd}'`);
      out = { ...(await commands[cmd](args)), ok: true };
    } catch (e) {
      out = { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }
  process.exit(0);
}
