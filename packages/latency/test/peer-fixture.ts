// The 4-image dataset the benchmark-peer tests load into a peer (torch_peer.py or klevel-peer.mjs speak the same
// `load` command), in a temporary directory that `cleanup` removes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

interface Peer {
  request(msg: Record<string, unknown> & { cmd: string }): Promise<Record<string, unknown>>;
}

/** Writes 4 images and labels, sends `load` to `peer`, and returns the cleanup of the files. */
export async function loadFourImages(peer: Peer): Promise<() => void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'klevel-peer-test-'));
  const x = Float32Array.from({ length: 4 * 784 }, (_, i) => (i % 255) / 255);
  writeFileSync(join(dir, 'x.f32'), Buffer.from(x.buffer));
  writeFileSync(join(dir, 'y.u8'), Uint8Array.from([0, 3, 7, 9]));
  await peer.request({ cmd: 'load', images: join(dir, 'x.f32'), labels: join(dir, 'y.u8'), count: 4 });
  return () => rmSync(dir, { recursive: true, force: true });
}
