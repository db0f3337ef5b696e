"""Bank statement files -> plain rows (no database): CSV with a column mapping, CAMT.053
(pycamt) and OFX (ofxtools). Each parser returns `ParsedLine`s with per-row errors, so the
upload page can preview the file before anything is written (apps/invoicing/services/bank.py
imports them).
"""

from .common import MAX_BYTES, MAX_ROWS, ParsedLine, StatementFileError, decode_upload
from .parsers import detect_format, parse_statement
from .tabular import CSV_FIELDS, csv_headers, guess_mapping

__all__ = [
    "CSV_FIELDS",
    "MAX_BYTES",
    "MAX_ROWS",
    "ParsedLine",
    "StatementFileError",
    "csv_headers",
    "decode_upload",
    "detect_format",
    "guess_mapping",
    "parse_statement",
]
