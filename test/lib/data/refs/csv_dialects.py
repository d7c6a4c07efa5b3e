"""Reference rows for test/lib/data/upload-csv.test.ts: how Python's csv module (the reader pandas'
python engine builds on) reads CSV texts a spreadsheet or a script would write. Run with
/usr/bin/python3 test/lib/data/refs/csv_dialects.py > test/lib/data/refs/csv_dialects.json"""
import csv
import io
import json

CASES = {
    "crlf": "a,b\r\n1,2\r\n3,4\r\n",
    "mixed CRLF, LF and CR": "a,b\r\n1,2\n3,4\r5,6\r\n",
    "BOM and CRLF": "\ufeffa,b\r\n1,x\r\n",
    "quoted newlines (CRLF and LF inside cells)": 'id,note\r\n1,"two\r\nlines"\n2,"three\nshort\nlines"\r\n3,plain\n',
    "escaped quotes and delimiters in cells": 'id,q\n1,"say ""hi"", twice"\n2,"a,b"\n',
    "semicolon dialect with quoted CR": 'x;y\r\n"1\r2";3\r\n',
    "no final newline": "a,b\n1,2",
    "stray quote inside an unquoted cell": 'a,b\n12" pipe,3\n4,5\n',
}

out = []
for name, text in CASES.items():
    delim = ";" if name.startswith("semicolon") else ","
    body = text[1:] if text.startswith("\ufeff") else text
    rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=delim))
    out.append({"name": name, "text": text, "rows": rows})
print(json.dumps(out, indent=1, ensure_ascii=False))
