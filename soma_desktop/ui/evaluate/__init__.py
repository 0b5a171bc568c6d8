"""Evaluate panel pieces: inputs, run controller, results model, tables and exports."""
