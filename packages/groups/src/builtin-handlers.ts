/**
 * Handlers for the built-in tfjs-layers classes (channels-last only). Conventions, all per sample:
 * MACs count the multiply-accumulates of convolutions and matrix products only; BatchNorm, pooling,
 * activations, merges, bias additions and embedding lookups count 0 (BN folds into the preceding conv at
 * inference; the rest are memory-bound).
 */
import type { ChannelMap } from './channel-table';
import type { LayerCall, LayerHandler, LayerHandlerContext, Shape } from './handler-types';

/** Product of the known entries of `dims` (throws on unknown dims, which MAC counting cannot use). */
export function product(dims: ReadonlyArray<number | null>, what = 'shape'): number {
  let p = 1;
  for (const d of dims) {
    if (d == null) throw new Error(`countFlops: ${what} ${fmtShape(dims)} has an unknown dimension`);
    p *= d;
  }
  return p;
}

/** '[null, 4, 4, 3]' (Array.join would print null as an empty string). */
export function fmtShape(shape: Shape): string {
  return `[${shape.map((d) => (d == null ? 'null' : String(d))).join(', ')}]`;
}

function lastDim(shape: Shape): number {
  return shape[shape.length - 1] ?? 0;
}

function requireChannelsLast(ctx: LayerHandlerContext): void {
  const fmt = ctx.config.dataFormat;
  if (fmt != null && fmt !== 'channelsLast') {
    ctx.fail(
      `dataFormat '${String(fmt)}' is not supported (only 'channelsLast'); rebuild the layer channels-last`,
    );
  }
}

/** Repeats every entry of `map` `times` times in place: [a, b] x2 -> [a, a, b, b] (depthwise ordering). */
export function repeatEach(map: ArrayLike<number>, times: number): ChannelMap {
  const out = new Int32Array(map.length * times);
  for (let c = 0; c < map.length; c++) for (let m = 0; m < times; m++) out[c * times + m] = map[c]!;
  return out;
}

/** Tiles `map` `times` times: [a, b] x2 -> [a, b, a, b] (Flatten ordering p*C + c). */
export function tile(map: ArrayLike<number>, times: number): ChannelMap {
  const out = new Int32Array(map.length * times);
  for (let p = 0; p < times; p++) out.set(map as ArrayLike<number>, p * map.length);
  return out;
}

/**
 * The depth multiplier of a (separable) depthwise layer. tfjs 4.22 SeparableConv2D.getConfig() omits
 * `depthMultiplier`, so fall back to the layer property.
 */
function depthMultiplierOf(layer: unknown, config: Record<string, unknown>): number {
  return Number(config.depthMultiplier ?? (layer as { depthMultiplier?: number }).depthMultiplier ?? 1);
}

function single(ctx: LayerHandlerContext): ChannelMap {
  if (ctx.inputs.length !== 1) ctx.fail(`expected 1 input tensor, got ${ctx.inputs.length}`);
  return ctx.inputs[0]!;
}

/** Elementwise layers that keep zeros at zero and never mix channels. */
export const passThrough: LayerHandler = {
  mapChannels(ctx) {
    requireChannelsLast(ctx);
    return [single(ctx)];
  },
};

const activationLayer: LayerHandler = {
  mapChannels(ctx) {
    return [ctx.activation(single(ctx), ctx.config.activation)];
  },
};

/** Dense: kernel [in, units]; applies to the last axis of inputs of any rank. */
const dense: LayerHandler = {
  configKey: 'units',
  extraGroupTypes: ['neurons'],
  mapChannels(ctx) {
    const input = single(ctx);
    const out = ctx.produce(Number(ctx.config.units));
    ctx.bindInput('kernel', 0, input);
    ctx.bindOutput('kernel', 1, out);
    ctx.bindOutput('bias', 0, out);
    return [ctx.activation(out, ctx.config.activation)];
  },
  macs({ inputShapes, outputShapes }) {
    const out = outputShapes[0]!;
    return product(out.slice(1, -1)) * lastDim(inputShapes[0]!) * lastDim(out);
  },
};

