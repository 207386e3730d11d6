#!/usr/bin/env python3
"""Prints the benchmarked weight of chosen calls as a ratio to balances.transfer_keep_alive.

Reads generated weight files (ours from scripts/bench/weight-template.hbs, the reference from
the benchmark CLI's default template), evaluates each call at the top of its component ranges,
counts database reads and writes at ParityDB's weights, and prints a Markdown table.

Usage: ratios.py REFERENCE_WEIGHTS_RS WEIGHTS_RS:call[,call...] ...
"""
import re
import sys

READ_PS = 8_000_000  # ParityDbWeight.read: 8 µs
WRITE_PS = 50_000_000  # ParityDbWeight.write: 50 µs


def number(text):
    return int(text.replace("_", "").removesuffix("u64"))


def parse(path):
    """{call: (ref_time_ps, proof_bytes, reads, writes)} at the top of each component range."""
    source = open(path).read()
    # Only the first impl block: SubstrateWeight (ours) or WeightInfo<T> (the CLI's).
    body = source[source.index("impl<T: frame_system::Config>"):]
    body = body[: body.index("\n}\n")]
    calls = {}
    for match in re.finditer(r"((?:\s*///[^\n]*\n)*)\s*fn (\w+)\(([^)]*)\) -> Weight \{(.*?)\n\t\}", body, re.S):
        comments, name, params, code = match.groups()
        ranges = {c: int(hi) for c, hi in re.findall(r"component `(\w+)` is `\[\d+, (\d+)\]`", comments)}
        value = lambda c: ranges.get(c, 0)
        base = re.search(r"Weight::from_parts\(([\d_]+), ([\d_]+)\)", code)
        ref_time, proof = number(base.group(1)), number(base.group(2))
        extra_proof = re.search(r"\.saturating_add\(Weight::from_parts\(0, ([\d_]+)\)\)", code)
        if extra_proof:
            proof += number(extra_proof.group(1))
        for slope, c in re.findall(r"Weight::from_parts\(([\d_]+), 0\)\.saturating_mul\((\w+)\.into\(\)\)", code):
            ref_time += number(slope) * value(c)
        for slope, c in re.findall(r"Weight::from_parts\(0, ([\d_]+)\)\.saturating_mul\((\w+)\.into\(\)\)", code):
            proof += number(slope) * value(c)
        reads = sum(number(n) for n in re.findall(r"\.reads\(([\d_]+(?:_u64)?)\)", code))
        reads += sum(number(s) * value(c) for s, c in re.findall(r"\.reads\(\(([\d_]+_u64)\)\.saturating_mul\((\w+)\.into\(\)\)\)", code))
        writes = sum(number(n) for n in re.findall(r"\.writes\(([\d_]+(?:_u64)?)\)", code))
        writes += sum(number(s) * value(c) for s, c in re.findall(r"\.writes\(\(([\d_]+_u64)\)\.saturating_mul\((\w+)\.into\(\)\)\)", code))
        total = ref_time + reads * READ_PS + writes * WRITE_PS
        calls[name] = (total, proof, reads, writes, ranges)
    return calls


def main():
    reference = parse(sys.argv[1])["transfer_keep_alive"]
    print("| call | ref time (µs) | reads | writes | proof size (bytes) | × transfer_keep_alive |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    rows = [("balances.transfer_keep_alive", reference)]
    for spec in sys.argv[2:]:
        path, names = spec.split(":")
        weights = parse(path)
        pallet = path.split("/")[-3]
        rows += [(f"{pallet}.{name}", weights[name]) for name in names.split(",")]
    for label, (total, proof, reads, writes, ranges) in rows:
        at = ", ".join(f"{c} = {v}" for c, v in ranges.items())
        label = f"{label} ({at})" if at else label
        print(f"| {label} | {total / 1e6:.1f} | {reads} | {writes} | {proof} | {total / reference[0]:.2f} |")


if __name__ == "__main__":
    main()
