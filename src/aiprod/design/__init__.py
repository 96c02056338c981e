"""Scene design: layouts, type, shapes and motion, as data the render graph draws."""
