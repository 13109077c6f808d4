"""The thin shared kit every Kyodo service builds on."""
