"""API clients (API クライアント): who may call the platform, for which organisations, how often."""
