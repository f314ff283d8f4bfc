/**
 * What `benchmarkLatency` needs from its platform: how to load a model given by path, how to describe the
 * machine, and how to activate a backend. The main entry uses the browser-safe platform below (no Node
 * built-in, no package import); `@klevel/latency/node` passes a Node platform (model files, `os` details,
 * backend packages loaded by name).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { type ActiveBackend, activateBackend } from './backend';

/** Machine details for a report. */
export interface MachineInfo {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  /** One-minute load average now (0 where the platform has none). */
  load1: () => number;
}

/** The platform services of a benchmark run. */
export interface LatencyPlatform {
  /** A readable default name for a model given by path. */
  modelNameFromPath(path: string): Promise<string>;
  /** Loads a model given by path (the benchmark disposes it afterwards). */
  loadModelFromFile(path: string): Promise<tfl.LayersModel>;
  machineInfo(): Promise<MachineInfo>;
  activateBackend(name: string): Promise<ActiveBackend>;
}

function needsNode(path: string): Error {
  return new Error(
    `benchmarkLatency: '${path}' is a model path; loading model files needs Node: import benchmarkLatency from ` +
      "'@klevel/latency/node' there, or in a browser load the model yourself (await tfl.loadLayersModel(url)) " +
      'and pass { name, model }',
  );
}

/** Machine details without Node's `os`: the user agent in a browser, `process` fields in other runtimes. */
export function basicMachineInfo(): Promise<MachineInfo> {
  const nav = (globalThis as { navigator?: { userAgent?: string; hardwareConcurrency?: number } }).navigator;
  const proc = (globalThis as { process?: { version?: string; platform?: string; arch?: string } }).process;
  return Promise.resolve({
    node: proc?.version ?? 'n/a',
    platform: proc?.platform ?? nav?.userAgent ?? 'unknown',
    arch: proc?.arch ?? 'unknown',
    cpus: nav?.hardwareConcurrency ?? 0,
    cpuModel: 'unknown',
    load1: () => 0,
  });
}

/** The platform of the main entry: in-memory models only, backends the app registered. */
export const browserPlatform: LatencyPlatform = {
  modelNameFromPath: (path) => Promise.reject(needsNode(path)),
  loadModelFromFile: (path) => Promise.reject(needsNode(path)),
  machineInfo: basicMachineInfo,
  activateBackend: (name) => activateBackend(name),
};
