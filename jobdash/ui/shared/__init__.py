"""Widgets, formatting, theme and feed helpers shared by every part of the UI."""
