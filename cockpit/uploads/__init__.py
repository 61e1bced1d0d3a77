"""数据报送: monthly spreadsheets in, validated, versioned and reversible.

parse (bytes -> sheets, hostile files refused) -> validate (every problem at once,
tidy Datasets out) -> preview (new / changed / unchanged) -> commit (one
transaction through cockpit.ingest, one batch) -> rollback (restores what a batch
replaced). The web page and `python -m cockpit import` share all of it.
"""
