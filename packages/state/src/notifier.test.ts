import type { SkillsyncError } from '@skillsync/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalNotifier, NOTIFY_PAYLOAD_MAX_BYTES, type NotifierOptions, type StateNotifier } from './notifier.js';
import { createPostgresNotifier } from './postgres-notifier.js';
import { createTestSchema, type TestSchema } from './test-support/index.js';

let test: TestSchema;
let opened: StateNotifier[] = [];
let local: StateNotifier | undefined;

beforeEach(async () => {
  test = await createTestSchema();
});

afterEach(async () => {
  await Promise.all(opened.map((notifier) => notifier.close()));
  opened = [];
  local = undefined;
  await test.drop();
});

/** The payloads heard on one channel, in order. */
function collect(notifier: StateNotifier, channel: string): { readonly heard: string[]; readonly stop: () => void } {
  const heard: string[] = [];
  const stop = notifier.listen(channel, (payload) => heard.push(payload));
  return { heard, stop };
}

type Backend = {
  readonly name: string;
  /** A notifier as one server replica has it; every call gives another replica on the same database. */
  readonly create: (options?: NotifierOptions) => Promise<StateNotifier>;
};

const backends: Backend[] = [
  {
    name: 'local (SQLite: one process)',
    // One process: every replica of a test is the same notifier, unless options are given.
    create: (options) => {
      if (options !== undefined || local === undefined) local = createLocalNotifier(options);
      opened.push(local);
      return Promise.resolve(local);
    },
  },
  {
    name: 'PostgreSQL',
    create: async (options) => {
      const notifier = await createPostgresNotifier(test.url, { schema: test.schema, ...options });
      opened.push(notifier);
      return notifier;
    },
  },
];

describe.each(backends)('the $name notifier', ({ create }) => {
  it('delivers to the listeners of the channel, in order, not inside notify', async () => {
    const [sender, receiver] = [await create(), await create()];
    const events = collect(receiver, 'events');
    const other = collect(receiver, 'other');
    await receiver.ready();
    await sender.notify('events', 'one');
    await sender.notify('events', 'two ✓');
    await sender.notify('other', 'three');
    await vi.waitFor(() => {
      expect(events.heard).toEqual(['one', 'two ✓']);
      expect(other.heard).toEqual(['three']);
    });
  });

  it('stops calling a listener once unsubscribed; the others still hear', async () => {
    const notifier = await create();
    const first = collect(notifier, 'events');
    const second = collect(notifier, 'events');
    await notifier.ready();
    await notifier.notify('events', 'a');
    await vi.waitFor(() => {
      expect(second.heard).toEqual(['a']);
    });
    first.stop();
    await notifier.notify('events', 'b');
    await vi.waitFor(() => {
      expect(second.heard).toEqual(['a', 'b']);
    });
    second.stop();
    await notifier.notify('events', 'c');
    const sentinel = collect(notifier, 'sentinel');
    await notifier.ready();
    await notifier.notify('sentinel', 'done');
    await vi.waitFor(() => {
      expect(sentinel.heard).toEqual(['done']);
    });
    expect(first.heard).toEqual(['a']);
    expect(second.heard).toEqual(['a', 'b']);
  });

  it('reports a listener that throws, and still calls the others', async () => {
    const errors: SkillsyncError[] = [];
    const notifier = await create({ onError: (error) => errors.push(error) });
    notifier.listen('events', () => {
      throw new Error('listener bug');
    });
    const heard = collect(notifier, 'events');
    await notifier.ready();
    await notifier.notify('events', 'x');
    await vi.waitFor(() => {
      expect(heard.heard).toEqual(['x']);
    });
    expect(errors.map((error) => error.message)).toEqual(['listener bug']);
  });

  it('checks channel names and payload sizes', async () => {
    const notifier = await create();
    for (const channel of ['', 'has space', 'quote"d', '-leading', 'x'.repeat(64)]) {
      expect(() => notifier.listen(channel, () => undefined)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
      await expect(notifier.notify(channel, 'x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    await expect(notifier.notify('events', 'é'.repeat(4000))).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { bytes: 8000 } });
    const largest = 'x'.repeat(NOTIFY_PAYLOAD_MAX_BYTES);
    const heard = collect(notifier, 'org:acme.events-v1');
    await notifier.ready();
    await notifier.notify('org:acme.events-v1', largest);
    await vi.waitFor(() => {
      expect(heard.heard).toEqual([largest]);
    });
  });

  it('refuses to notify or listen once closed; close twice is fine', async () => {
    const notifier = await create({});
    await notifier.close();
    await notifier.close();
    await expect(notifier.notify('events', 'x')).rejects.toMatchObject({ code: 'STATE_DB_FAILED' });
    expect(() => notifier.listen('events', () => undefined)).toThrow(expect.objectContaining({ code: 'STATE_DB_FAILED' }));
    await expect(notifier.ready()).rejects.toMatchObject({ code: 'STATE_DB_FAILED' });
  });
});

describe('the PostgreSQL notifier', () => {
  it('keeps schemas apart: channels of the same name in another schema are not heard', async () => {
    const elsewhere = await createTestSchema();
    try {
      const here = await createPostgresNotifier(test.url, { schema: test.schema });
      const there = await createPostgresNotifier(elsewhere.url, { schema: elsewhere.schema });
      opened.push(here, there);
      const heardHere = collect(here, 'events');
      const heardThere = collect(there, 'events');
      await Promise.all([here.ready(), there.ready()]);
      await here.notify('events', 'for here');
      await there.notify('events', 'for there');
      await vi.waitFor(() => {
        expect(heardHere.heard).toEqual(['for here']);
        expect(heardThere.heard).toEqual(['for there']);
      });
    } finally {
      await elsewhere.drop();
    }
  });

  it('reconnects after its connections are ended, LISTENs again, and reports the drop', async () => {
    const errors: SkillsyncError[] = [];
    const receiver = await createPostgresNotifier(test.url, { schema: test.schema, onError: (error) => errors.push(error) });
    const sender = await createPostgresNotifier(test.url, { schema: test.schema });
    opened.push(receiver, sender);
    const heard = collect(receiver, 'events');
    await receiver.ready();
    await sender.notify('events', 'before');
    await vi.waitFor(() => {
      expect(heard.heard).toEqual(['before']);
    });

    expect(await test.terminateConnections()).toBeGreaterThanOrEqual(2);
    await vi.waitFor(() => {
      expect(errors.map((error) => error.code)).toContain('STATE_DB_UNAVAILABLE');
    });
    await receiver.ready();
    // The sender's pool lost its connection too; a notify that finds it dead fails as unavailable, the next gets a new one.
    await sender.notify('events', 'after').catch(async (error: unknown) => {
      expect(error).toMatchObject({ code: 'STATE_DB_UNAVAILABLE' });
      await sender.notify('events', 'after');
    });
    await vi.waitFor(() => {
      expect(heard.heard).toEqual(['before', 'after']);
    });
  });

  it('fails to start as STATE_DB_UNAVAILABLE when the server cannot be reached', async () => {
    await expect(createPostgresNotifier('postgres://postgres:pw-not-shown@127.0.0.1:1/test', { connectTimeoutMs: 1000 })).rejects.toMatchObject({
      code: 'STATE_DB_UNAVAILABLE',
      message: expect.not.stringContaining('pw-not-shown') as unknown,
    });
  });
});
