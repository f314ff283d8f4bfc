// Node side of the PyTorch peer (bench/torch_peer.py): starts one Python process and sends it one JSON command
// per line, so a benchmark can alternate klevel and PyTorch steps in the same run. `startTorchPeer` resolves to
// `{ peer }` or, when Python or PyTorch is missing, `{ skipped: '<why, and how to install it>' }` (never throws
// for a missing PyTorch: the benchmark then prints klevel's column alone with that note).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'torch_peer.py');

/** The Python to use: $KLEVEL_BENCH_PYTHON, else Debian's /usr/bin/python3 (where python3-torch installs), else python3. */
export function pythonCommand(env = process.env) {
  if (env.KLEVEL_BENCH_PYTHON) return env.KLEVEL_BENCH_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** `{ version }` when `python` can import torch, else `{ error }` saying what failed. */
export function probeTorch(python) {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.error) return { error: `${python} could not be started (${r.error.code ?? r.error.message})` };
  if (r.status !== 0) {
    const last = (r.stderr || '').trim().split('\n').pop() || `exit code ${r.status}`;
    return { error: `${python} -c 'import torch' failed: ${last}` };
  }
  return { version: r.stdout.trim() };
}

/**
 * Starts the peer with `threads` intra-op threads (torch.set_num_threads).
 * @returns {Promise<{ peer: TorchPeer } | { skipped: string }>}
 */
export async function startTorchPeer({ threads, python = pythonCommand() }) {
  const probe = probeTorch(python);
  if (probe.error) {
    return {
      skipped:
        `PyTorch column skipped: ${probe.error}. Install PyTorch for that Python (on Debian: ` +
        '`apt-get install python3-torch`) or point KLEVEL_BENCH_PYTHON at a Python that has it.',
    };
  }
  const peer = new TorchPeer(python);
  const info = await peer.request({ cmd: 'init', threads });
  return { peer, info };
}

/**
 * A child process that answers one JSON line per JSON command line, in order (`{ ok: true, ... }` or
 * `{ ok: false, error }`). `name` labels its errors.
 */
export class LinePeer {
  constructor(command, args, name) {
    this.name = name;
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    this.child.stderr.on('data', (d) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.waiting = [];
    this.exited = null;
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.resolve(line));
    this.child.on('exit', (code, signal) => {
      this.exited = `exited (code ${code}, signal ${signal}): ${this.stderr.trim()}`;
      for (const w of this.waiting.splice(0)) w.reject(new Error(`${this.name} ${this.exited}`));
    });
  }

  /** Sends one command; resolves to its answer, rejects with the peer's error. */
  request(msg) {
    if (this.exited) return Promise.reject(new Error(`${this.name} ${this.exited}`));
    return new Promise((resolve, reject) => {
      this.waiting.push({
        resolve: (line) => {
          const out = JSON.parse(line);
          if (out.ok) resolve(out);
          else reject(new Error(`${this.name}: ${msg.cmd} failed: ${out.error}`));
        },
        reject,
      });
      this.child.stdin.write(`${JSON.stringify(msg)}\n`);
    });
  }

  /** Closes stdin and waits for the process to exit. */
  async close() {
    if (this.exited) return;
    const done = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await done;
  }
}

/** One Python process running torch_peer.py. */
export class TorchPeer extends LinePeer {
  constructor(python) {
    super(python, [SCRIPT], 'PyTorch peer');
  }
}
