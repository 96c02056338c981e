"""Script/storyboard capability: a brief's analysis in, the scenes of a script out.

Providers: ``openai_compatible`` (any OpenAI-compatible chat endpoint, with the storyboard's
JSON Schema in ``response_format``) and ``copywriter`` (the offline rule-based planner,
always last). :func:`aiprod.providers.script.chain.script_writer` runs the chain.
"""
