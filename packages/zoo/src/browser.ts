// The browser build of @klevel/zoo (the `browser` export condition): everything but the file-system loader
// (`loadFashionMnist` and its helpers read files with node:fs). In a page, fetch the IDX files and use
// `parseIdx` + `makeFashionMnistData` (see examples/browser/src/data.ts).
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
export { gunzip } from './gunzip';
export { IDX_UBYTE, encodeIdx, isGzip } from './idx-format';
export type { IdxArray } from './idx-format';
export { parseIdx } from './idx-portable';
export { seededKernels } from './init';
export type { Initializer } from './init';
export { mulberry32, shuffledIndices } from './random';
