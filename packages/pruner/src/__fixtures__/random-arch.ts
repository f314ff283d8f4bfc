/**
 * Random tiny architectures for the pruner's property-based fuzz: a JSON description (what fast-check
 * generates and prints on failure) and a builder turning it into a functional tfjs-layers model.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';

const L = tfl.layers;
type ST = tfl.SymbolicTensor;

/** One building block of the image trunk. */
export type ImageBlock =
  | {
      kind: 'conv';
      filters: number;
      kernel: 1 | 3;
      activation: 'relu' | 'linear' | 'tanh' | 'elu';
      bias: boolean;
    }
  | { kind: 'convBn'; filters: number; kernel: 1 | 3 }
  | { kind: 'depthwise'; multiplier: 1 | 2; bn: boolean }
  | { kind: 'separable'; filters: number }
  | { kind: 'residual'; inner: number; projection: boolean; filters: number }
  | { kind: 'inception'; branches: number[] }
  | { kind: 'pool'; type: 'max' | 'avg' }
  | { kind: 'transpose'; filters: number }
  | { kind: 'merge'; op: 'add' | 'multiply' | 'average' | 'maximum' | 'minimum'; filters: number }
  | { kind: 'reshapeRoundTrip' }
  | { kind: 'padCropUpsample' };

/** One building block of the sequence trunk (after an Embedding). */
export type SequenceBlock =
  | { kind: 'conv1d'; filters: number; kernel: 1 | 2 | 3 }
  | { kind: 'denseSeq'; units: number }
  | { kind: 'pool1d' };

/** One building block of the vector (dense) part. */
export type DenseBlock =
  | { kind: 'dense'; units: number; activation: 'relu' | 'linear' | 'tanh' }
  | { kind: 'denseBn'; units: number }
  | { kind: 'denseResidual'; inner: number }
  | { kind: 'denseConcat'; a: number; b: number }
  | { kind: 'dropout' }
  | { kind: 'shared'; units: number }
  | { kind: 'prelu'; units: number };

/** A whole random architecture. */
export interface ArchSpec {
  input: { h: number; c: number } | { features: number } | { length: number; vocab: number; dim: number };
  trunk: ImageBlock[];
  sequence?: SequenceBlock[];
  head: 'flatten' | 'gap';
  dense: DenseBlock[];
  outputs: number[];
}

const small = (lo: number, hi: number) => fc.integer({ min: lo, max: hi });

