// Node-only entry (@klevel/pruner/node): save and load models on the local file system, atomically
// (implemented once in @klevel/groups/node). Everything else is in the browser-safe main entry.
export {
  type FileWriter,
  fileLoadHandler,
  fileSaveHandler,
  loadModel,
  type SaveModelOptions,
  type SaveModelResult,
  saveModel,
} from '@klevel/groups/node';
