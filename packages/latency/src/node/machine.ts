/** Machine details for a report in Node: Node's `os` module (CPU model, load average). */
import * as os from 'node:os';
import type { MachineInfo } from '../platform';

/** The Node version, platform, CPU count and model, and the one-minute load average. */
export function nodeMachineInfo(): Promise<MachineInfo> {
  const cpus = os.cpus();
  return Promise.resolve({
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    load1: () => os.loadavg()[0] ?? 0,
  });
}
