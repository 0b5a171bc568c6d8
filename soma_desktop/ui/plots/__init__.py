"""pyqtgraph and custom-painted views of evaluation results (per-byte loss, bytes, embeddings)."""
