"""Uploads: media files users send before naming them in a spec.

service.py       stream to disk under a size cap, check with ffprobe, keep per owner
media_paths.py   the media a spec names through the API must be the caller's own uploads
"""
