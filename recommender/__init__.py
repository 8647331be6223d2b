"""Product suggestions from BERT embeddings of items and of users' behaviour."""
