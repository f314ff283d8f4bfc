// Kernel-level benchmark of @klevel/wasm-train on wasm (imports the built dist: `npm run build` first):
// the input gradient of strided and unstrided convs, stock wasm kernel vs klevel composite, and the
// depthwise gradients next to the depthwise forward pass. Median wall ms of 5 runs after a warm-up.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels, unregisterTrainingKernels } from '@klevel/wasm-train';
import { useBestBackend } from '@klevel/wasm-train/node';

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Median ms of `f`; the body returns nothing, so tidy never walks a returned TypedArray. */
function time(f, runs = 5) {
  f();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return median(t);
}

const data = (shape, phase) =>
  tf.sin(
    tf.add(
      tf.reshape(
        tf.range(
          0,
          shape.reduce((a, b) => a * b),
        ),
        shape,
      ),
      phase,
    ),
  );

export async function run() {
  await useBestBackend({ backend: 'wasm' });
  const rows = [];
  for (const [s, k, cin, cout, hw] of [
    [1, 3, 32, 32, 28],
    [2, 3, 32, 64, 28],
    [2, 5, 16, 32, 28],
    [3, 3, 16, 16, 27],
  ]) {
    const o = Math.ceil(hw / s);
    const dy = data([64, o, o, cout], 1);
    const w = data([k, k, cin, cout], 2);
    const dx = () =>
      tf.tidy(() => {
        tf.conv2dTranspose(dy, w, [64, hw, hw, cin], s, 'same').dataSync();
      });
    unregisterTrainingKernels('wasm');
    const stock = time(dx, 3);
    registerTrainingKernels('wasm');
    const ours = time(dx);
    rows.push(
      `| Conv2DBackpropInput ${k}x${k} stride ${s}, ${cin}->${cout}, ${hw}x${hw}, batch 64 | ${stock.toFixed(1)} | ${ours.toFixed(1)} | ${(stock / ours).toFixed(1)}x |`,
    );
    tf.dispose([dy, w]);
  }
  const x = data([64, 28, 28, 32], 3);
  const dyd = data([64, 14, 14, 32], 4);
  const f = data([3, 3, 32, 1], 5);
  const fwd = time(() => tf.tidy(() => void tf.depthwiseConv2d(x, f, 2, 'same').dataSync()));
  const attrs = { strides: 2, dilations: 1, pad: 'same' };
  const dwf = time(() =>
    tf.tidy(
      () =>
        void tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x, dy: dyd },
            { ...attrs, filterShape: [3, 3, 32, 1] },
          )
          .dataSync(),
    ),
  );
  const dwi = time(() =>
    tf.tidy(
      () =>
        void tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy: dyd, filter: f },
            { ...attrs, inputShape: [64, 28, 28, 32] },
          )
          .dataSync(),
    ),
  );
  const markdown = `Median wall ms per call (5 runs after a warm-up; stock: 3 runs), wasm backend.

| kernel | stock wasm | klevel | speed-up |
| --- | ---: | ---: | ---: |
${rows.join('\n')}

Depthwise 3x3 stride 2, 32 channels, 28x28, batch 64 (no stock wasm kernel exists): forward ${fwd.toFixed(1)} ms, filter gradient ${dwf.toFixed(1)} ms, input gradient ${dwi.toFixed(1)} ms.
`;
  return { title: '@klevel/wasm-train: gradient kernels', markdown };
}
