"""Writers and readers of files (PDF documents, workbooks): plain data in, files out.

No Qt and no database session here, so every exporter can be tested on plain data and
reused by the command line, the desktop program and background workers alike.
"""
