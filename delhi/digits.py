"""Devanagari digits (०-९) as ASCII, shared by every parser of numbers and ids."""

DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