/** Conv1D/2D/3D: kernel [...k, in, out]. */
const conv: LayerHandler = {
  configKey: 'filters',
  mapChannels(ctx) {
    requireChannelsLast(ctx);
    const input = single(ctx);
    const out = ctx.produce(Number(ctx.config.filters));
    const rank = ((ctx.config.kernelSize as number[] | undefined)?.length ?? 2) + 2;
    ctx.bindInput('kernel', rank - 2, input);
    ctx.bindOutput('kernel', rank - 1, out);
    ctx.bindOutput('bias', 0, out);
    return [ctx.activation(out, ctx.config.activation)];
  },
  macs({ config, inputShapes, outputShapes }) {
    const out = outputShapes[0]!;
    const k = product(config.kernelSize as number[], 'kernelSize');
    return product(out.slice(1, -1)) * k * lastDim(inputShapes[0]!) * lastDim(out);
  },
};

/** Conv2DTranspose: kernel [kh, kw, OUT, IN] (note the order). Each input pixel scatters a kh*kw patch. */
const convTranspose: LayerHandler = {
  configKey: 'filters',
  mapChannels(ctx) {
    requireChannelsLast(ctx);
    const input = single(ctx);
    const out = ctx.produce(Number(ctx.config.filters));
    const rank = ((ctx.config.kernelSize as number[] | undefined)?.length ?? 2) + 2;
    ctx.bindOutput('kernel', rank - 2, out);
    ctx.bindInput('kernel', rank - 1, input);
    ctx.bindOutput('bias', 0, out);
    return [ctx.activation(out, ctx.config.activation)];
  },
  macs({ config, inputShapes, outputShapes }) {
    const inp = inputShapes[0]!;
    const k = product(config.kernelSize as number[], 'kernelSize');
    return product(inp.slice(1, -1)) * k * lastDim(inp) * lastDim(outputShapes[0]!);
  },
};

/** DepthwiseConv2D: depthwise_kernel [kh, kw, C, M]; output channel c*M + m follows input channel c. */
const depthwise: LayerHandler = {
  mapChannels(ctx) {
    requireChannelsLast(ctx);
    const input = single(ctx);
    const mult = depthMultiplierOf(ctx.layer, ctx.config);
    const out = repeatEach(input, mult);
    ctx.bindChannelwise('depthwise_kernel', 2, input, true);
    ctx.bindChannelwise('bias', 0, out, true);
    // a zeroed kernel (and bias) outputs zeros whatever the input carried
    return [ctx.activation(ctx.clearNonZero(out), ctx.config.activation)];
  },
  macs({ config, outputShapes }) {
    const out = outputShapes[0]!;
    const k = product(config.kernelSize as number[], 'kernelSize');
    return product(out.slice(1, -1)) * k * lastDim(out);
  },
};

/** SeparableConv2D: depthwise [kh, kw, C, M] then pointwise [1, 1, C*M, out]. */
const separable: LayerHandler = {
  configKey: 'filters',
  mapChannels(ctx) {
    requireChannelsLast(ctx);
    const input = single(ctx);
    const mult = depthMultiplierOf(ctx.layer, ctx.config);
    const out = ctx.produce(Number(ctx.config.filters));
    ctx.bindInput('depthwise_kernel', 2, input);
    ctx.bindInput('pointwise_kernel', 2, repeatEach(input, mult));
    ctx.bindOutput('pointwise_kernel', 3, out);
    ctx.bindOutput('bias', 0, out);
    return [ctx.activation(out, ctx.config.activation)];
  },
  macs({ layer, config, inputShapes, outputShapes }) {
    const out = outputShapes[0]!;
    const spatial = product(out.slice(1, -1));
    const k = product(config.kernelSize as number[], 'kernelSize');
    const cm = lastDim(inputShapes[0]!) * depthMultiplierOf(layer, config);
    return spatial * k * cm + spatial * cm * lastDim(out);
  },
};

/** Embedding: embeddings [inputDim, outputDim]; the output dimension is a producer space. */
const embedding: LayerHandler = {
  configKey: 'outputDim',
  mapChannels(ctx) {
    const out = ctx.produce(Number(ctx.config.outputDim));
    ctx.bindOutput('embeddings', 1, out);
    return [out];
  },
};

