/**
 * Built-in surgery handlers for the tfjs-layers classes @klevel/groups understands.
 *
 * Weight layouts (channels last, as tfjs stores them):
 * - Conv1D kernel [k, in, out]; Conv2D [kh, kw, in, out]; Conv3D [kd, kh, kw, in, out]; bias [out].
 * - Conv2DTranspose kernel [kh, kw, out, in]; bias [out].
 * - DepthwiseConv2D depthwise_kernel [kh, kw, in, m]; bias [in*m] (channel c owns c*m .. c*m+m-1).
 * - SeparableConv2D depthwise_kernel [kh, kw, in, m], pointwise_kernel [1, 1, in*m, out], bias [out].
 * - Dense kernel [in, out], bias [out]. Embedding embeddings [vocab, dim].
 * - BatchNormalization / LayerNormalization: gamma, beta (and moving_mean, moving_variance) [C].
 */
import type { SurgeryContext, SurgeryHandler } from './handler';
import { channelHandler } from './helpers';

const depthMultiplier = (ctx: SurgeryContext): number => ctx.oldShapes.depthwise_kernel?.[3] ?? 1;

/** Handlers for layers with weights, keyed by class name. */
export const weightHandlers: Record<string, SurgeryHandler> = {
  Dense: channelHandler({
    prunableAxes: { kernel: [0, 1], bias: [0] },
    ties: [{ a: ['kernel', 1], b: ['bias', 0] }],
    sizeFrom: { key: 'units', weight: 'kernel', axis: 1 },
  }),
  Conv1D: channelHandler({
    prunableAxes: { kernel: [1, 2], bias: [0] },
    ties: [{ a: ['kernel', 2], b: ['bias', 0] }],
    sizeFrom: { key: 'filters', weight: 'kernel', axis: 2 },
  }),
  Conv2D: channelHandler({
    prunableAxes: { kernel: [2, 3], bias: [0] },
    ties: [{ a: ['kernel', 3], b: ['bias', 0] }],
    sizeFrom: { key: 'filters', weight: 'kernel', axis: 3 },
  }),
  Conv3D: channelHandler({
    prunableAxes: { kernel: [3, 4], bias: [0] },
    ties: [{ a: ['kernel', 4], b: ['bias', 0] }],
    sizeFrom: { key: 'filters', weight: 'kernel', axis: 4 },
  }),
  Conv2DTranspose: channelHandler({
    prunableAxes: { kernel: [2, 3], bias: [0] },
    ties: [{ a: ['kernel', 2], b: ['bias', 0] }],
    sizeFrom: { key: 'filters', weight: 'kernel', axis: 2 },
  }),
  DepthwiseConv2D: channelHandler({
    prunableAxes: { depthwise_kernel: [2], bias: [0] },
    ties: [{ a: ['depthwise_kernel', 2], b: ['bias', 0], multiplier: depthMultiplier }],
  }),
  SeparableConv2D: channelHandler({
    prunableAxes: { depthwise_kernel: [2], pointwise_kernel: [2, 3], bias: [0] },
    ties: [
      { a: ['depthwise_kernel', 2], b: ['pointwise_kernel', 2], multiplier: depthMultiplier },
      { a: ['pointwise_kernel', 3], b: ['bias', 0] },
    ],
    sizeFrom: { key: 'filters', weight: 'pointwise_kernel', axis: 3 },
  }),
  BatchNormalization: channelHandler({
    prunableAxes: { gamma: [0], beta: [0], moving_mean: [0], moving_variance: [0] },
    ties: [
      { a: ['moving_mean', 0], b: ['moving_variance', 0] },
      { a: ['moving_mean', 0], b: ['gamma', 0] },
      { a: ['moving_mean', 0], b: ['beta', 0] },
    ],
  }),
  LayerNormalization: channelHandler({
    prunableAxes: { gamma: [0], beta: [0] },
    ties: [{ a: ['gamma', 0], b: ['beta', 0] }],
  }),
  PReLU: {
    prunableAxes: { alpha: [0, 1, 2, 3, 4] },
    validate(ctx) {
      const rank = ctx.oldShapes.alpha?.length ?? 0;
      return ctx.plan.weights.flatMap((w) =>
        w.axes
          .filter((a) => a.axis !== rank - 1)
          .map((a) => `alpha may only shrink along its last axis, not ${a.axis}`),
      );
    },
    rewriteConfig: (config) => ({ ...config }),
  },
  Embedding: channelHandler({
    prunableAxes: { embeddings: [1] },
    sizeFrom: { key: 'output_dim', weight: 'embeddings', axis: 1 },
  }),
};

/**
 * Weightless layers whose config does not depend on the channel count: they carry a pruned channel space
 * through unchanged (Flatten and Concatenate remap indices, which the groups already account for).
 */
export const passThroughClasses: readonly string[] = [
  'InputLayer',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'ThresholdedReLU',
  'Softmax',
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'MaxPooling1D',
  'MaxPooling2D',
  'MaxPooling3D',
  'AveragePooling1D',
  'AveragePooling2D',
  'AveragePooling3D',
  'GlobalAveragePooling1D',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling1D',
  'GlobalMaxPooling2D',
  'ZeroPadding2D',
  'Cropping2D',
  'UpSampling2D',
  'Flatten',
  'Add',
  'Multiply',
  'Average',
  'Maximum',
  'Minimum',
  'Concatenate',
  'Subtract',
  'SpatialDropout2D',
  'Resizing',
  'CenterCrop',
  'RepeatVector',
  'Rescaling',
  'Masking',
  'Permute',
];

/**
 * Reshape: @klevel/groups accepts channel-preserving reshapes ([..., C] -> [..., C]) and full flattens
 * ([..., C] -> [N]). Either way the last target dimension scales with the surviving input channels:
 * new = old * after / before; the other dimensions do not change.
 */
export const reshapeHandler: SurgeryHandler = {
  prunableAxes: {},
  alwaysRewrite: true,
  rewriteConfig(config, ctx) {
    const out = ctx.outputShape as Array<number | null>;
    const { before, after } = ctx.inputSize();
    if (before === after) return { ...config };
    const last = out[out.length - 1];
    if (
      !Array.isArray(out) ||
      out.length < 2 ||
      out.slice(1).some((d) => d == null) ||
      (last as number) % before !== 0
    ) {
      throw new Error(
        `applyPlan: Reshape '${ctx.layerName}' (output ${JSON.stringify(out)}) would receive ${after} of ${before} ` +
          'channels, but only static channel-preserving or fully flattening reshapes can be rewritten. ' +
          'Exclude the layers around it from pruning.',
      );
    }
    return {
      ...config,
      target_shape: [...(out.slice(1, -1) as number[]), ((last as number) / before) * after],
    };
  },
};

/** The handler of every pass-through class. */
export const passThroughHandler: SurgeryHandler = {
  prunableAxes: {},
  passThrough: true,
  rewriteConfig: (config) => ({ ...config }),
};
