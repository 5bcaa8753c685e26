"""PyTorch reference for the scratch_cnn architecture on Fashion-MNIST (same-machine ratio for the Java trainer).

conv32 3x3 relu -> maxpool2 -> conv64 3x3 relu -> maxpool2 -> dense128 relu -> dropout0.5 -> dense10,
Adam lr 1e-3, batch 128, 55,000 train / 5,000 validation, pixels / 255.
Usage: python3 torch_ref.py [epochs] [threads]
"""
import gzip, sys, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

D = "/usr/share/datasets/fashion-mnist/"
def idx(name, off):
    with gzip.open(D + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=off)

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
torch.manual_seed(0)
xtr = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
ytr = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
xte = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
yte = idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
xtr = torch.tensor(xtr, dtype=torch.float32) / 255.0
xte = torch.tensor(xte, dtype=torch.float32) / 255.0
ytr = torch.tensor(ytr); yte = torch.tensor(yte)
xtrain, ytrain = xtr[:55000], ytr[:55000]

class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(1, 32, 3); s.c2 = nn.Conv2d(32, 64, 3)
        s.f1 = nn.Linear(64 * 5 * 5, 128); s.f2 = nn.Linear(128, 10); s.d = nn.Dropout(0.5)
    def forward(s, x):
        x = F.max_pool2d(F.relu(s.c1(x)), 2)
        x = F.max_pool2d(F.relu(s.c2(x)), 2)
        x = s.d(F.relu(s.f1(x.flatten(1))))
        return s.f2(x)

net = Net(); opt = torch.optim.Adam(net.parameters(), 1e-3)
def test():
    net.eval(); c = 0
    with torch.no_grad():
        for i in range(0, 10000, 1000):
            c += (net(xte[i:i+1000]).argmax(1) == yte[i:i+1000]).sum().item()
    net.train(); return c / 10000.0

t0 = time.time()
for e in range(epochs):
    perm = torch.randperm(55000); te = time.time(); step_time = 0.0
    for i in range(0, 55000, 128):
        ix = perm[i:i+128]; xb = xtrain[ix]; yb = ytrain[ix]
        ts = time.time()
        opt.zero_grad(); loss = F.cross_entropy(net(xb), yb); loss.backward(); opt.step()
        step_time += time.time() - ts
    ep = time.time() - te
    acc = test()
    print(f"torch epoch {e+1} epoch_s {ep:.1f} img/s(epoch) {55000/ep:.0f} img/s(steps) {55000/step_time:.0f} "
          f"loss {loss.item():.3f} test_acc {acc:.4f} wall {time.time()-t0:.1f}", flush=True)
