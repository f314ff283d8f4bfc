/**
 * Handlers of the layers that create channels (Dense, Conv1D/2D/3D, Conv2DTranspose, SeparableConv2D,
 * Embedding) and of DepthwiseConv2D, with their multiply-accumulate counts per sample.
 */
import type { LayerHandler } from './handler-types';
import {
  depthMultiplierOf,
  lastDim,
  product,
  repeatEach,
  requireChannelsLast,
  single,
} from './handler-utils';

/** Dense: kernel [in, units]; applies to the last axis of inputs of any rank. */
export const dense: LayerHandler = {
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
export const conv: LayerHandler = {
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

/** Conv2DTranspose / Conv3DTranspose: kernel [...k, OUT, IN] (note the order). Each input pixel scatters a k-patch. */
export const convTranspose: LayerHandler = {
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
export const depthwise: LayerHandler = {
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
export const separable: LayerHandler = {
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
export const embedding: LayerHandler = {
  configKey: 'outputDim',
  mapChannels(ctx) {
    const out = ctx.produce(Number(ctx.config.outputDim));
    ctx.bindOutput('embeddings', 1, out);
    return [out];
  },
};
