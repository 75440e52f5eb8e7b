// Preloaded (`node --require`) into a measured CLI process: at exit it writes the process's own
// peak RSS (VmHWM) to the file named by BENCH_HWM_FILE. Polling /proc from outside can miss the
// last moments before exit; this cannot. It adds one listener and nothing else.
'use strict';
const fs = require('node:fs');

const out = process.env.BENCH_HWM_FILE;
if (out) {
  process.on('exit', () => {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
      fs.writeFileSync(out, m ? m[1] : '');
    } catch { /* the poller's figure stands */ }
  });
}
