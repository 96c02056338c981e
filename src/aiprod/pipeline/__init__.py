"""The render pipeline: stages from a validated spec to delivered, QA-checked files."""