function axesOf(config: Record<string, unknown>, rank: number): number[] {
  const raw = config.axis ?? -1;
  const list = Array.isArray(raw) ? (raw as number[]) : [raw as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}

const batchNorm: LayerHandler = {
  mapChannels(ctx) {
    const input = single(ctx);
    const rank = ctx.inputShapes[0]!.length;
    const axes = axesOf(ctx.config, rank);
    if (axes.length !== 1 || axes[0] !== rank - 1) {
      ctx.fail(
        `axis ${JSON.stringify(ctx.config.axis)} is not the channel (last) axis; only axis -1 is supported`,
      );
    }
    ctx.bindChannelwise('gamma', 0, input, true);
    ctx.bindChannelwise('beta', 0, input, true);
    ctx.bindChannelwise('moving_mean', 0, input, false);
    ctx.bindChannelwise('moving_variance', 0, input, false);
    // gamma = beta = 0 zeroes the channel whatever came in; without gamma (scale: false) the channel
    // becomes beta - mean / sqrt(var + eps) instead
    if (ctx.hasWeight('gamma')) return [ctx.clearNonZero(input)];
    return [
      ctx.markNonZero(
        input,
        `BatchNormalization '${ctx.layer.name}' has scale: false, so a zero channel becomes beta - mean / sqrt(var + eps)`,
      ),
    ];
  },
};

const layerNorm: LayerHandler = {
  mapChannels(ctx) {
    const input = single(ctx);
    const rank = ctx.inputShapes[0]!.length;
    const axes = axesOf(ctx.config, rank).sort((a, b) => a - b);
    if (axes.includes(rank - 1)) {
      // gamma/beta have the shape of the normalized axes; the channel axis is their last one.
      ctx.bindChannelwise('gamma', axes.length - 1, input, false);
      ctx.bindChannelwise('beta', axes.length - 1, input, false);
      ctx.markMixing(input, `LayerNormalization '${ctx.layer.name}' normalizes across channels`);
      return [input];
    }
    return [ctx.markNonZero(input, `LayerNormalization '${ctx.layer.name}' maps a zero channel to beta`)];
  },
};

const prelu: LayerHandler = {
  mapChannels(ctx) {
    const input = single(ctx);
    const rank = ctx.inputShapes[0]!.length;
    const shared = ((ctx.config.sharedAxes as number[] | null | undefined) ?? []).map((a) =>
      a < 0 ? a + rank : a,
    );
    if (!shared.includes(rank - 1)) ctx.bindChannelwise('alpha', rank - 2, input, false);
    return [input];
  },
};

const softmaxLayer: LayerHandler = {
  mapChannels(ctx) {
    const input = single(ctx);
    const rank = ctx.inputShapes[0]!.length;
    const axes = axesOf(ctx.config, rank);
    if (!axes.includes(rank - 1))
      return [ctx.markNonZero(input, `Softmax '${ctx.layer.name}' maps zeros to 1/n`)];
    ctx.markMixing(input, `Softmax '${ctx.layer.name}' mixes channels`);
    return [input];
  },
};

const rescaling: LayerHandler = {
  mapChannels(ctx) {
    const input = single(ctx);
    if (Number(ctx.config.offset ?? 0) === 0) return [input];
    return [ctx.markNonZero(input, `Rescaling '${ctx.layer.name}' adds offset ${String(ctx.config.offset)}`)];
  },
};

const masking: LayerHandler = {
  mapChannels(ctx) {
    const input = single(ctx);
    if (Number(ctx.config.maskValue ?? 0) !== 0) {
      ctx.markMixing(input, `Masking '${ctx.layer.name}' compares all channels with a nonzero mask value`);
    }
    return [input];
  },
};

const flatten: LayerHandler = {
  mapChannels(ctx) {
    requireChannelsLast(ctx);
    const input = single(ctx);
    const inner = ctx.inputShapes[0]!.slice(1, -1);
    if (inner.some((d) => d == null)) ctx.fail(`input shape ${fmtShape(ctx.inputShapes[0]!)} must be static`);
    return [tile(input, product(inner))];
  },
};

const reshape: LayerHandler = {
  mapChannels(ctx) {
    const input = single(ctx);
    const inShape = ctx.inputShapes[0]!;
    const outShape = ctx.outputShapes[0]!;
    if (lastDim(outShape) === lastDim(inShape) && lastDim(inShape) !== 0) return [input];
    const inner = inShape.slice(1, -1);
    if (
      outShape.length === 2 &&
      inner.every((d) => d != null) &&
      lastDim(outShape) === product(inShape.slice(1))
    ) {
      return [tile(input, product(inner))];
    }
    return ctx.fail(
      `reshape ${fmtShape(inShape)} -> ${fmtShape(outShape)} is not channel-preserving (the last axis must stay the channel axis, or flatten everything); exclude the layer or register a handler`,
    );
  },
};

const permute: LayerHandler = {
  mapChannels(ctx) {
    const input = single(ctx);
    const dims = ctx.config.dims as number[];
    const rank = ctx.inputShapes[0]!.length;
    if (dims[dims.length - 1] !== rank - 1)
      ctx.fail(`dims ${JSON.stringify(dims)} move the channel (last) axis`);
    return [input];
  },
};

/**
 * Add, Average, Maximum, Minimum, Subtract: all inputs' channels are coupled position-wise; a position is
 * nonzero after zeroing when any input is (Multiply: only when every input is, since 0 * x = 0).
 */
function mergeHandler(product: boolean): LayerHandler {
  return {
    mapChannels(ctx) {
      const [first, ...rest] = ctx.inputs;
      if (!first) return ctx.fail('expected at least one input');
      const out = Int32Array.from(first);
      for (const other of rest) {
        if (other.length !== first.length) {
          ctx.fail(
            `inputs have ${first.length} and ${other.length} channels; broadcasting over channels is not supported`,
          );
        }
        ctx.couple(first, other);
        for (let i = 0; i < out.length; i++) {
          const a = ctx.isNonZero(out, i);
          const b = ctx.isNonZero(other, i);
          if (product ? a && !b : !a && b) out[i] = other[i]!;
        }
      }
      return [out];
    },
  };
}

const elementwiseMerge = mergeHandler(false);
const multiplyMerge = mergeHandler(true);

const concatenate: LayerHandler = {
  mapChannels(ctx) {
    const rank = ctx.outputShapes[0]!.length;
    const axis = Number(ctx.config.axis ?? -1);
    if (axis === -1 || axis === rank - 1) {
      const total = ctx.inputs.reduce((s, m) => s + m.length, 0);
      const out = new Int32Array(total);
      let offset = 0;
      for (const m of ctx.inputs) {
        out.set(m, offset);
        offset += m.length;
      }
      return [out];
    }
    return elementwiseMerge.mapChannels(ctx);
  },
};

/** The built-in table: class name -> handler. */
export const BUILTIN_HANDLERS: Readonly<Record<string, LayerHandler>> = {
  Dense: dense,
  Conv1D: conv,
  Conv2D: conv,
  Conv3D: conv,
  Conv2DTranspose: convTranspose,
  DepthwiseConv2D: depthwise,
  SeparableConv2D: separable,
  Embedding: embedding,
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  Activation: activationLayer,
  ReLU: passThrough,
  LeakyReLU: passThrough,
  ELU: passThrough,
  ThresholdedReLU: passThrough,
  PReLU: prelu,
  Softmax: softmaxLayer,
  Dropout: passThrough,
  SpatialDropout1D: passThrough,
  SpatialDropout2D: passThrough,
  GaussianNoise: passThrough,
  GaussianDropout: passThrough,
  AlphaDropout: passThrough,
  MaxPooling1D: passThrough,
  MaxPooling2D: passThrough,
  MaxPooling3D: passThrough,
  AveragePooling1D: passThrough,
  AveragePooling2D: passThrough,
  AveragePooling3D: passThrough,
  GlobalAveragePooling1D: passThrough,
  GlobalAveragePooling2D: passThrough,
  GlobalMaxPooling1D: passThrough,
  GlobalMaxPooling2D: passThrough,
  ZeroPadding2D: passThrough,
  Cropping2D: passThrough,
  UpSampling2D: passThrough,
  Resizing: passThrough,
  CenterCrop: passThrough,
  RepeatVector: passThrough,
  Rescaling: rescaling,
  Masking: masking,
  Flatten: flatten,
  Reshape: reshape,
  Permute: permute,
  Add: elementwiseMerge,
  Multiply: multiplyMerge,
  Average: elementwiseMerge,
  Maximum: elementwiseMerge,
  Minimum: elementwiseMerge,
  Subtract: elementwiseMerge,
  Concatenate: concatenate,
};

/** Macs of a call through its handler (0 when the handler declares none). */
export function macsOf(handler: LayerHandler, call: LayerCall): number {
  return handler.macs ? handler.macs(call) : 0;
}
