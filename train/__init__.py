"""Compact FSDP2 trainer for OPT models on optcorpus shards: ``torchrun -m train --config ... --data ... --out ...``."""
