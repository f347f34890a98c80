import { createSidecar } from '@todo/platform';
import { FAKE_SIDECAR_OPTIONS, fakeSidecar } from '@todo/platform/testing';
import { setupServer } from 'msw/node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeWatchdog } from './runtime-watchdog.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function setup() {
  const fake = fakeSidecar();
  server.use(...fake.handlers);
  let clock = 0;
  const watchdog = createRuntimeWatchdog({
    sidecar: createSidecar({ ...FAKE_SIDECAR_OPTIONS, timeouts: { state: 1_000 } }),
    log: pino({ level: 'silent' }),
    actorType: 'TaskReminder',
    graceMs: 45_000,
    probeTimeoutMs: 100,
    now: () => clock,
  });
  return { fake, watchdog, advance: (ms: number) => (clock += ms) };
}
const disconnected = { runtimeStatus: 'RUNNING', hostReady: false, placement: 'placement: disconnected' };

describe('the actor runtime watchdog', () => {
  it('is ready when placement is connected, the host ready and actor lookups answer', async () => {
    const { watchdog } = setup();
    expect(await watchdog.check()).toBe(true);
  });

  it('reports a disconnected runtime, and a connected one whose lookups hang', async () => {
    const { fake, watchdog } = setup();
    fake.metadata = { id: 'x', actorRuntime: disconnected };
    expect(await watchdog.check()).toMatch(/not ready \(placement: disconnected\)/);
    fake.metadata = { id: 'x', actorRuntime: { hostReady: true, placement: 'placement: connected' } };
    fake.delayMs = 1_000;
    expect(await watchdog.check()).toMatch(/actor lookups hang/);
  });

  it('restarts the sidecar only once it stayed unready past the grace, then gives the new one the grace again', async () => {
    const { fake, watchdog, advance } = setup();
    fake.metadata = { id: 'x', actorRuntime: disconnected };
    const at = async (ms: number) => {
      advance(ms);
      await watchdog.tick();
      return fake.shutdowns;
    };
    expect(await at(0)).toBe(0);
    expect(await at(40_000)).toBe(0); // a reconnect in progress takes seconds
    expect(await at(6_000)).toBe(1); // 46 s unready: restart
    expect(await at(10_000)).toBe(1); // the new sidecar gets the whole grace
    expect(await at(36_000)).toBe(2);
    // Ready again: no restart however long it runs.
    fake.metadata = { id: 'x', actorRuntime: { hostReady: true, placement: 'placement: connected' } };
    expect(await at(100_000)).toBe(2);
    expect(await at(100_000)).toBe(2);
    expect(watchdog.restarts).toBe(2);
  });
});
