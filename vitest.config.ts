import { defineConfig } from 'vitest/config';

// Tests mirror the layers, and run as three projects, chosen by folder so a new test file joins its
// project by where it lives (`npx vitest run --project kernels`; plain `vitest run` runs all three):
// - kernels: test/kernels, test/common, test/renderer — pure and fast, feedback in seconds;
// - services: test/services, test/host, test/cli — real ffmpeg, SQLite files, child processes;
// - e2e: test/e2e — headless Chromium against the built web host;
// - timing: test/timing — the two tests that assert a time because the requirement is one (the engine's
//   event loop under load): they run last, one file at a time, after the other projects have finished,
//   so the load they measure is the one they make (plus whatever else runs on the machine).
// Timeouts are ceilings for a loaded machine, not expectations: tests wait for conditions, never for
// time. The shared reference folders follow one rule (test/helpers/shared-data.ts).
/** Each project's folders under test/; test/common/test-projects.test.ts checks every test file has one. */
export const PROJECT_FOLDERS = {
  kernels: ['kernels', 'common', 'renderer'],
  services: ['services', 'host', 'cli'],
  e2e: ['e2e'],
  timing: ['timing'],
} as const;

const include = (folders: readonly string[]) => folders.map((f) => `test/${f}/**/*.test.ts`);

const shared = {
  testTimeout: 60_000,
  hookTimeout: 120_000,
  pool: 'forks',
} as const;

export default defineConfig({
  test: {
    reporters: ['default'],
    // Node 20 can abort a process ("Assertion failed: (data.first) != nullptr" in
    // NodePlatform::ForIsolate) when a worker thread is terminated while V8 still optimises its code on
    // a background thread; the tests start and close many worker pools (frames, statistics, ONNX).
    // Optimising on the isolate's own thread removes that race; the numbers are the same either way.
    poolOptions: { forks: { execArgv: ['--no-concurrent-recompilation'] } },
    projects: [
      { extends: true, test: { ...shared, name: 'kernels', include: include(PROJECT_FOLDERS.kernels) } },
      { extends: true, test: { ...shared, name: 'services', include: include(PROJECT_FOLDERS.services), setupFiles: ['test/helpers/yield-between-tests.ts'] } },
      {
        extends: true,
        test: {
          ...shared,
          name: 'e2e',
          include: include(PROJECT_FOLDERS.e2e),
          // One flow is one long test of many waits; on a loaded machine its sum needs room (the analysis
          // flow took 223 s at a load average of 11-14 on 2 cores).
          testTimeout: 600_000,
          // expect.poll waits for a condition in the page; the default (1 s) is a fixed wait in disguise.
          expect: { poll: { timeout: 60_000, interval: 100 } },
        },
      },
      {
        extends: true,
        test: {
          ...shared,
          name: 'timing',
          include: include(PROJECT_FOLDERS.timing),
          testTimeout: 600_000,
          // One file at a time, in one process, after the other projects (groupOrder).
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
