"""A small PyTorch MLP trained on synthetic data on the CPU, then saved.

Usage: python3 train_mlp.py STEPS
"""
import sys

import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 150
torch.manual_seed(0)
X = torch.randn(4096, 256)
w = torch.randn(256, 1)
y = (X @ w).tanh() + 0.1 * torch.randn(4096, 1)
model = torch.nn.Sequential(
    torch.nn.Linear(256, 256), torch.nn.ReLU(),
    torch.nn.Linear(256, 256), torch.nn.ReLU(),
    torch.nn.Linear(256, 1),
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss = torch.tensor(0.0)
for step in range(steps):
    idx = torch.randint(0, X.shape[0], (128,))
    loss = torch.nn.functional.mse_loss(model(X[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0:
        print(f"step {step} loss {float(loss):.4f}", flush=True)
torch.save(model.state_dict(), "mlp.pt")
print(f"final loss {float(loss):.3f}")
