"""The PySide6 desktop app (player, background indexing, chat panel); built on core."""
