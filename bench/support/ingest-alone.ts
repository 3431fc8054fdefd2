// What Lifeline's storage of inbound messages costs on its own, with no HTTP in front of it: the same signed
// WhatsApp bodies parsed by the channel and handed to the ingest (store the raw event, find the contact, append the
// message, publish the live event) in bursts, on a fresh SQLite store. bench/ingest.ts prices its ceiling with it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adapterFor } from '../../src/channels/registry.js';
import { InboundIngest } from '../../src/inbound/ingest.js';
import { EventBus } from '../../src/live/event-bus.js';
import { Store } from '../../src/store/store.js';

export interface IngestAlone {
  burst: number;
  webhooks: number;
  /** CPU (user + system) of this process per webhook, in µs. */
  cpuUsPerWebhook: number;
}

/**
 * Bursts of `burst` webhooks, each burst awaited before the next: a load of `burst` connections can have no more in
 * flight, so no commit holds more. `warmup` webhooks first, uncounted (they create the senders' contacts).
 */
export async function measureIngestAlone(options: { burst: number; webhooks: number; warmup: number; phoneNumberId: string; body(i: number): string }): Promise<IngestAlone> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-bench-ingest-alone-'));
  const store = await Store.open(`sqlite:${join(dir, 'lifeline.db')}`, { migrate: true, secretKey: randomBytes(32) });
  try {
    const workspace = await store.workspaces.create({ name: 'Bench', defaultRegion: 'PE' });
    const config = { phoneNumberId: options.phoneNumberId, accessToken: 'x', appSecret: 'x', verifyToken: 'v' };
    const channel = await store.forWorkspace(workspace.id).channels.create({ kind: 'whatsapp', name: 'bench', config }, 'bench');
    const bus = new EventBus();
    // A subscriber, as the live socket is one: the event is serialised for it.
    bus.subscribe(workspace.id, (event) => JSON.stringify(event));
    const ingest = new InboundIngest(store, bus, { warn: () => {}, error: (obj, msg) => process.stderr.write(`${msg}\n`) });
    const adapter = adapterFor('whatsapp')!;
    const ctx = { channelId: channel.id, config: channel.config, webhookUrl: '', publicUrl: '' };
    const source = { workspaceId: workspace.id, defaultRegion: 'PE', channel: { id: channel.id, kind: 'whatsapp' } };
    let next = 0;
    const burst = async (size: number) => {
      const applied: Promise<void>[] = [];
      for (let k = 0; k < size; k++) {
        const body = options.body(next++);
        const events = adapter.parseWebhook!(ctx, Buffer.from(body), 'application/json');
        applied.push(ingest.receive({ ...source, body, contentType: 'application/json', events }).then((received) => received.applied));
      }
      await Promise.all(applied);
    };
    for (let done = 0; done < options.warmup; done += options.burst) await burst(options.burst);
    const before = process.cpuUsage();
    const bursts = Math.ceil(options.webhooks / options.burst);
    for (let i = 0; i < bursts; i++) await burst(options.burst);
    const used = process.cpuUsage(before);
    const webhooks = bursts * options.burst;
    return { burst: options.burst, webhooks, cpuUsPerWebhook: Math.round(((used.user + used.system) / webhooks) * 10) / 10 };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
