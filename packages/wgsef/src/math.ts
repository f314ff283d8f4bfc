// The exact math of @klevel/wgsef (@klevel/wgsef/math): SEF and weighted SEF (value, gradient, prox, root
// finding), group lasso on norms, selection, group norms and weights on the host (float64), and the
// device-side tensor prox (tfjs ops) the regularizers are built from.
export { groupLassoNormsProx, groupLassoProx, groupLassoValue } from './group-lasso';
export type { GroupLassoOptions, GroupLassoProxOptions } from './group-lasso';
export { defaultGroupWeights, segmentNorms } from './group-norms';
export type { RootMethod } from './root-finding';
export { kSupportNorm, sefGradient, sefProx, sefValue } from './sef';
export { selectKth } from './select';
export { groupSquaredNorms, layoutGroupSizes } from './tensor/layout';
export type { TensorLayoutTerm } from './tensor/layout';
export { groupLassoProxTensors, wgsefProxTensors } from './tensor/prox-tensors';
export type {
  GroupLassoProxTensorsOptions,
  TensorProxResult,
  WgsefProxTensorsOptions,
} from './tensor/prox-tensors';
export { scaleGroups } from './tensor/scale';
export { DEFAULT_ROOT_METHOD, weightedSefProx } from './weighted-sef-prox';
export type { WeightedSefProxOptions } from './weighted-sef-prox';
