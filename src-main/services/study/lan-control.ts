/**
 * What the engine needs of LAN mode (docs/lan.md). The listener itself is a transport and lives in
 * host/lan-host.ts; the composition roots (web-main.ts, the Electron app) attach it to their engine
 * with `Engine.attachLan`. An engine without one (the command line, a bare test) answers the
 * `studies.lan.*` commands with E_UNSUPPORTED.
 */
import type { Handlers } from '../../common/contract';

export interface LanControl {
  start: Handlers['studies.lan.start'];
  stop: Handlers['studies.lan.stop'];
  status: Handlers['studies.lan.status'];
  /** Closes every listener (the engine is shutting down): tokens never outlive their engine. */
  closeAll(): Promise<void>;
}
