"""The REST API: a FastAPI app that Reflex mounts into its backend (`api_transformer`)."""
