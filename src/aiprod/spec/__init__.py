"""VideoSpec, presets and the brand kit: validation and defaults."""
