"""The API's routers: health checks and the v1 jobs resource."""
