"""The kyodo command line and the embedded platform's tooling."""
