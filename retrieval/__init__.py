"""The context store: local embeddings, Chroma collections, ingestion and citable retrieval."""
