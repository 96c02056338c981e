"""Vision QA: does a scene's frame show what its narration says? (advisory)"""
