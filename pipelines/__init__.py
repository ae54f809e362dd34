"""Recipes: phases in the paper's order, and their parameters (TOML beside each recipe)."""
