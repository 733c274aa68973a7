"""Writes of the library: materials and their files, moderation, use, portfolios,
publications. Every function takes keyword arguments and runs in a transaction."""
