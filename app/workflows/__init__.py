"""Case rules: workflow definitions (data), guards, deadlines, permissions and operations."""
