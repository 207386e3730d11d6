#!/usr/bin/env python3
"""Prints the cost of one more item of linear benchmarks (an IOU in a batch, a settled channel)
as a ratio to balances.transfer_keep_alive: the slope of the benchmarked weight in one
component, with its database reads and writes at ParityDB's weights.

Usage: slopes.py REFERENCE_WEIGHTS_RS WEIGHTS_RS:call:component[,call:component...]
"""
import re
import sys

from ratios import READ_PS, WRITE_PS, parse


def slope(path, call, component):
    """(ref_time_ps, reads, writes) added per unit of `component` in the first impl block."""
    source = open(path).read()
    body = source[source.index("impl<T: frame_system::Config>"):]
    body = body[: body.index("\n}\n")]
    code = re.search(rf"fn {call}\([^)]*\) -> Weight \{{(.*?)\n\t\}}", body, re.S).group(1)
    number = lambda text: int(text.replace("_", ""))
    ref = sum(number(n) for n in re.findall(rf"from_parts\(([\d_]+), 0\)\.saturating_mul\({component}\.into\(\)\)", code))
    reads = sum(number(n) for n in re.findall(rf"reads\(\(([\d_]+)_u64\)\.saturating_mul\({component}\.into\(\)\)\)", code))
    writes = sum(number(n) for n in re.findall(rf"writes\(\(([\d_]+)_u64\)\.saturating_mul\({component}\.into\(\)\)\)", code))
    return ref, reads, writes


def main():
    reference = parse(sys.argv[1])["transfer_keep_alive"]
    ref_total = reference[0]  # already with its reads and writes
    print("| per item of | µs | reads | writes | × transfer_keep_alive |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for spec in sys.argv[2:]:
        path, calls = spec.split(":", 1)
        for item in calls.split(","):
            call, component = item.split(":")
            ref, reads, writes = slope(path, call, component)
            total = ref + reads * READ_PS + writes * WRITE_PS
            print(f"| `{call}` ({component}) | {total / 1e6:.1f} | {reads} | {writes} | {total / ref_total:.2f} |")
    print(f"\nReference: transfer_keep_alive {ref_total / 1e6:.1f} µs.")


if __name__ == "__main__":
    main()
