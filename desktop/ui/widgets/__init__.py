"""Reusable widgets: pickers with pinyin search, entry list panel, evidence list, dialogs."""
