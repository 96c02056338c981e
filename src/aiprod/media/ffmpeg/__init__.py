"""FFmpeg as data: pure builders (graph, command) and the one module that runs processes."""
