"""Custom actions of the Delhi governance assistant (rasa-sdk action server)."""
