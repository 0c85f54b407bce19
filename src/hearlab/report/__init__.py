"""Figures and tables that a person reads."""
