"""Runtime wiring of Rasa's own production components from environment variables."""
