"""A stand-in for a training script, for search tests: standard library only, a few
milliseconds an epoch. Its score rises with the epochs and is higher the closer x is to 0.7,
so the best trials are known. It checkpoints after each epoch and resumes from its checkpoint,
printing where it resumed, as a real training script would."""

import json
import os
import time

hp = json.loads(os.environ.get("YARD_HPARAMS", "{}"))
x = float(hp["x"])
epochs = int(hp["epochs"])
ckpt_dir = os.environ["YARD_CHECKPOINT_DIR"]
path = os.path.join(ckpt_dir, "state.json")
start = 0
if os.path.exists(path):
    with open(path) as f:
        start = json.load(f)["epoch"]
    print(f"resumed from epoch {start}", flush=True)
for epoch in range(start + 1, epochs + 1):
    time.sleep(0.05)
    score = (1 - (x - 0.7) ** 2) * (1 - 0.5 ** epoch)
    print("YARD_METRIC " + json.dumps({"step": epoch, "score": score}), flush=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"epoch": epoch}, f)
    os.replace(tmp, path)
print(f"trained epochs {start + 1}..{epochs}", flush=True)