const imageBlock: fc.Arbitrary<ImageBlock> = fc.oneof(
  fc.record({
    kind: fc.constant('conv' as const),
    filters: small(2, 6),
    kernel: fc.constantFrom(1 as const, 3 as const),
    activation: fc.constantFrom('relu' as const, 'linear' as const, 'tanh' as const, 'elu' as const),
    bias: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('convBn' as const),
    filters: small(2, 6),
    kernel: fc.constantFrom(1 as const, 3 as const),
  }),
  fc.record({
    kind: fc.constant('depthwise' as const),
    multiplier: fc.constantFrom(1 as const, 2 as const),
    bn: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('separable' as const), filters: small(2, 6) }),
  fc.record({
    kind: fc.constant('residual' as const),
    inner: small(2, 5),
    projection: fc.boolean(),
    filters: small(2, 6),
  }),
  fc.record({
    kind: fc.constant('inception' as const),
    branches: fc.array(small(1, 4), { minLength: 2, maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('pool' as const), type: fc.constantFrom('max' as const, 'avg' as const) }),
  fc.record({ kind: fc.constant('transpose' as const), filters: small(2, 6) }),
  fc.record({
    kind: fc.constant('merge' as const),
    op: fc.constantFrom(
      'add' as const,
      'multiply' as const,
      'average' as const,
      'maximum' as const,
      'minimum' as const,
    ),
    filters: small(2, 6),
  }),
  fc.record({ kind: fc.constant('reshapeRoundTrip' as const) }),
  fc.record({ kind: fc.constant('padCropUpsample' as const) }),
);

const sequenceBlock: fc.Arbitrary<SequenceBlock> = fc.oneof(
  fc.record({
    kind: fc.constant('conv1d' as const),
    filters: small(2, 6),
    kernel: fc.constantFrom(1 as const, 2 as const, 3 as const),
  }),
  fc.record({ kind: fc.constant('denseSeq' as const), units: small(2, 6) }),
  fc.record({ kind: fc.constant('pool1d' as const) }),
);

const denseBlock: fc.Arbitrary<DenseBlock> = fc.oneof(
  fc.record({
    kind: fc.constant('dense' as const),
    units: small(2, 8),
    activation: fc.constantFrom('relu' as const, 'linear' as const, 'tanh' as const),
  }),
  fc.record({ kind: fc.constant('denseBn' as const), units: small(2, 8) }),
  fc.record({ kind: fc.constant('denseResidual' as const), inner: small(2, 6) }),
  fc.record({ kind: fc.constant('denseConcat' as const), a: small(1, 5), b: small(1, 5) }),
  fc.record({ kind: fc.constant('dropout' as const) }),
  fc.record({ kind: fc.constant('shared' as const), units: small(2, 6) }),
  fc.record({ kind: fc.constant('prelu' as const), units: small(2, 6) }),
);

/** fast-check arbitrary of architectures: an image trunk (or none) then dense blocks and 1-2 outputs. */
export const archSpec: fc.Arbitrary<ArchSpec> = fc.oneof(
  fc.record({
    input: fc.record({ h: fc.constantFrom(4, 6), c: small(1, 3) }),
    trunk: fc.array(imageBlock, { minLength: 1, maxLength: 4 }),
    head: fc.constantFrom('flatten' as const, 'gap' as const),
    dense: fc.array(denseBlock, { maxLength: 2 }),
    outputs: fc.array(small(1, 3), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    input: fc.record({ length: small(3, 6), vocab: small(3, 12), dim: small(2, 6) }),
    trunk: fc.constant([] as ImageBlock[]),
    sequence: fc.array(sequenceBlock, { maxLength: 3 }),
    head: fc.constantFrom('flatten' as const, 'gap' as const),
    dense: fc.array(denseBlock, { maxLength: 2 }),
    outputs: fc.array(small(1, 3), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    input: fc.record({ features: small(2, 6) }),
    trunk: fc.constant([] as ImageBlock[]),
    head: fc.constant('flatten' as const),
    dense: fc.array(denseBlock, { minLength: 1, maxLength: 4 }),
    outputs: fc.array(small(1, 3), { minLength: 1, maxLength: 2 }),
  }),
);

const channels = (x: ST) => x.shape[x.shape.length - 1] as number;
const apply = (layer: tfl.layers.Layer, x: ST | ST[]) => layer.apply(x) as ST;

function convBn(x: ST, filters: number, kernel: number, relu: boolean): ST {
  let y = apply(L.conv2d({ filters, kernelSize: kernel, padding: 'same', useBias: false }), x);
  y = apply(L.batchNormalization(), y);
  return relu ? apply(L.reLU(), y) : y;
}

function imageStep(x: ST, b: ImageBlock): ST {
  switch (b.kind) {
    case 'conv':
      return apply(
        L.conv2d({
          filters: b.filters,
          kernelSize: b.kernel,
          padding: 'same',
          activation: b.activation,
          useBias: b.bias,
        }),
        x,
      );
    case 'convBn':
      return convBn(x, b.filters, b.kernel, true);
    case 'depthwise': {
      let y = apply(L.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: b.multiplier }), x);
      if (b.bn) y = apply(L.batchNormalization(), y);
      return apply(L.reLU(), y);
    }
    case 'separable':
      return apply(
        L.separableConv2d({ filters: b.filters, kernelSize: 3, padding: 'same', activation: 'relu' }),
        x,
      );
    case 'residual': {
      const out = b.projection ? b.filters : channels(x);
      let y = convBn(x, b.inner, 3, true);
      y = convBn(y, out, 3, false);
      const skip = b.projection ? convBn(x, out, 1, false) : x;
      return apply(L.reLU(), apply(L.add(), [y, skip]));
    }
    case 'inception': {
      const branches = b.branches.map((f, i) =>
        i % 2 === 0
          ? apply(L.conv2d({ filters: f, kernelSize: 1, activation: 'relu' }), x)
          : apply(L.conv2d({ filters: f, kernelSize: 3, padding: 'same', activation: 'relu' }), x),
      );
      return apply(L.concatenate(), branches);
    }
    case 'pool':
      if ((x.shape[1] as number) < 2) return x;
      return apply(
        b.type === 'max' ? L.maxPooling2d({ poolSize: 2 }) : L.averagePooling2d({ poolSize: 2 }),
        x,
      );
    case 'transpose':
      return apply(
        L.conv2dTranspose({ filters: b.filters, kernelSize: 3, padding: 'same', activation: 'relu' }),
        x,
      );
    case 'merge': {
      const conv = () =>
        apply(L.conv2d({ filters: b.filters, kernelSize: 3, padding: 'same', activation: 'relu' }), x);
      const layer = {
        add: L.add,
        multiply: L.multiply,
        average: L.average,
        maximum: L.maximum,
        minimum: L.minimum,
      }[b.op];
      return apply(layer({}), [conv(), conv()]);
    }
    case 'reshapeRoundTrip': {
      const [h, w, c] = x.shape.slice(1) as number[];
      const flat = apply(L.reshape({ targetShape: [(h as number) * (w as number), c as number] }), x);
      return apply(L.reshape({ targetShape: [h as number, w as number, c as number] }), flat);
    }
    case 'padCropUpsample': {
      const padded = apply(L.zeroPadding2d({ padding: 1 }), x);
      const cropped = apply(L.cropping2D({ cropping: [1, 1] }), padded);
      const up = apply(L.upSampling2d({ size: [2, 2] }), cropped);
      return apply(L.maxPooling2d({ poolSize: 2 }), up);
    }
  }
}

function sequenceStep(x: ST, b: SequenceBlock): ST {
  switch (b.kind) {
    case 'conv1d':
      return apply(
        L.conv1d({ filters: b.filters, kernelSize: b.kernel, padding: 'same', activation: 'relu' }),
        x,
      );
    case 'denseSeq':
      return apply(L.dense({ units: b.units, activation: 'relu' }), x);
    case 'pool1d':
      if ((x.shape[1] as number) < 2) return x;
      return apply(L.maxPooling1d({ poolSize: 2 }), x);
  }
}

function denseStep(x: ST, b: DenseBlock): ST {
  switch (b.kind) {
    case 'dense':
      return apply(L.dense({ units: b.units, activation: b.activation }), x);
    case 'denseBn':
      return apply(L.reLU(), apply(L.batchNormalization(), apply(L.dense({ units: b.units }), x)));
    case 'denseResidual': {
      const y = apply(L.dense({ units: b.inner, activation: 'relu' }), x);
      const z = apply(L.dense({ units: channels(x) }), y);
      return apply(L.add(), [x, z]);
    }
    case 'denseConcat':
      return apply(L.concatenate(), [
        apply(L.dense({ units: b.a, activation: 'relu' }), x),
        apply(L.dense({ units: b.b, activation: 'tanh' }), x),
      ]);
    case 'dropout':
      return apply(L.dropout({ rate: 0.5 }), x);
    case 'shared': {
      const shared = L.dense({ units: b.units, activation: 'relu' });
      const other = apply(L.activation({ activation: 'tanh' }), x);
      return apply(L.add(), [apply(shared, x), apply(shared, other)]);
    }
    case 'prelu':
      return apply(L.prelu(), apply(L.dense({ units: b.units }), x));
  }
}

/** Builds the model a spec describes. */
export function buildArch(spec: ArchSpec): tfl.LayersModel {
  const i = spec.input;
  const input =
    'features' in i
      ? tfl.input({ shape: [i.features] })
      : 'length' in i
        ? tfl.input({ shape: [i.length] })
        : tfl.input({ shape: [i.h, i.h, i.c] });
  let x: ST = input;
  if ('length' in i) {
    x = apply(L.embedding({ inputDim: i.vocab, outputDim: i.dim }), x);
    for (const b of spec.sequence ?? []) x = sequenceStep(x, b);
    x = apply(spec.head === 'flatten' ? L.flatten() : L.globalAveragePooling1d(), x);
  }
  for (const b of spec.trunk) x = imageStep(x, b);
  if (spec.trunk.length > 0)
    x = apply(spec.head === 'flatten' ? L.flatten() : L.globalAveragePooling2d({}), x);
  for (const b of spec.dense) x = denseStep(x, b);
  const trunk = x;
  const outputs = spec.outputs.map((u) => apply(L.dense({ units: u }), trunk));
  return tfl.model({ inputs: input, outputs: outputs.length === 1 ? (outputs[0] as ST) : outputs });
}
