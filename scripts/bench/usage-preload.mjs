/**
 * Preloaded into the dnsctl process by the benchmark (`node --import <this file> dist/cli.js …`):
 * at exit, writes the process's own CPU time and peak RSS (`process.resourceUsage()`) as JSON to
 * the file named by DNSCTL_BENCH_USAGE_FILE. Chosen over `/usr/bin/time -f` because it works
 * wherever Node runs (BSD/macOS `time` has no `-f`, some images have no `/usr/bin/time`) and it
 * measures exactly the node process, not a wrapper.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.DNSCTL_BENCH_USAGE_FILE;
if (file) {
  process.once('exit', (code) => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        exitCode: code,
        userCpuMs: usage.userCPUTime / 1000,
        systemCpuMs: usage.systemCPUTime / 1000,
        maxRssKb: usage.maxRSS,
        uptimeMs: process.uptime() * 1000,
      }),
    );
  });
}
