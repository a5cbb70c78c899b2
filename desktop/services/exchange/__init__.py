"""Workbook exchange with the county bureau: export, tolerant import, county merge.

The public use cases, for the command line and the GUI (run them in a worker thread; each
takes an optional ``progress(done, total)`` callback and a ``cancel()`` check, and raises
`report.Cancelled` when cancelled, having written nothing):

- `export.export_period(session, "2026-03", path)` → `ExportResult`
- `import_.preview_file(db, actor, path)` → `ImportPreview` (report + recognised tables, writes nothing)
- `import_.import_file(db, actor, path, dry_run=...)` → `ImportReport` (raises `ImportRejected`
  with the report when the workbook has problems; nothing is written then). Never applies a
  workbook's period state, signatures, grades, awards, confirmations or 录入人.
- `import_.restore_export(db_path, path, dry_run=...)` → `ImportReport`: rebuild a station from
  its unedited export into an empty database (`restore_database(db, path)` for an opened one)
- `merge.merge_county([paths], out)` → `MergeResult`

The format is documented in docs/workbook-format.md and defined in `schema`.
"""
