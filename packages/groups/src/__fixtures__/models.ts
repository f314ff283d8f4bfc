/**
 * Small named test architectures. Every layer has an explicit name so expectations can be hand-written.
 */

import { seededNormal } from '@klevel/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

const L = tfl.layers;
type ST = tfl.SymbolicTensor;

/** Overwrites every weight with seeded values (BN variances positive) so BN and biases are not trivial. */
export function randomizeWeights(model: tfl.LayersModel, seed = 1): void {
  const rnd = seededNormal(seed);
  for (const layer of model.layers) randomizeLayer(layer, rnd);
}

function randomizeLayer(layer: tfl.layers.Layer, rnd: () => number): void {
  const nested = (layer as unknown as { layers?: tfl.layers.Layer[] }).layers;
  if (Array.isArray(nested)) {
    for (const l of nested) randomizeLayer(l, rnd);
    return;
  }
  if (layer.weights.length === 0) return;
  const values = layer.weights.map((w) => {
    const n = w.shape.reduce((p: number, d) => p * (d ?? 1), 1);
    const data = new Float32Array(n);
    const variance = w.originalName.endsWith('moving_variance');
    for (let i = 0; i < n; i++) data[i] = variance ? 0.5 + Math.abs(rnd()) : 0.4 * rnd();
    return tf.tensor(data, w.shape as number[]);
  });
  layer.setWeights(values);
  tf.dispose(values);
}

/** LeNet-5 (28x28x1): conv 6@5x5 same relu, pool, conv 16@5x5 valid relu, pool, flatten, 120, 84, 10 softmax. */
export function lenet5(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      L.conv2d({
        name: 'c1',
        inputShape: [28, 28, 1],
        filters: 6,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
      }),
      L.maxPooling2d({ name: 'p1', poolSize: 2 }),
      L.conv2d({ name: 'c2', filters: 16, kernelSize: 5, activation: 'relu' }),
      L.maxPooling2d({ name: 'p2', poolSize: 2 }),
      L.flatten({ name: 'flat' }),
      L.dense({ name: 'd1', units: 120, activation: 'relu' }),
      L.dense({ name: 'd2', units: 84, activation: 'relu' }),
      L.dense({ name: 'out', units: 10, activation: 'softmax' }),
    ],
  });
}

/** A VGG block with BN on 8x8x3: conv 8 - BN - relu - conv 8 - BN - relu - maxpool - flatten - dense 4. */
export function vggBlock(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      L.conv2d({
        name: 'v1',
        inputShape: [8, 8, 3],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      }),
      L.batchNormalization({ name: 'bn1' }),
      L.reLU({ name: 'r1' }),
      L.conv2d({ name: 'v2', filters: 8, kernelSize: 3, padding: 'same' }),
      L.batchNormalization({ name: 'bn2' }),
      L.activation({ name: 'r2', activation: 'relu' }),
      L.maxPooling2d({ name: 'pool', poolSize: 2 }),
      L.flatten({ name: 'flat' }),
      L.dense({ name: 'head', units: 4 }),
    ],
  });
}

