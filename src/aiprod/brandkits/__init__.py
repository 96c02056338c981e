"""Brand kits kept per owner (``/v1/brand-kits``): the spec's brand kit and a pronunciation
glossary, applied to a job when it is submitted."""
