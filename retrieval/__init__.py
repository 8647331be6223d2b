"""Knowledge ingestion, chunking, embeddings and search over Chroma."""
