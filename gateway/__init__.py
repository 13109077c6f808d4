"""The edge of the platform: routing, the merged contract, health, and later keys and limits."""
