// Node-only entry (@klevel/groups/node): model files on the local file system (model.json + weights.bin),
// shared by @klevel/pruner/node and @klevel/latency/node. Everything else is in the browser-safe main entry.
export {
  type FileWriter,
  fileLoadHandler,
  fileSaveHandler,
  loadModel,
  type SaveModelOptions,
  type SaveModelResult,
  saveModel,
} from './node/model-files';
