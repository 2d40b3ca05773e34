import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv } from '@skillsync/core';
import { createLocalNotifier } from '@skillsync/state';
import { createTestSchema, type TestSchema } from '@skillsync/state/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServerContext, type OpenServerContext } from './open-server.js';
import { createServerEvents } from './server-events.js';

type Received = [string, unknown];

function collector(): { received: Received[]; listener: (type: 'profile' | 'package', data: unknown) => void; next: () => Promise<void> } {
  const received: Received[] = [];
  let wake: (() => void) | undefined;
  return {
    received,
    listener: (type, data) => {
      received.push([type, data]);
      wake?.();
    },
    next: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error('no event within 5 s'));
        }, 5000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}

describe('createServerEvents', () => {
  it("delivers an org's events to that org's subscribers only, until they unsubscribe", async () => {
    const notifier = createLocalNotifier();
    const events = createServerEvents(notifier);
    const acme = collector();
    const other = collector();
    const stopAcme = events.subscribe('acme', acme.listener);
    events.subscribe('other', other.listener);
    const arrived = acme.next();
    await events.publish('acme', 'profile', { scope: 'org', revision: 2 });
    await arrived;
    expect(acme.received).toEqual([['profile', { scope: 'org', revision: 2 }]]);
    expect(other.received).toEqual([]);
    stopAcme();
    stopAcme();
    await events.publish('acme', 'package', { name: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(acme.received).toHaveLength(1);
    await notifier.close();
  });

  it('gives every subscriber its turn when one throws', async () => {
    const errors: string[] = [];
    const notifier = createLocalNotifier({ onError: (error) => errors.push(error.message) });
    const events = createServerEvents(notifier);
    const after = collector();
    events.subscribe('acme', () => {
      throw new Error('listener broke');
    });
    events.subscribe('acme', after.listener);
    const arrived = after.next();
    await events.publish('acme', 'package', { name: 'x' });
    await arrived;
    expect(errors).toEqual(['listener broke']);
    await notifier.close();
  });
});

describe('server events across two servers on one PostgreSQL', () => {
  let schema: TestSchema;
  let home: string;
  let first: OpenServerContext;
  let second: OpenServerContext;
  beforeAll(async () => {
    schema = await createTestSchema();
    home = await mkdtemp(path.join(os.tmpdir(), 'skillsync-events-'));
    const env = createEnv({ home, cwd: home });
    first = await openServerContext({ env, database: schema.url, schema: schema.schema });
    second = await openServerContext({ env, database: schema.url, schema: schema.schema });
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    await schema.drop();
    await rm(home, { recursive: true, force: true });
  });

  it('delivers what one publishes to the subscribers of the other', async () => {
    const seen = collector();
    second.events.subscribe('acme', seen.listener);
    const arrived = seen.next();
    // LISTEN takes effect on the notifier's own connection a moment later: what was sent before it is not heard.
    for (let sent = 0; seen.received.length === 0 && sent < 50; sent += 1) {
      await first.events.publish('acme', 'profile', { scope: 'team:web', revision: 7 });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await arrived;
    expect(seen.received[0]).toEqual(['profile', { scope: 'team:web', revision: 7 }]);
  });
});
