"""Regions of Kazakhstan (reference data) and their hotlines and trust phones."""
