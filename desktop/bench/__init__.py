"""`jifen bench`: a synthetic county-sized database and timed cases, each against a raw baseline.

`dataset` builds (and caches) the database with bulk inserts, `measure` runs one measurement in
a fresh interpreter and reads its peak memory, `work` / `work_qt` are what those interpreters
run, `cases` pairs every case with its baseline and target, `report` prints and saves the result.
"""
