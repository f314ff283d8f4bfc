"""PyTorch CPU peer of packages/latency/bench/vs-pytorch.bench.mjs.

Reads one JSON command per line on stdin and answers one JSON line on stdout, so the Node benchmark can
alternate klevel and PyTorch steps in the same run. Each step is timed here (time.perf_counter around the
work only, not the pipe). Models mirror @klevel/zoo (LeNet-5, LeNet-5-Caffe, VGG-small with or without
BatchNorm, optionally narrower widths), plus "conv": one 3x3 convolution 32 -> 32 channels on random
[b, 32, 28, 28] inputs (the per-kernel ceiling row, inference only, no softmax); layout NCHW, the PyTorch default.

Commands:
  {"cmd": "init", "threads": 2}
  {"cmd": "load", "images": path, "labels": path, "count": n}     float32 [n, 784] in [0, 1], uint8 labels
  {"cmd": "model", "arch": "lenet5" | "lenet5Caffe" | "vggSmall" | "conv", "batchNorm": bool,
   "filters": [...], "units": [...], "mode": "train" | "infer", "batch": b}
  {"cmd": "step"}   one zero_grad/forward/backward/step (train) or one no-grad forward (infer); returns ms
"""
import json
import sys
import time

import torch
from torch import nn


def lenet5(filters=(6, 16), units=(120, 84)):
    return nn.Sequential(
        nn.Conv2d(1, filters[0], 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(filters[0], filters[1], 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(filters[1] * 5 * 5, units[0]), nn.ReLU(),
        nn.Linear(units[0], units[1]), nn.ReLU(),
        nn.Linear(units[1], 10),
    )


def lenet5_caffe(filters=(20, 50), units=(500,)):
    return nn.Sequential(
        nn.Conv2d(1, filters[0], 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(filters[0], filters[1], 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(filters[1] * 4 * 4, units[0]), nn.ReLU(),
        nn.Linear(units[0], 10),
    )


def vgg_small(filters=(32, 32, 64, 64), units=(300,), batch_norm=True):
    layers = []
    cin = 1
    for i, f in enumerate(filters):
        layers.append(nn.Conv2d(cin, f, 3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(f, eps=1e-3, momentum=0.01))
        layers.append(nn.ReLU())
        if i in (1, 3):
            layers.append(nn.MaxPool2d(2))
        cin = f
    layers += [nn.Flatten(), nn.Linear(cin * 7 * 7, units[0]), nn.ReLU(), nn.Linear(units[0], 10)]
    return nn.Sequential(*layers)


def conv_layer():
    return nn.Conv2d(32, 32, 3, padding=1)


ARCHS = {'lenet5': lenet5, 'lenet5Caffe': lenet5_caffe, 'vggSmall': vgg_small, 'conv': conv_layer}


class Peer:
    def __init__(self):
        self.images = None
        self.labels = None
        self.model = None

    def init(self, threads):
        torch.set_num_threads(threads)
        torch.manual_seed(1)
        return {'torch': torch.__version__, 'threads': torch.get_num_threads()}

    def load(self, images, labels, count):
        with open(images, 'rb') as f:
            x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32)
        with open(labels, 'rb') as f:
            y = torch.frombuffer(bytearray(f.read()), dtype=torch.uint8)
        self.images = x[: count * 784].reshape(count, 1, 28, 28).clone()
        self.labels = y[:count].long().clone()
        return {'count': count}

    def model_(self, arch, mode, batch, filters=None, units=None, batchNorm=None):
        kwargs = {}
        if filters is not None:
            kwargs['filters'] = tuple(filters)
        if units is not None:
            kwargs['units'] = tuple(units)
        if batchNorm is not None:
            kwargs['batch_norm'] = batchNorm
        self.model = ARCHS[arch](**kwargs)
        self.mode = mode
        if arch == 'conv':
            self.x = torch.randn(batch, 32, 28, 28, generator=torch.Generator().manual_seed(1))
            self.head = lambda out: out
        else:
            self.x = self.images[:batch].contiguous()
            self.head = lambda out: torch.softmax(out, dim=1)
        self.y = self.labels[:batch].contiguous()
        if mode == 'train':
            self.model.train()
            self.opt = torch.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
            self.loss = nn.CrossEntropyLoss()
        else:
            self.model.eval()
        return {'params': sum(p.numel() for p in self.model.parameters())}

    def step(self):
        if self.mode == 'train':
            t0 = time.perf_counter()
            self.opt.zero_grad()
            loss = self.loss(self.model(self.x), self.y)
            loss.backward()
            self.opt.step()
            value = loss.item()
            ms = (time.perf_counter() - t0) * 1000
            return {'ms': ms, 'loss': value}
        t0 = time.perf_counter()
        with torch.inference_mode():
            out = self.head(self.model(self.x))
        ms = (time.perf_counter() - t0) * 1000
        return {'ms': ms, 'sum': float(out.sum())}


def main():
    peer = Peer()
    for line in sys.stdin:
        msg = json.loads(line)
        cmd = msg.pop('cmd')
        try:
            if cmd == 'init':
                out = peer.init(**msg)
            elif cmd == 'load':
                out = peer.load(**msg)
            elif cmd == 'model':
                out = peer.model_(**msg)
            elif cmd == 'step':
                out = peer.step()
            else:
                raise ValueError(f'unknown command {cmd!r}')
            out['ok'] = True
        except Exception as e:  # reported to the Node side, which fails the benchmark with it
            out = {'ok': False, 'error': f'{type(e).__name__}: {e}'}
        sys.stdout.write(json.dumps(out) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
