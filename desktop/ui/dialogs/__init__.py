"""Dialogs of the review, board, profile, awards and exchange screens.

Each dialog validates what the user typed before it accepts (an empty reason is refused
with a message inside the dialog), so the screens only call services with complete input.
"""
