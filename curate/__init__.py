"""curate: Common Crawl WARC dumps to pretraining data, following Llama 3 (section 3.1)."""

__version__ = "0.1.0"