/** conv-BN-relu, then a residual stage with an identity block and a projection block, GAP, dense. */
export function resnetBlocks(): tfl.LayersModel {
  const x = tfl.input({ name: 'img', shape: [8, 8, 3] });
  const stem = L.reLU({ name: 'stem_relu' }).apply(
    L.batchNormalization({ name: 'stem_bn' }).apply(
      L.conv2d({ name: 'stem', filters: 4, kernelSize: 3, padding: 'same' }).apply(x),
    ),
  ) as ST;
  // identity block: a = relu(bn(conv)), b = bn(conv(a)); out = relu(stem + b)
  const a1 = L.reLU({ name: 'a1_relu' }).apply(
    L.batchNormalization({ name: 'a1_bn' }).apply(
      L.conv2d({ name: 'a1', filters: 6, kernelSize: 3, padding: 'same' }).apply(stem),
    ),
  ) as ST;
  const b1 = L.batchNormalization({ name: 'b1_bn' }).apply(
    L.conv2d({ name: 'b1', filters: 4, kernelSize: 3, padding: 'same' }).apply(a1),
  ) as ST;
  const id = L.reLU({ name: 'id_relu' }).apply(L.add({ name: 'id_add' }).apply([stem, b1]) as ST) as ST;
  // projection block: main path conv stride 2 -> 5 channels, shortcut 1x1 conv stride 2 -> 5 channels
  const a2 = L.reLU({ name: 'a2_relu' }).apply(
    L.conv2d({ name: 'a2', filters: 5, kernelSize: 3, strides: 2, padding: 'same' }).apply(id),
  ) as ST;
  const b2 = L.conv2d({ name: 'b2', filters: 5, kernelSize: 3, padding: 'same' }).apply(a2) as ST;
  const sc = L.batchNormalization({ name: 'sc_bn' }).apply(
    L.conv2d({ name: 'sc', filters: 5, kernelSize: 1, strides: 2 }).apply(id),
  ) as ST;
  const proj = L.reLU({ name: 'proj_relu' }).apply(L.add({ name: 'proj_add' }).apply([b2, sc]) as ST) as ST;
  const gap = L.globalAveragePooling2d({ name: 'gap' }).apply(proj) as ST;
  const y = L.dense({ name: 'fc', units: 3 }).apply(gap) as ST;
  return tfl.model({ name: 'resnet_blocks', inputs: x, outputs: y });
}

/** Inception-style: stem conv, three branches (1x1, 3x3, pool+1x1) concatenated, then a 1x1 conv, GAP, dense. */
export function inception(): tfl.LayersModel {
  const x = tfl.input({ name: 'img', shape: [6, 6, 3] });
  const stem = L.conv2d({
    name: 'stem',
    filters: 4,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
  }).apply(x) as ST;
  const b1 = L.conv2d({ name: 'br1', filters: 2, kernelSize: 1, activation: 'relu' }).apply(stem) as ST;
  const b2 = L.conv2d({ name: 'br2', filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(
    stem,
  ) as ST;
  const pooled = L.maxPooling2d({ name: 'br3_pool', poolSize: 3, strides: 1, padding: 'same' }).apply(
    stem,
  ) as ST;
  const b3 = L.conv2d({ name: 'br3', filters: 2, kernelSize: 1, activation: 'relu' }).apply(pooled) as ST;
  const cat = L.concatenate({ name: 'cat' }).apply([b1, b2, b3]) as ST;
  const mix = L.conv2d({ name: 'mix', filters: 4, kernelSize: 1, activation: 'relu' }).apply(cat) as ST;
  const y = L.dense({ name: 'fc', units: 2 }).apply(
    L.globalAveragePooling2d({ name: 'gap' }).apply(mix) as ST,
  ) as ST;
  return tfl.model({ name: 'inception', inputs: x, outputs: y });
}

/** MobileNet-style: conv - BN - relu6-ish, depthwise (mult 2) - BN - relu, pointwise conv - BN - relu, GAP, dense. */
export function mobilenetBlock(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      L.conv2d({
        name: 'm_conv',
        inputShape: [8, 8, 3],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      }),
      L.batchNormalization({ name: 'm_bn0' }),
      L.reLU({ name: 'm_relu0', maxValue: 6 }),
      L.depthwiseConv2d({ name: 'm_dw', kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
      L.batchNormalization({ name: 'm_bn1' }),
      L.reLU({ name: 'm_relu1' }),
      L.conv2d({ name: 'm_pw', filters: 6, kernelSize: 1, useBias: false }),
      L.batchNormalization({ name: 'm_bn2' }),
      L.reLU({ name: 'm_relu2' }),
      L.globalAveragePooling2d({ name: 'm_gap' }),
      L.dense({ name: 'm_fc', units: 3 }),
    ],
  });
}

/** A 3-layer MLP with a sigmoid hidden layer: 10 -> 8 relu -> 6 sigmoid -> 3. */
export function mlp(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      L.dense({ name: 'h1', inputShape: [10], units: 8, activation: 'relu' }),
      L.dense({ name: 'h2', units: 6, activation: 'sigmoid' }),
      L.dense({ name: 'o', units: 3 }),
    ],
  });
}

