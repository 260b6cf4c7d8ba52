/**
 * The faults of issue 15, one per run, each injected in the middle of the load. A fault brings
 * the failed part back itself and returns when it was back (the time acks must resume from).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Load } from './load';
import { SERVICES, type RunServices, type SuiteStack } from './stack';
import type { ServiceName } from '@concord/bench/dist/children';

export interface FaultContext {
  stack: SuiteStack;
  services: RunServices;
  load: Load;
  /** Failures found while injecting (they fail the run). */
  problems: string[];
  note(text: string): void;
}

export interface Fault {
  id: string;
  name: string;
  /** Injects the fault, brings the part back, and resolves with the time(s) it was back. */
  inject(ctx: FaultContext): Promise<number[]>;
}

/** How long Cassandra stays stopped (the deliberate length of the fault). */
const STALL_MS = 20_000;
/** When, in that stall, the gateway is killed. */
const GATEWAY_KILL_IN_STALL_MS = 5_000;
/** A service must exit this soon after SIGTERM. */
export const SIGTERM_EXIT_LIMIT_MS = 5_000;

function killService(service: ServiceName): Fault {
  return {
    id: `${service}-kill`,
    name: `SIGKILL ${service}`,
    async inject({ services }) {
      await services.signal(service, 'SIGKILL');
      await services.restart(service);
      return [Date.now()];
    },
  };
}

export const FAULTS: Fault[] = [
  { id: 'baseline', name: 'baseline (no fault)', inject: async () => [] },
  killService('archive'),
  killService('router'),
  killService('gateway'),
  {
    id: 'nats-kill',
    name: 'SIGKILL nats-server',
    async inject({ stack }) {
      await stack.kill('nats');
      await stack.restart('nats');
      return [Date.now()];
    },
  },
  {
    id: 'cassandra-stop',
    name: `SIGSTOP Cassandra ${STALL_MS / 1000}s`,
    async inject({ stack }) {
      stack.signal('cassandra', 'SIGSTOP');
      await delay(STALL_MS);
      stack.signal('cassandra', 'SIGCONT');
      await stack.answers('cassandra');
      return [Date.now()];
    },
  },
  {
    id: 'cassandra-kill',
    name: 'SIGKILL Cassandra',
    async inject({ stack }) {
      await stack.kill('cassandra');
      await stack.restart('cassandra');
      return [Date.now()];
    },
  },
  {
    id: 'cassandra-stop-gateway-kill',
    name: 'SIGSTOP Cassandra + SIGKILL gateway',
    async inject({ stack, services }) {
      stack.signal('cassandra', 'SIGSTOP');
      await delay(GATEWAY_KILL_IN_STALL_MS);
      await services.signal('gateway', 'SIGKILL');
      // Started again at once, during the outage, as an orchestrator would.
      services.spawn('gateway');
      await delay(STALL_MS - GATEWAY_KILL_IN_STALL_MS);
      stack.signal('cassandra', 'SIGCONT');
      await stack.answers('cassandra');
      await services.ready('gateway');
      return [Date.now()];
    },
  },
  {
    id: 'sigterm',
    name: 'SIGTERM each service',
    async inject({ services, load, problems, note }) {
      const back: number[] = [];
      for (const s of SERVICES) {
        const { ms, how } = await services.terminate(s);
        note(`${s}: SIGTERM -> ${how} after ${(ms / 1000).toFixed(1)}s`);
        if (ms > SIGTERM_EXIT_LIMIT_MS) problems.push(`${s} took ${(ms / 1000).toFixed(1)}s to exit on SIGTERM (${how}; limit ${SIGTERM_EXIT_LIMIT_MS / 1000}s)`);
        await services.restart(s);
        const t = Date.now();
        back.push(t);
        await load.acksAfter(t, 15_000);
      }
      return back;
    },
  },
];
