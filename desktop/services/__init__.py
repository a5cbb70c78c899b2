"""The Qt-free core: one use case per module."""