/** Two inputs, two outputs: trunk dense from input a, concatenated with input b, two heads. */
export function twoOutputs(): tfl.LayersModel {
  const a = tfl.input({ name: 'in_a', shape: [5] });
  const b = tfl.input({ name: 'in_b', shape: [2] });
  const t = L.dense({ name: 'trunk', units: 6, activation: 'relu' }).apply(a) as ST;
  const cat = L.concatenate({ name: 'join' }).apply([t, b]) as ST;
  const h = L.dense({ name: 'shared', units: 4, activation: 'tanh' }).apply(cat) as ST;
  const y1 = L.dense({ name: 'head1', units: 2 }).apply(h) as ST;
  const y2 = L.dense({ name: 'head2', units: 1 }).apply(t) as ST;
  return tfl.model({ name: 'two_outputs', inputs: [a, b], outputs: [y1, y2] });
}

/** Embedding (20 x 6) over 5 tokens, Conv1D 4 (k 3), GAP1D, dense 2. */
export function embeddingConv1d(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      L.embedding({ name: 'emb', inputDim: 20, outputDim: 6, inputLength: 5 }),
      L.conv1d({ name: 'c1d', filters: 4, kernelSize: 3, activation: 'relu' }),
      L.globalAveragePooling1d({ name: 'gap1d' }),
      L.dense({ name: 'cls', units: 2 }),
    ],
  });
}

/** SeparableConv2D (mult 2) then Conv2DTranspose then a 1x1 conv head. */
export function separableTranspose(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      L.conv2d({ name: 's_in', inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: 'same' }),
      L.separableConv2d({
        name: 'sep',
        filters: 5,
        kernelSize: 3,
        depthMultiplier: 2,
        padding: 'same',
        activation: 'relu',
      }),
      L.conv2dTranspose({ name: 'tr', filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
      L.zeroPadding2d({ name: 'zp', padding: 1 }),
      L.cropping2D({ name: 'crop', cropping: 1 }),
      L.upSampling2d({ name: 'up', size: [2, 2] }),
      L.conv2d({ name: 's_out', filters: 2, kernelSize: 1 }),
    ],
  });
}

/** A deep ResNet-style model: `blocks` identity blocks of two 3x3 convs with BN (2 convs + 2 BN + add + relu each). */
export function deepResnet(blocks: number, channels = 8, size = 8): tfl.LayersModel {
  const x = tfl.input({ name: 'img', shape: [size, size, 3] });
  let h = L.conv2d({ name: 'stem', filters: channels, kernelSize: 3, padding: 'same' }).apply(x) as ST;
  for (let i = 0; i < blocks; i++) {
    const a = L.reLU({ name: `r${i}a` }).apply(
      L.batchNormalization({ name: `bn${i}a` }).apply(
        L.conv2d({ name: `conv${i}a`, filters: channels, kernelSize: 3, padding: 'same' }).apply(h),
      ),
    ) as ST;
    const b = L.batchNormalization({ name: `bn${i}b` }).apply(
      L.conv2d({ name: `conv${i}b`, filters: channels, kernelSize: 3, padding: 'same' }).apply(a),
    ) as ST;
    h = L.reLU({ name: `r${i}` }).apply(L.add({ name: `add${i}` }).apply([h, b]) as ST) as ST;
  }
  const y = L.dense({ name: 'fc', units: 10 }).apply(
    L.globalAveragePooling2d({ name: 'gap' }).apply(h) as ST,
  ) as ST;
  return tfl.model({ name: `resnet_${blocks}`, inputs: x, outputs: y });
}

