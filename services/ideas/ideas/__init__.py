"""The ideas service: hack days, ideas, teams, comments, moderation and similar-idea search."""
