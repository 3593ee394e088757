"""Custom Rasa NLU components for English, Hindi (Devanagari) and Hinglish text."""
