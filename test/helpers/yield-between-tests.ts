/**
 * Setup file of the services project (vitest.config.ts). The CLI tests drive the built CLI with
 * spawnSync (test/helpers/cli.ts), which holds this worker's event loop for a whole test body; run back
 * to back on a loaded machine, such tests kept vitest's own RPC replies unread for over a minute and the
 * run failed with "[vitest-worker]: Timeout calling onTaskUpdate" although every test passed. One turn of
 * the event loop (setImmediate, not a timer) before and after each test lets those replies through.
 */
import { afterEach, beforeEach } from 'vitest';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

beforeEach(turn);
afterEach(turn);
