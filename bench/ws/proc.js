'use strict';
// Reads a proxy's own cost from /proc: the same figures bench/run.sh takes in shell.
const fs = require('fs');

const CLK_TCK = 100; // getconf CLK_TCK on Linux x86-64

function stat(pid) {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm may hold spaces: the fields that follow start after the last ')'.
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** utime+stime of every pid, in microseconds. */
function cpuMicros(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const f = stat(pid);
    ticks += Number(f[11]) + Number(f[12]); // fields 14 and 15 of proc(5)
  }
  return ticks * (1e6 / CLK_TCK);
}

/** Sum of VmRSS of every pid, in KiB. */
function rssKiB(pids) {
  let kib = 0;
  for (const pid of pids) {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) kib += Number(m[1]);
  }
  return kib;
}

function pidsFromArg(text) {
  return String(text || '').split(/[ ,]+/).filter(Boolean).map(Number);
}

function args(argv, defaults) {
  const out = { ...defaults };
  for (let i = 2; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

module.exports = { cpuMicros, rssKiB, pidsFromArg, args, sleep };
