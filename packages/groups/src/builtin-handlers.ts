/**
 * Handlers for the built-in tfjs-layers classes (channels-last only). Conventions, all per sample:
 * MACs count the multiply-accumulates of convolutions and matrix products only; BatchNorm, pooling,
 * activations, merges, bias additions and embedding lookups count 0 (BN folds into the preceding conv at
 * inference; the rest are memory-bound).
 */
import { conv, convTranspose, dense, depthwise, embedding, separable } from './builtin-producers';
import type { LayerHandler } from './handler-types';
import { axesOf, fmtShape, lastDim, product, requireChannelsLast, single, tile } from './handler-utils';

/**
 * The handler of elementwise layers that keep zeros at zero and never mix channels (Dropout, ReLU,
 * pooling, padding, ...). Register it for a custom layer of that kind.
 *
 * @example registerLayerHandler('MyNoise', passThroughHandler);
 */
export const passThroughHandler: LayerHandler = {
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
  Conv3DTranspose: convTranspose,
  DepthwiseConv2D: depthwise,
  SeparableConv2D: separable,
  Embedding: embedding,
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  Activation: activationLayer,
  ReLU: passThroughHandler,
  LeakyReLU: passThroughHandler,
  ELU: passThroughHandler,
  ThresholdedReLU: passThroughHandler,
  PReLU: prelu,
  Softmax: softmaxLayer,
  Dropout: passThroughHandler,
  SpatialDropout1D: passThroughHandler,
  SpatialDropout2D: passThroughHandler,
  GaussianNoise: passThroughHandler,
  GaussianDropout: passThroughHandler,
  AlphaDropout: passThroughHandler,
  MaxPooling1D: passThroughHandler,
  MaxPooling2D: passThroughHandler,
  MaxPooling3D: passThroughHandler,
  AveragePooling1D: passThroughHandler,
  AveragePooling2D: passThroughHandler,
  AveragePooling3D: passThroughHandler,
  GlobalAveragePooling1D: passThroughHandler,
  GlobalAveragePooling2D: passThroughHandler,
  GlobalMaxPooling1D: passThroughHandler,
  GlobalMaxPooling2D: passThroughHandler,
  ZeroPadding2D: passThroughHandler,
  Cropping2D: passThroughHandler,
  UpSampling2D: passThroughHandler,
  Resizing: passThroughHandler,
  CenterCrop: passThroughHandler,
  RepeatVector: passThroughHandler,
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
