"""Pretraining library: the Llama 3 model, the loader over packed mix shards, the training loop.

Imports torch and numpy only (no Ray, no tokenizer), so ``pipelines/pretrain.py`` runs on a
GPU machine that has nothing else of curate installed.
"""
