// Public API: list every export by name.
export { balancedIndices, batchIterator, shuffleData } from './batches';
export type { BatchOptions } from './batches';
export {
  depthwiseBlockModel,
  inceptionModel,
  mlp,
  randomInputFor,
  resnetBlockModel,
  twoOutputModel,
} from './blocks';
export type { BlockModelOptions } from './blocks';
export { lenet5, lenet5Caffe, vggSmall } from './classic';
export type { ClassicModelOptions, VggSmallOptions } from './classic';
export {
  FASHION_MNIST_CLASSES,
  IMAGE_SIZE,
  NUM_CLASSES,
  makeFashionMnistData,
  oneHot,
  selectSamples,
  toImageTensors,
} from './dataset';
export type { FashionMnistData, FashionMnistSource } from './dataset';
export {
  DEFAULT_FASHION_MNIST_DIR,
  fashionMnistFileNames,
  fashionMnistSubsetDir,
  hasFashionMnist,
  loadFashionMnist,
} from './fashion-mnist';
export type { LoadFashionMnistOptions } from './fashion-mnist';
export { gunzip } from './gunzip';
export { IDX_UBYTE, encodeIdx, isGzip, parseIdx } from './idx';
export type { IdxArray } from './idx';
export { seededKernels } from './init';
export type { Initializer } from './init';
export { mulberry32, shuffledIndices } from './random';
