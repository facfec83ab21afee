"""REST API v1: JSON over the same operations, permissions and scope as the pages."""
