"""Validation rules (pandera) for returned answers, and the catalogue of Japanese messages."""
