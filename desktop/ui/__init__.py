"""The Qt desktop program. Widgets call services through `AppContext`; never a session."""
