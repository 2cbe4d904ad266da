"""The independent check of cmgems' genome store (native/tests/genome.rs): reads a .2bit that
`train genome` built with py2bit (deeptools' reader of UCSC's format, from PyPI) and compares
every record, its N blocks and its soft-mask blocks with the FASTA it came from.

  twobit_readback.py FASTA STORE

Exits non-zero with the first difference. The FASTA is plain text; names are the first word
of each header; IUPAC codes are expected as N (what `train genome` documents).
"""
import re
import sys

import py2bit


def read_fasta(path):
    records, name, parts = {}, None, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith(">"):
                if name is not None:
                    records[name] = "".join(parts)
                name, parts = line[1:].split()[0], []
            elif not line.startswith(";"):
                parts.append("".join(line.split()))
    if name is not None:
        records[name] = "".join(parts)
    return records


def runs(text, pattern):
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


def main(fasta, store):
    want = read_fasta(fasta)
    upper = {n: re.sub("[^ACGT]", "N", s.upper()) for n, s in want.items()}
    plain = py2bit.open(store)
    masked = py2bit.open(store, True)
    assert plain.chroms() == {n: len(s) for n, s in want.items()}, (plain.chroms(), list(want))
    for name, seq in want.items():
        got = plain.sequence(name) if seq else ""
        assert got == upper[name], f"{name}: letters differ"
        # py2bit gives blocks as (start, end), 0-based, end excluded.
        n_blocks = runs(upper[name], "N+")
        got_n = [tuple(b) for b in plain.hardMaskedBlocks(name)] if seq else []
        assert got_n == n_blocks, f"{name}: N blocks {got_n} != {n_blocks}"
        soft = runs(seq, "[a-z]+")
        got_soft = [tuple(b) for b in masked.softMaskedBlocks(name)] if seq else []
        assert got_soft == soft, f"{name}: soft-mask blocks {got_soft} != {soft}"
    print(f"py2bit: {len(want)} records agree")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
