"""Reading inputs (WARC files, listings) and writing shards, on local disk or any fsspec URL."""
