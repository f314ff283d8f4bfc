// Types of torch-peer.mjs (the PyTorch peer client of the vs-pytorch benchmark), for its test.
export function pythonCommand(env?: Record<string, string | undefined>): string;
export function probeTorch(python: string): { version: string } | { error: string };
export function startTorchPeer(options: {
  threads: number;
  python?: string;
}): Promise<{ peer: TorchPeer; info: { torch: string; threads: number } } | { skipped: string }>;
export class LinePeer {
  constructor(command: string, args: string[], name: string);
  request(msg: Record<string, unknown> & { cmd: string }): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}
export class TorchPeer extends LinePeer {
  constructor(python: string);
}
