"""Generated pictures and clips (Runway, an OpenAI-compatible images API): paid, budgeted."""
