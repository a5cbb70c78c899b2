"""Workbook (.xlsx) writers on openpyxl: plain rows in, a formatted workbook out."""
