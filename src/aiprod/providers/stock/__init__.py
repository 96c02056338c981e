"""Stock pictures and clips (Pexels, Pixabay) for scenes without a picture of their own."""
