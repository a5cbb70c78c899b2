"""Workbook (.xlsx) writer on rustpy-xlsxwriter: plain rows in, a formatted workbook out."""
