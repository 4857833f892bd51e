"""Importers of other job histories into jobdash."""
