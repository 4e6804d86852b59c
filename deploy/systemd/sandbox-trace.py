#!/usr/bin/env python3
"""Compares what the Portcullis binary did under strace with what deploy/systemd/portcullis.service
allows, so a sandbox setting that would break the service fails CI instead of a user's start:
every system call must pass SystemCallFilter=, every socket family RestrictAddressFamilies=, and
with MemoryDenyWriteExecute= no mapping may be writable and executable or become executable.
Usage: sandbox-trace.py UNIT STRACE_LOG   (strace -f output). Exit code 1 on any violation."""
import re
import subprocess
import sys

unit_path, trace_path = sys.argv[1], sys.argv[2]
settings = {}
for line in open(unit_path):
    line = line.strip()
    if "=" in line and not line.startswith("#"):
        key, value = line.split("=", 1)
        settings.setdefault(key, []).append(value)

groups = {}
def expand(name):
    """A syscall-filter group, nested groups included, as systemd-analyze lists it."""
    if not name.startswith("@"):
        return {name}
    if name not in groups:
        listing = subprocess.run(["systemd-analyze", "syscall-filter", name, "--no-pager"],
                                 capture_output=True, text=True, check=True).stdout.splitlines()[1:]
        groups[name] = set()
        for entry in (l.strip() for l in listing):
            if entry and not entry.startswith("#"):
                groups[name] |= expand(entry)
    return groups[name]

allowed, denied = set(), set()
for value in settings.get("SystemCallFilter", []):
    names = value.lstrip("~").split()
    target = denied if value.startswith("~") else allowed
    for name in names:
        target |= expand(name)

families = set(" ".join(settings.get("RestrictAddressFamilies", [])).split())
deny_write_execute = settings.get("MemoryDenyWriteExecute", ["no"])[-1] == "yes"

problems = []
calls = set()
call = re.compile(r"^\d+\s+([a-z_0-9]+)\((.*)")
for line in open(trace_path):
    match = call.match(line)
    if not match:
        continue
    name, arguments = match.groups()
    calls.add(name)
    if name == "socket":
        family = arguments.split(",", 1)[0]
        if families and family not in families:
            problems.append(f"socket family {family} is not in RestrictAddressFamilies=: {line.strip()}")
    if deny_write_execute and name in ("mmap", "mprotect", "pkey_mprotect") and "PROT_EXEC" in arguments:
        if "PROT_WRITE" in arguments or name != "mmap" or "MAP_ANONYMOUS" in arguments:
            problems.append(f"MemoryDenyWriteExecute= would refuse: {line.strip()}")

for name in sorted(calls):
    if allowed and name not in allowed:
        problems.append(f"system call {name} is not in SystemCallFilter= (allowed set)")
    if name in denied:
        problems.append(f"system call {name} is denied by SystemCallFilter=~")

for problem in problems:
    print(problem)
print(f"{len(calls)} system calls traced, {len(problems)} the unit would refuse")
sys.exit(1 if problems else 0)