/** DenseNet-style: stem, two dense layers (BN-relu-conv, concatenated onto the running features), transition. */
export function densenetBlock(): tfl.LayersModel {
  const x = tfl.input({ name: 'img', shape: [6, 6, 3] });
  let h = L.conv2d({ name: 'dn_stem', filters: 4, kernelSize: 3, padding: 'same' }).apply(x) as ST;
  for (let i = 0; i < 2; i++) {
    const bn = L.batchNormalization({ name: `dn_bn${i}` }).apply(h) as ST;
    const c = L.conv2d({ name: `dn_conv${i}`, filters: 3, kernelSize: 3, padding: 'same' }).apply(
      L.reLU({ name: `dn_relu${i}` }).apply(bn) as ST,
    ) as ST;
    h = L.concatenate({ name: `dn_cat${i}` }).apply([h, c]) as ST;
  }
  const t = L.conv2d({ name: 'dn_trans', filters: 5, kernelSize: 1 }).apply(
    L.batchNormalization({ name: 'dn_bnt' }).apply(h) as ST,
  ) as ST;
  const p = L.averagePooling2d({ name: 'dn_pool', poolSize: 2 }).apply(t) as ST;
  const y = L.dense({ name: 'dn_fc', units: 2 }).apply(
    L.globalMaxPooling2d({ name: 'dn_gmp' }).apply(p) as ST,
  ) as ST;
  return tfl.model({ name: 'densenet', inputs: x, outputs: y });
}

/** Sequence model with less common pass-through layers: Conv1D - PReLU - MaxPool1D - Conv1D - LeakyReLU - ELU - GAP1D. */
export function sequenceZoo(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      L.conv1d({ name: 'q1', inputShape: [12, 3], filters: 5, kernelSize: 3, padding: 'same' }),
      L.prelu({ name: 'q_prelu', sharedAxes: [1] }),
      L.maxPooling1d({ name: 'q_pool', poolSize: 2 }),
      L.spatialDropout1d({ name: 'q_drop', rate: 0.2 }),
      L.conv1d({ name: 'q2', filters: 4, kernelSize: 3, activation: 'tanh' }),
      L.leakyReLU({ name: 'q_leaky' }),
      L.elu({ name: 'q_elu' }),
      L.globalAveragePooling1d({ name: 'q_gap' }),
      L.dense({ name: 'q_out', units: 2 }),
    ],
  });
}

/**
 * Squeeze-and-excitation block: x = conv(8); gate = sigmoid(dense 8 (relu(dense 4 (gap(x))))), reshaped to
 * [1, 1, 8]; y = x * gate -> conv 3 -> GAP -> dense 2. Also a sigmoid followed by BatchNorm (cleared).
 */
export function seBlock(): tfl.LayersModel {
  const img = tfl.input({ name: 'img', shape: [6, 6, 3] });
  const x = L.conv2d({
    name: 'se_conv',
    filters: 8,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
  }).apply(img) as ST;
  const squeeze = L.globalAveragePooling2d({ name: 'se_gap' }).apply(x) as ST;
  const hidden = L.dense({ name: 'se_fc1', units: 4, activation: 'relu' }).apply(squeeze) as ST;
  const gate = L.dense({ name: 'se_fc2', units: 8, activation: 'sigmoid' }).apply(hidden) as ST;
  const gate4 = L.reshape({ name: 'se_reshape', targetShape: [1, 1, 8] }).apply(gate) as ST;
  const y = L.multiply({ name: 'se_mul' }).apply([x, gate4]) as ST;
  const s = L.conv2d({ name: 'sg_conv', filters: 4, kernelSize: 1, activation: 'sigmoid' }).apply(y) as ST;
  const n = L.batchNormalization({ name: 'sg_bn' }).apply(s) as ST;
  const z = L.conv2d({ name: 'se_out', filters: 3, kernelSize: 1 }).apply(n) as ST;
  const out = L.dense({ name: 'se_fc', units: 2 }).apply(
    L.globalAveragePooling2d({ name: 'se_gap2' }).apply(z) as ST,
  ) as ST;
  return tfl.model({ name: 'se', inputs: img, outputs: out });
}
